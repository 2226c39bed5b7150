// The trial's sample as a list of items: the first N lines of a file (read until N, never the
// whole file), given items (an editor selection), or a number range.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ConfigError } from '../errors';
import { l10n } from '../l10n';
import type { TrialSample } from './types';

/** A trial is a sample, not a job: more than this is refused. */
export const MAX_SAMPLE = 10_000;

export async function sampleItems(sample: TrialSample): Promise<string[]> {
  const items = await read(sample);
  if (!items.length) throw new ConfigError('missingField', l10n.t('The sample is empty: choose a file with lines, a selection or a range with at least one item.'));
  return items;
}

async function read(sample: TrialSample): Promise<string[]> {
  switch (sample.kind) {
    case 'items':
      return sample.items.slice(0, MAX_SAMPLE);
    case 'range': {
      const step = sample.step ?? 1;
      const out: string[] = [];
      for (let n = sample.from; n <= sample.to && out.length < MAX_SAMPLE; n += step) out.push(String(n));
      return out;
    }
    case 'fileHead':
      return headLines(sample.file, Math.min(Math.max(1, sample.count), MAX_SAMPLE));
  }
}

async function headLines(file: string, count: number): Promise<string[]> {
  const s = await stat(file).catch((e: Error) => {
    throw new ConfigError('io', l10n.t('Cannot read the sample file {file} ({reason}): check the path.', { file, reason: e.message }), file);
  });
  if (!s.isFile()) throw new ConfigError('io', l10n.t('{file} is not a file: choose a file to take the sample from.', { file }), file);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const out: string[] = [];
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      out.push(line);
      if (out.length >= count) break;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return out;
}
