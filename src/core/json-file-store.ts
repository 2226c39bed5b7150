// A KeyValueStore in one JSON file, for scripts and CLIs that have no editor globalState.
// Reads are synchronous from memory (the interface says so); writes replace the file
// atomically (temp file + rename) one after another, so a crash never leaves half a file.
import { mkdirSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './errors';
import { l10n } from './l10n';
import type { KeyValueStore } from './ports';

export class JsonFileStore implements KeyValueStore {
  private data: Record<string, unknown>;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {
    this.data = load(file);
  }

  get<T>(key: string): T | undefined {
    const v = this.data[key];
    return v === undefined ? undefined : (structuredClone(v) as T);
  }

  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) delete this.data[key];
    else this.data[key] = structuredClone(value);
    const text = JSON.stringify(this.data, null, 2) + '\n';
    const write = async () => {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, text, { mode: 0o600 });
      await fs.rename(tmp, this.file);
    };
    this.writing = this.writing.then(write, write);
    return this.writing;
  }
}

function load(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError('io', l10n.t('Cannot read {file}: {reason}. Check its permissions.', { file, reason: (e as Error).message }), file, { cause: e });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new ConfigError('malformedJson', l10n.t('{file} is not a JSON object. Fix it or delete it to start afresh.', { file }), file);
}
