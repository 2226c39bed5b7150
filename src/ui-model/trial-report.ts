// The report of Try Task Locally as markdown (shown read-only) and as a one-line summary for
// the notification. No `vscode`. Values from the container are shown as text in fenced blocks,
// never as markdown.
import { l10n } from '../core/l10n';
import { formatCount } from '../core/numbers';
import { formatDuration } from '../core/trial/estimate';
import type { TrialReport } from '../core/trial/types';

const SHOWN_RESULTS = 20;

/** A fence longer than any run of backticks in the text, so nothing inside can close it. */
function fenced(lines: readonly string[]): string {
  const text = lines.join('\n');
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function ms(n: number | undefined): string {
  if (n === undefined) return '–';
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`;
}

export function stopText(r: TrialReport): string {
  switch (r.stop) {
    case 'consumed':
      return l10n.t('The sample was consumed; the trial stopped the container.');
    case 'exited':
      return l10n.t('The container exited by itself with code {code}.', { code: r.exitCode ?? '?' });
    case 'timeout':
      return l10n.t('The timeout ran out: the trial stopped the container.');
    case 'cancelled':
      return l10n.t('Cancelled.');
    case 'startFailed':
      return l10n.t('The container could not start.');
  }
}

export function rateText(r: TrialReport): string | undefined {
  if (r.itemsPerSecond === undefined) return undefined;
  const rate = r.itemsPerSecond.toFixed(r.itemsPerSecond < 10 ? 2 : 0);
  const b = r.rateBasis;
  if (b?.kind === 'steady' && b.repeatedTo) {
    return l10n.t('{rate} items/s from one container: its steady rate, {results} results in {duration} between its first and last result, timed on the sample repeated to {n} items after it was consumed (the sample alone went by too fast to time)', {
      rate,
      results: formatCount(b.results),
      duration: formatDuration(b.ms / 1000),
      n: formatCount(b.repeatedTo),
    });
  }
  if (b?.kind === 'steady') {
    return l10n.t('{rate} items/s from one container: its steady rate, {results} results in {duration} between its first and last result (the container\'s start-up left out)', { rate, results: formatCount(b.results), duration: formatDuration(b.ms / 1000) });
  }
  return l10n.t('{rate} items/s from one container (counted from its start, so a small sample includes the start-up)', { rate });
}

export function estimateText(r: TrialReport, cluster: string | undefined): string | undefined {
  const e = r.estimate;
  if (!e) return undefined;
  const text = cluster
    ? l10n.t('{items} items on {cluster} ({parallelism} containers at once): about {duration}', { items: e.items.toLocaleString('en-US'), cluster, parallelism: e.parallelism, duration: formatDuration(e.seconds) })
    : l10n.t('{items} items on one container: about {duration} (no cluster\'s parallelism is known)', { items: e.items.toLocaleString('en-US'), duration: formatDuration(e.seconds) });
  // On what it rests, in a word: the Rate row says how it was timed.
  const basis = r.rateBasis?.kind === 'steady' ? l10n.t('from the consumer\'s steady rate') : l10n.t('from the rate since the container\'s start, so on the long side');
  return l10n.t('{0}; {1}', text, basis);
}

/** One line for the notification: the outcome and the first finding. */
export function trialSummary(r: TrialReport): string {
  const errors = r.findings.filter((f) => f.severity === 'error');
  const head = l10n.t('Trial of {image}: {consumed}/{total} items taken, {results} results.', { image: r.image, consumed: r.consumed, total: r.sampleSize, results: r.resultsTotal });
  if (errors.length) return `${head} ${errors[0].message}`;
  if (r.findings.length) return `${head} ${l10n.t('{n} warnings: see the report.', { n: r.findings.length })}`;
  const rate = r.itemsPerSecond === undefined ? '' : ` ${l10n.t('{rate} items/s.', { rate: r.itemsPerSecond.toFixed(r.itemsPerSecond < 10 ? 2 : 0) })}`;
  return `${head}${rate}`;
}

export function trialMarkdown(r: TrialReport, cluster: string | undefined): string {
  const out: string[] = [];
  out.push(`# ${l10n.t('Trial of {image}', { image: r.image })}`, '');
  // What to fix comes first; the figures follow.
  out.push(`## ${l10n.t('Findings')}`, '');
  if (!r.findings.length) out.push(l10n.t('None: the consumer took the sample and wrote results, as a node would run it.'));
  for (const f of r.findings) {
    // Words, not emoji: the preview's fonts may have no glyph for them.
    const mark = f.severity === 'error' ? l10n.t('Error') : l10n.t('Warning');
    out.push(`- **${mark}**: ${f.message}${f.rule ? ` *(${f.rule})*` : ''}`);
  }
  out.push('', `## ${l10n.t('The run')}`, '');
  const row = (k: string, v: string | undefined) => v !== undefined && out.push(`- **${k}**: ${v}`);
  row(l10n.t('Outcome'), stopText(r));
  row(l10n.t('Exit code'), r.exitCode === undefined ? l10n.t('none (stopped by the trial)') : String(r.exitCode));
  row(l10n.t('Items'), l10n.t('{consumed} of {total} taken, {results} results', { consumed: r.consumed, total: r.sampleSize, results: r.resultsTotal }));
  row(l10n.t('Rate'), rateText(r));
  row(l10n.t('Estimate'), estimateText(r, cluster));
  row(l10n.t('Network'), r.network.why);
  row(
    l10n.t('Redis'),
    r.redisKind === 'cluster'
      ? l10n.t('{url} (the cluster\'s), scratch queues {input} and {output}', { url: r.redis, input: r.inputQueue, output: r.outputQueue })
      : l10n.t('a throwaway redis-server, {url}', { url: r.redis }),
  );
  row(l10n.t('Image'), r.imageReused ? l10n.t('{image} (unchanged: reused)', { image: r.image }) : r.image);
  row(
    l10n.t('Timings'),
    l10n.t('build {build}, push {push}, container start {start}, first result {first} after the start, {total} in all', {
      build: ms(r.timings.buildMs),
      push: ms(r.timings.pushMs),
      start: ms(r.timings.startMs),
      first: ms(r.timings.firstResultMs),
      total: ms(r.timings.totalMs),
    }),
  );
  out.push('', `## ${l10n.t('Results')}`, '');
  if (!r.results.length) out.push(l10n.t('No results.'));
  else {
    if (r.resultsTotal > SHOWN_RESULTS) out.push(l10n.t('The first {n} of {total} (Open Results shows them all):', { n: SHOWN_RESULTS, total: r.resultsTotal }), '');
    out.push(fenced(r.results.slice(0, SHOWN_RESULTS)));
  }
  if (r.logTail.length) out.push('', `## ${l10n.t('Last lines of the container')}`, '', fenced(r.logTail));
  out.push('', l10n.t('Removed after the trial: {what}. Nothing else was deleted.', { what: r.cleanedUp.join(', ') || '–' }));
  return out.join('\n') + '\n';
}
