// The shape the Dockerfile diagnostics show: one finding per rule hit, with its quick fixes
// as plain text edits. Positions are 0-based, as in the editor. No `vscode` here.

export interface TextEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** offered as the preferred fix */
  preferred?: boolean;
}

export interface Finding {
  /** stable rule id, shown as the diagnostic's code */
  rule: string;
  /** localized: what is wrong and what to do */
  message: string;
  severity: 'error' | 'warning' | 'info';
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fixes: QuickFix[];
}

/** `file`: the Dockerfile's path on disk, when it has one (its folder is the build context). */
export type DockerfileAnalyzer = (text: string, file?: string) => Finding[] | Promise<Finding[]>;

/** Applies edits to a text (bottom-up so earlier positions stay valid); for tests and previews. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offsets: number[] = [];
  let pos = 0;
  for (const l of lines) {
    offsets.push(pos);
    pos += l.length + 1;
  }
  const at = (line: number, column: number) => (line >= lines.length ? text.length : offsets[line] + Math.min(column, lines[line].length));
  let out = text;
  for (const e of [...edits].sort((a, b) => at(b.line, b.column) - at(a.line, a.column))) {
    out = out.slice(0, at(e.line, e.column)) + e.newText + out.slice(at(e.endLine, e.endColumn));
  }
  return out;
}
