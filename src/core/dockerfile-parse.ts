// A small Dockerfile reader: instructions with their line ranges and build stage. Shared by
// the build-error mapper (step N -> Dockerfile line) and the Dockerfile rules. It follows
// Docker's own rules that matter for line numbers: comments and blank lines inside a
// continuation are skipped, the `escape` parser directive changes the continuation char,
// and heredocs (`<<EOF`) run to their terminator.

/** `Dockerfile`, `Dockerfile.gpu`, `worker.dockerfile` (any directory). */
export function isDockerfileName(file: string): boolean {
  const base = file.split(/[\\/]/).pop() ?? '';
  return /^Dockerfile(\..+)?$/i.test(base) || /\.dockerfile$/i.test(base);
}

export interface DockerfileInstruction {
  /** upper-case keyword: FROM, RUN, COPY ... */
  keyword: string;
  /** text after the keyword, continuations joined with a space */
  args: string;
  /** 0-based line of the keyword */
  line: number;
  /** 0-based last line (continuations, heredoc) */
  endLine: number;
  /** column where the keyword starts / where args start on `line` */
  column: number;
  argsColumn: number;
  /** index of the build stage (FROM) it belongs to; -1 for ARGs before the first FROM */
  stage: number;
}

export interface DockerfileStage {
  index: number;
  /** `AS name`, lower-cased as Docker does */
  name?: string;
  /** the image or stage it starts from */
  from: string;
  line: number;
  instructions: DockerfileInstruction[];
}

export interface ParsedDockerfile {
  instructions: DockerfileInstruction[];
  stages: DockerfileStage[];
  lines: string[];
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.split(/\r?\n/);
  const escape = escapeChar(lines);
  const instructions: DockerfileInstruction[] = [];
  const stages: DockerfileStage[] = [];
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const m = /^(\s*)([A-Za-z]+)(\s+|$)/.exec(raw);
    if (!m) {
      i++;
      continue;
    }
    const start = i;
    const column = m[1].length;
    const argsColumn = m[0].length;
    const parts = [raw.slice(argsColumn)];
    // continuation lines
    while (endsWithEscape(parts[parts.length - 1], escape) && i + 1 < lines.length) {
      parts[parts.length - 1] = parts[parts.length - 1].replace(/\s*.\s*$/, '');
      i++;
      while (i < lines.length && (!lines[i].trim() || lines[i].trim().startsWith('#')) && i + 1 < lines.length) i++;
      parts.push(lines[i].trim());
    }
    // heredocs: RUN <<EOF ... EOF
    const heredocs = [...parts.join(' ').matchAll(/<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/g)].map((h) => h[1]);
    for (const terminator of heredocs) {
      i++;
      while (i < lines.length && lines[i].trim() !== terminator) i++;
    }
    const keyword = m[2].toUpperCase();
    const args = parts.join(' ').trim();
    if (keyword === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asIdx = words.findIndex((w) => w.toLowerCase() === 'as');
      stages.push({
        index: stages.length,
        from: words[0] ?? '',
        name: asIdx >= 0 ? words[asIdx + 1]?.toLowerCase() : undefined,
        line: start,
        instructions: [],
      });
    }
    const ins: DockerfileInstruction = {
      keyword,
      args,
      line: start,
      endLine: Math.min(i, lines.length - 1),
      column,
      argsColumn,
      stage: stages.length - 1,
    };
    instructions.push(ins);
    if (stages.length) stages[stages.length - 1].instructions.push(ins);
    i++;
  }
  return { instructions, stages, lines };
}

function escapeChar(lines: string[]): string {
  for (const line of lines) {
    const d = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(line);
    if (!d) break; // directives only at the very top
    if (d[1].toLowerCase() === 'escape' && (d[2] === '`' || d[2] === '\\')) return d[2];
  }
  return '\\';
}

function endsWithEscape(line: string, escape: string): boolean {
  return line.trimEnd().endsWith(escape);
}
