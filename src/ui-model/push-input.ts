// Parsing and wording for "Push Data" that needs no `vscode`: number ranges, the input
// kind a file name suggests, selections, and the rate shown while pushing.
import type { PushSource } from '../core/service-api';

export type FileKind = 'lines' | 'jsonArray' | 'jsonLines' | 'csv';

/** `1..10000`, `0..100..5` (step), spaces allowed; undefined when it is not a range. */
export function parseRange(text: string): { from: number; to: number; step: number } | undefined {
  const m = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(text);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = Number(m[2]);
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || step < 1 || to < from) return undefined;
  return { from, to, step };
}

export function rangeCount(r: { from: number; to: number; step: number }): number {
  return Math.floor((r.to - r.from) / r.step) + 1;
}

export function guessFileKind(file: string): FileKind {
  const f = file.toLowerCase();
  if (f.endsWith('.jsonl') || f.endsWith('.ndjson')) return 'jsonLines';
  if (f.endsWith('.json')) return 'jsonArray';
  if (f.endsWith('.csv')) return 'csv';
  return 'lines';
}

export function fileSource(kind: FileKind, file: string, skipHeader = false): PushSource {
  return kind === 'csv' ? { kind, file, skipHeader } : { kind, file };
}

/** One item per line of a selection; a trailing newline does not make an empty item. */
export function selectionItems(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Items per second over the elapsed time, 0 before anything is measurable. */
export function itemsPerSecond(items: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((items * 1000) / elapsedMs) : 0;
}

/** File names that hold data by their extension; anything else (a Dockerfile, a script, a
 *  README) is not pushed without saying how many items would go. */
const DATA_EXTENSIONS = /\.(txt|csv|tsv|json|jsonl|ndjson|dat|data|lst|list|in|input)$/i;

export function looksLikeData(file: string): boolean {
  const base = file.split(/[\\/]/).pop() ?? '';
  if (/^Dockerfile(\..+)?$/i.test(base) || /\.dockerfile$/i.test(base)) return false;
  return DATA_EXTENSIONS.test(base);
}

export type SourceChoice = 'selection' | 'current' | 'file' | 'range';

/**
 * The choices of "What to push?", the first being the default Enter takes. The current file
 * comes first only when it looks like data; a Dockerfile is never offered (its lines are
 * not items); an untitled buffer counts as data (someone typed or pasted items into it).
 */
export function sourceChoices(editor: { fileName: string; untitled: boolean; hasSelection: boolean } | undefined): SourceChoice[] {
  if (!editor) return ['file', 'range'];
  const dockerfile = !editor.untitled && !looksLikeData(editor.fileName) && /(^|[\\/])(Dockerfile(\..+)?|[^\\/]*\.dockerfile)$/i.test(editor.fileName);
  const data = editor.untitled || looksLikeData(editor.fileName);
  const out: SourceChoice[] = [];
  if (editor.hasSelection) out.push('selection');
  if (data) out.push('current');
  out.push('file', 'range');
  if (!data && !dockerfile) out.push('current');
  return out;
}
