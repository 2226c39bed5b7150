// Throughput and time left of one task, from the queue lengths its polls saw. Pure and
// small: the status bar, the task dashboard's rate chart and the benches all call it.
//
//   rateOf(samples, now)  -> items/s over what the last polls saw, or undefined
//   etaOf(remaining, rate) -> seconds left, or undefined
//   formatEta(seconds)    -> "51s", "2m 5s", "1h 2m" in the display language
//
// A rate averaged since the task started counts the idle time before the first result
// and keeps falling after the last one; what users read as "speed" is what the consumers
// do now. So the rate is taken over a recent window, is left out when the samples cannot
// tell (too few, too old, a stall), and stops moving once the job is done.
import { l10n } from './l10n';

/** One poll of a task's queues. `pushed` (items the extension pushed so far) is optional. */
export interface RateSample {
  /** ms since epoch */
  at: number;
  input: number;
  output: number;
  pushed?: number;
}

export interface Rate {
  /** items per second */
  perSecond: number;
  /** the span the figure was measured over, ms */
  windowMs: number;
  /** the job is done: this is its final rate, and it no longer changes */
  final: boolean;
}

export interface RateOptions {
  /** how far back "recent" reaches (default 20 s) */
  windowMs?: number;
  /** fewest poll intervals a rate is measured over (default 1) */
  minIntervals?: number;
  /** a last sample older than this says nothing about now (default 30 s) */
  staleMs?: number;
}

const DEFAULTS: Required<RateOptions> = { windowMs: 20_000, minIntervals: 1, staleMs: 30_000 };

/**
 * Items per second of output growth over the recent window ending at the last sample, or
 * undefined when that would not be true:
 * - fewer than `minIntervals` intervals in the window: the run of polls, back from the last,
 *   in which the output grew every time (a poll with no new result, or fewer results,
 *   ends it), at most `windowMs` long, without its first interval when that one began idle
 *   (containers started somewhere inside it, so its length says nothing). One whole
 *   interval is enough: the rate shows from the second poll that saw results;
 * - the last sample is older than `staleMs` at `now` (the consumers may have stopped since);
 * - a stall: the last poll saw no new result while input waits.
 * Once the input is empty and the output stopped growing, the job is done: its rate is its
 * items over the time from its first to its last result, marked `final`, whatever `now` is
 * (see finalRate). Samples may come in any order; an output that shrank (results read away,
 * queue deleted) starts the measurement over after the drop.
 */
export function rateOf(samples: readonly RateSample[], now: number, options: RateOptions = {}): Rate | undefined {
  const o = { ...DEFAULTS, ...options };
  // Two polls with one timestamp are one observation: keep the later.
  const s = [...samples].sort((a, b) => a.at - b.at).filter((x, i, all) => i === all.length - 1 || all[i + 1].at !== x.at);
  if (s.length < 2) return undefined;
  const last = s[s.length - 1];

  // The last sample whose output grew over the one before it.
  let lastGrowth = -1;
  for (let i = s.length - 1; i > 0; i--) {
    if (s[i].output > s[i - 1].output) {
      lastGrowth = i;
      break;
    }
  }
  const quietAfter = lastGrowth < 0 ? s.length - 1 : s.length - 1 - lastGrowth;
  // All pushed items came back, or the input is empty and the output stopped growing.
  const allBack = last.pushed !== undefined && last.pushed > 0 && last.output >= last.pushed;
  const done = lastGrowth > 0 && last.input === 0 && (quietAfter >= 1 || allBack);
  if (done) {
    const r = finalRate(s, lastGrowth);
    return r && { ...r, final: true };
  }
  if (now - last.at > o.staleMs) return undefined;
  if (quietAfter >= 1) return undefined;
  return windowRate(s, s.length - 1, o);
}

/** The rate over the window ending at s[end], or undefined when it spans too few intervals. */
function windowRate(s: readonly RateSample[], end: number, o: Required<RateOptions>): Rate | undefined {
  let start = end;
  while (start > 0 && s[end].at - s[start - 1].at <= o.windowMs && s[start - 1].output < s[start].output) start--;
  // The first interval after idle polls (or the task's first poll) holds the containers'
  // start: part of it was idle, by an unknown amount.
  const beganIdle = start === 0 ? s[0].output === 0 : s[start - 1].output === s[start].output;
  if (beganIdle && start < end) start++;
  if (end - start < o.minIntervals) return undefined;
  const ms = s[end].at - s[start].at;
  if (ms <= 0) return undefined;
  return { perSecond: ((s[end].output - s[start].output) * 1000) / ms, windowMs: ms, final: false };
}

/**
 * A finished job's rate: its items over the time from its first to its last result. Polls see
 * neither moment: the first result fell inside the interval that began idle, the last inside
 * the interval that ended the growth. Whole intervals between them are all work (stalls
 * included), so the rate over them is the job's, whatever the poll interval. A job that fitted
 * in two intervals or fewer has no such span: undefined (any figure would be a guess, and
 * the old window's was up to half the truth).
 */
function finalRate(s: readonly RateSample[], lastGrowth: number): Omit<Rate, 'final'> | undefined {
  // (`windowMs` here is the span measured: the job's whole time between those polls.)
  // Back to the sample after the last drop (the job's measurement starts over there).
  let from = lastGrowth;
  while (from > 0 && s[from - 1].output <= s[from].output) from--;
  // The first interval with results, and whether it began idle (its length says nothing).
  let first = from + 1;
  while (first < lastGrowth && s[first].output === s[first - 1].output) first++;
  // (After a drop nobody knows: count it idle.)
  const beganIdle = first - 1 > from || from > 0 || s[from].output === 0;
  const start = beganIdle ? first : first - 1;
  // The last growth interval ended idle (the job finished inside it): leave it out.
  const end = lastGrowth - 1;
  if (end - start < 1) return undefined;
  const ms = s[end].at - s[start].at;
  if (ms <= 0) return undefined;
  return { perSecond: ((s[end].output - s[start].output) * 1000) / ms, windowMs: ms };
}

/** Seconds until `remaining` items are done at `rate`; 0 when nothing remains; undefined
 *  when the rate is unknown or zero (no guess). */
export function etaOf(remaining: number, rate: Rate | undefined): number | undefined {
  if (remaining <= 0) return 0;
  if (!rate || rate.final || !(rate.perSecond > 0)) return undefined;
  return remaining / rate.perSecond;
}

/** 3 -> "3s", 125 -> "2m 5s", 7322 -> "2h 2m", with the units of the display language. */
export function formatEta(seconds: number): string {
  const sec = Math.max(0, Math.round(seconds));
  if (sec < 60) return l10n.t('{0}s', sec);
  const m = Math.floor(sec / 60);
  if (m < 60) return sec % 60 ? l10n.t('{0}m {1}s', m, sec % 60) : l10n.t('{0}m', m);
  const h = Math.floor(m / 60);
  return m % 60 ? l10n.t('{0}h {1}m', h, m % 60) : l10n.t('{0}h', h);
}
