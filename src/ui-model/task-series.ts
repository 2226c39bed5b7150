// The samples a task dashboard charts, and the chart series made from them. Pure (no
// `vscode`, no DOM): the extension keeps one TaskSeries per task, fed by the cluster's
// snapshots, and the webview script imports chartSeries to draw them. Numbers are only what
// was measured: a gap where polling paused, no rate where the output shrank.

export interface TaskSample {
  /** ms since epoch, when the poll measured it */
  at: number;
  /** Input queue length; undefined when this poll did not measure it. */
  input?: number;
  /** Output queue length. */
  output?: number;
  /** Length of the input's failed list (README, "Reliable consumers"), when measured. */
  failed?: number;
}

/** Samples as kept in the webview state: one array per field, so a one-hour history stays small. */
export interface SavedSeries {
  at: number[];
  input: Array<number | null>;
  output: Array<number | null>;
  /** absent in states saved before failed lists were measured */
  failed?: Array<number | null>;
}

/** Longest history kept (the chart's widest range). */
export const HISTORY_MS = 60 * 60 * 1000;
/** Whatever the interval, never more samples than this (one per second for an hour). */
export const MAX_SAMPLES = 3600;

export class TaskSeries {
  private readonly list: TaskSample[] = [];

  constructor(private readonly historyMs = HISTORY_MS, private readonly maxSamples = MAX_SAMPLES) {}

  get samples(): readonly TaskSample[] {
    return this.list;
  }

  get last(): TaskSample | undefined {
    return this.list[this.list.length - 1];
  }

  /** Adds a sample in time order; a repeat of a snapshot already seen (same `at`) or an
   *  older one is ignored. Returns whether it was added. */
  add(s: TaskSample): boolean {
    if (!Number.isFinite(s.at)) return false;
    const last = this.last;
    if (last && s.at <= last.at) return false;
    if (s.input === undefined && s.output === undefined) return false;
    this.list.push({ at: s.at, ...(valid(s.input) ? { input: s.input } : {}), ...(valid(s.output) ? { output: s.output } : {}), ...(valid(s.failed) ? { failed: s.failed } : {}) });
    this.trim(s.at);
    return true;
  }

  /** Samples from a saved state (a reload), merged before the ones seen since. */
  merge(saved: readonly TaskSample[]): void {
    const byAt = new Map<number, TaskSample>();
    for (const s of [...saved, ...this.list]) if (Number.isFinite(s.at)) byAt.set(s.at, s);
    const merged = [...byAt.values()].sort((a, b) => a.at - b.at);
    this.list.splice(0, this.list.length, ...merged);
    if (this.last) this.trim(this.last.at);
  }

  private trim(now: number): void {
    let drop = 0;
    while (drop < this.list.length && this.list[drop].at < now - this.historyMs) drop++;
    drop = Math.max(drop, this.list.length - this.maxSamples);
    if (drop > 0) this.list.splice(0, drop);
  }
}

function valid(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

export function saveSeries(samples: readonly TaskSample[]): SavedSeries {
  return {
    at: samples.map((s) => s.at),
    input: samples.map((s) => s.input ?? null),
    output: samples.map((s) => s.output ?? null),
    ...(samples.some((s) => s.failed !== undefined) ? { failed: samples.map((s) => s.failed ?? null) } : {}),
  };
}

/** Samples from a webview state, whatever it holds (an older version, foreign data): bad entries are dropped. */
export function loadSeries(saved: unknown): TaskSample[] {
  if (!saved || typeof saved !== 'object') return [];
  const { at, input, output, failed } = saved as Partial<Record<keyof SavedSeries, unknown>>;
  if (!Array.isArray(at)) return [];
  const field = (a: unknown, i: number) => (Array.isArray(a) && valid(a[i] as number) ? (a[i] as number) : undefined);
  const out: TaskSample[] = [];
  for (let i = 0; i < at.length; i++) {
    const t = at[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) continue;
    const s: TaskSample = { at: t };
    const inp = field(input, i);
    const outp = field(output, i);
    if (inp !== undefined) s.input = inp;
    if (outp !== undefined) s.output = outp;
    const f = field(failed, i);
    if (f !== undefined) s.failed = f;
    if (s.input !== undefined || s.output !== undefined) out.push(s);
  }
  return out.sort((a, b) => a.at - b.at);
}

/** uPlot's data layout: x in seconds, one array per line, null where a line breaks. */
export interface ChartSeries {
  x: number[];
  /** Items per second between a sample and the one before it. */
  rate: Array<number | null>;
  input: Array<number | null>;
  output: Array<number | null>;
  /** The failed list's length over time (null where not measured). */
  failed: Array<number | null>;
}

export interface ChartOptions {
  /** Right edge of the chart (ms since epoch); the range ends there. */
  now: number;
  /** Width of the chart's range (ms). */
  rangeMs: number;
  /** Two samples further apart than this were not polled in between (window unfocused,
   *  panel hidden, hub down): the lines break there instead of drawing a guess. */
  gapMs: number;
}

/** The gap that breaks lines: three poll intervals, and never under 15 s (a slow poll is not a pause). */
export function gapFor(pollIntervalMs: number): number {
  return Math.max(15_000, 3 * pollIntervalMs);
}

/**
 * The chart series of the samples inside [now - rangeMs, now]. The rate of an interval is
 * the output's growth over its duration; it is left out (null) when the output shrank (the
 * results were read away or the queue cleared: that says nothing about the consumers) and
 * after a gap. An input that grows (a refill) changes nothing in the rate.
 */
export function chartSeries(samples: readonly TaskSample[], o: ChartOptions): ChartSeries {
  const from = o.now - o.rangeMs;
  const out: ChartSeries = { x: [], rate: [], input: [], output: [], failed: [] };
  const first = lowerBound(samples, from);
  // The sample just before the range gives the first visible point its rate.
  let prev: TaskSample | undefined = first > 0 ? samples[first - 1] : undefined;
  for (let i = first; i < samples.length; i++) {
    const s = samples[i];
    if (s.at > o.now) break;
    const gap = prev !== undefined && s.at - prev.at > o.gapMs;
    if (gap && out.x.length) {
      // A point with nothing on it, between the two: uPlot breaks every line there.
      out.x.push((prev!.at + s.at) / 2000);
      out.rate.push(null);
      out.input.push(null);
      out.output.push(null);
      out.failed.push(null);
    }
    out.x.push(s.at / 1000);
    out.input.push(s.input ?? null);
    out.output.push(s.output ?? null);
    out.failed.push(s.failed ?? null);
    out.rate.push(prev && !gap ? intervalRate(prev, s) : null);
    prev = s;
  }
  return out;
}

function intervalRate(a: TaskSample, b: TaskSample): number | null {
  const dt = b.at - a.at;
  if (dt <= 0 || a.output === undefined || b.output === undefined) return null;
  const grew = b.output - a.output;
  if (grew < 0) return null;
  return (grew * 1000) / dt;
}

/** First index whose sample is at or after `t` (samples are sorted by time). */
function lowerBound(samples: readonly TaskSample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid].at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
