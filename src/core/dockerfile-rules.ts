// Checks for task Dockerfiles, from the seed's rules: GridNode runs the image as is (so it
// needs an ENTRYPOINT), on other machines (so binaries must be built inside the image),
// and hands the container its Redis as INPUT_REDIS_URL (so nothing about Redis belongs in
// the image). Pure: text in, problems with ranges and quick-fix edits out; the editor's
// DiagnosticsProvider turns them into diagnostics and code actions.
import { l10n } from './l10n';
import { parseDockerfile, type DockerfileInstruction, type DockerfileStage, type ParsedDockerfile } from './dockerfile-parse';

export type DockerfileRuleId = 'cmdWithoutEntrypoint' | 'hostBinary' | 'hardcodedRedis' | 'redisCliEmptyUser';

/** 0-based, end exclusive (like vscode.Range). */
export interface TextRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export interface TextEdit {
  range: TextRange;
  newText: string;
}

export interface DockerfileFix {
  title: string;
  edits: TextEdit[];
  /** the fix the editor may offer as preferred */
  preferred?: boolean;
}

export interface DockerfileProblem {
  rule: DockerfileRuleId;
  severity: 'error' | 'warning' | 'information';
  message: string;
  range: TextRange;
  fixes: DockerfileFix[];
}

export interface AnalyzeOptions {
  /** Optional: tells whether a file of the build context is a compiled executable (ELF/Mach-O/PE).
   *  Without it the host-binary rule relies on the path alone. */
  isCompiledBinary?(contextPath: string): boolean | undefined;
  /** Files beside the Dockerfile (name relative to it, text), for the rules about the consumer. */
  siblings?: ReadonlyArray<{ file: string; text: string }>;
}

/** Diagnostic source name the editor shows. */
export const DOCKERFILE_DIAGNOSTIC_SOURCE = 'GridCore';

export function analyzeDockerfile(text: string, opts: AnalyzeOptions = {}): DockerfileProblem[] {
  const parsed = parseDockerfile(text);
  if (!parsed.stages.length) return [];
  return [...entrypointRule(parsed), ...hostBinaryRule(parsed, opts), ...redisRule(parsed), ...redisCliUserRule(parsed, opts.siblings ?? [])].sort(
    (a, b) => a.range.startLine - b.range.startLine || a.range.startCharacter - b.range.startCharacter,
  );
}

function lineRange(parsed: ParsedDockerfile, ins: DockerfileInstruction): TextRange {
  return { startLine: ins.line, startCharacter: ins.column, endLine: ins.endLine, endCharacter: parsed.lines[ins.endLine]?.length ?? 0 };
}

function keywordRange(ins: DockerfileInstruction): TextRange {
  return { startLine: ins.line, startCharacter: ins.column, endLine: ins.line, endCharacter: ins.column + ins.keyword.length };
}

/** The final stage and the stages it is built FROM, nearest first. */
function finalChain(parsed: ParsedDockerfile): DockerfileStage[] {
  const chain: DockerfileStage[] = [];
  let stage: DockerfileStage | undefined = parsed.stages[parsed.stages.length - 1];
  while (stage && !chain.includes(stage)) {
    chain.push(stage);
    const from = stage.from.toLowerCase();
    stage = parsed.stages.find((s) => s.index < stage!.index && (s.name === from || String(s.index) === from));
  }
  return chain;
}

// (a) GridNode starts the container without a command: an image that only has CMD works
// until someone passes arguments, and the seed's rule is ENTRYPOINT.
function entrypointRule(parsed: ParsedDockerfile): DockerfileProblem[] {
  const chain = finalChain(parsed);
  const all = chain.flatMap((s) => s.instructions);
  if (all.some((i) => i.keyword === 'ENTRYPOINT')) return [];
  const cmds = chain[0].instructions.filter((i) => i.keyword === 'CMD');
  const cmd = cmds[cmds.length - 1];
  if (!cmd) return [];
  return [
    {
      rule: 'cmdWithoutEntrypoint',
      severity: 'warning',
      message: l10n.t('The image has CMD but no ENTRYPOINT. GridNode runs task images with no command, and the task rules ask for ENTRYPOINT: use ENTRYPOINT so the consumer always starts.'),
      range: lineRange(parsed, cmd),
      fixes: [{ title: l10n.t('Change CMD to ENTRYPOINT'), edits: [{ range: keywordRange(cmd), newText: 'ENTRYPOINT' }], preferred: true }],
    },
  ];
}

const BIN_DIRS = /^\/(usr\/(local\/)?)?s?bin(\/|$)/;
const RUST_OUT = /(^|\/)target\/([\w.-]+\/)?(release|debug)\/[^/]+$/;
const BUILD_CMD = /\b(cargo\s+(build|install)|go\s+(build|install)|rustc|gcc|g\+\+|clang|cmake|make\b|mvn|gradle|dotnet\s+publish|swift\s+build|zig\s+build|ghc|javac)/;
const SCRIPT_EXT = /\.(sh|bash|py|rb|pl|js|mjs|cjs|ts|php|lua|r|jar|txt|json|toml|ya?ml|conf|cfg|ini|env|md|html|css)$/i;

interface CopyParts {
  from?: string;
  sources: string[];
  dest: string;
}

function copyParts(ins: DockerfileInstruction): CopyParts | undefined {
  let args = ins.args.trim();
  let from: string | undefined;
  while (args.startsWith('--')) {
    const m = /^--([\w-]+)(=(\S+))?\s*/.exec(args);
    if (!m) break;
    if (m[1] === 'from') from = m[3];
    args = args.slice(m[0].length);
  }
  let words: string[];
  if (args.startsWith('[')) {
    try {
      words = JSON.parse(args) as string[];
    } catch {
      return undefined;
    }
  } else {
    words = args.split(/\s+/).filter(Boolean);
  }
  if (words.length < 2) return undefined;
  return { from, sources: words.slice(0, -1), dest: words[words.length - 1] };
}

// (b) A binary compiled on the developer's machine and copied in works there and fails with
// "exec format error" (or missing libraries) on nodes of another architecture or distro.
function hostBinaryRule(parsed: ParsedDockerfile, opts: AnalyzeOptions): DockerfileProblem[] {
  const final = parsed.stages[parsed.stages.length - 1];
  const buildsInFinal = finalChain(parsed).some((s) => s.instructions.some((i) => i.keyword === 'RUN' && BUILD_CMD.test(i.args)));
  if (buildsInFinal) return [];
  const out: DockerfileProblem[] = [];
  for (const ins of final.instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const parts = copyParts(ins);
    if (!parts || parts.from) continue;
    for (const src of parts.sources) {
      const clean = src.replace(/^\.\//, '');
      if (/^https?:\/\//.test(clean) || /[*?]/.test(clean)) continue;
      const verdict = opts.isCompiledBinary?.(clean);
      const base = clean.split('/').pop() ?? '';
      const looksBuilt =
        verdict ??
        (RUST_OUT.test(clean) ||
          ((BIN_DIRS.test(parts.dest) || /(^|\/)(bin|build|dist|out)\//.test(clean)) && !!base && !base.includes('.') && !clean.endsWith('/') && clean !== '.'));
      if (!looksBuilt || SCRIPT_EXT.test(base)) continue;
      out.push({
        rule: 'hostBinary',
        severity: 'warning',
        message: l10n.t('{file} looks like a program compiled on this machine. Copied into the image it fails with "exec format error" (or missing libraries) on nodes of another architecture or system: build it in a builder stage and COPY --from that stage.', { file: src }),
        range: lineRange(parsed, ins),
        fixes: rustBuilderFix(parsed, ins, clean, parts.dest),
      });
      break;
    }
  }
  return out;
}

/** For Cargo output: add a rust builder stage and copy the binary from it. */
function rustBuilderFix(parsed: ParsedDockerfile, ins: DockerfileInstruction, src: string, dest: string): DockerfileFix[] {
  const m = /(^|\/)target\/([\w.-]+\/)?(release|debug)\/([^/]+)$/.exec(src);
  if (!m) return [];
  const final = parsed.stages[parsed.stages.length - 1];
  const profile = m[3] === 'release' ? ' --release' : '';
  const builder = `FROM rust:1 AS builder\nWORKDIR /src\nCOPY . .\nRUN cargo build${profile}\n\n`;
  return [
    {
      title: l10n.t('Build it in a Rust builder stage'),
      edits: [
        { range: { startLine: final.line, startCharacter: 0, endLine: final.line, endCharacter: 0 }, newText: builder },
        { range: lineRange(parsed, ins), newText: `COPY --from=builder /src/target/${m[3]}/${m[4]} ${dest}` },
      ],
    },
  ];
}

const REDIS_KEY = /^(REDIS_?(HOST|HOSTNAME|ADDR|ADDRESS|SERVER|PASSWORD|PASS|PWD|AUTH|URL|URI)|(INPUT|OUTPUT)_REDIS_URL)$/i;
const URL_WITH_PASSWORD = /rediss?:\/\/[^\s"'@/]*:[^\s"'@/]+@[^\s"']+/;
const REDIS_URL = /rediss?:\/\/[^\s"']+/;
/** shell and exec form: `--requirepass pw`, `"--requirepass", "pw"`, `redis-cli ... -a pw` */
const PASSWORD_FLAG = /(?:--requirepass|--masterauth|\bredis-cli\b[^|;&]*?[\s"]-a)["',\s]+([^"',\s]+)/;

function envPairs(args: string): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  if (/^\S+\s/.test(args) && !/^[^\s=]+=/.test(args)) {
    const [key, ...rest] = args.split(/\s+/);
    return [{ key, value: rest.join(' ') }];
  }
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(args))) out.push({ key: m[1], value: m[2].replace(/^["']|["']$/g, '') });
  return out;
}

// (c) The node gives each container INPUT_REDIS_URL / OUTPUT_REDIS_URL whole; a Redis
// address or password written into the image is wrong on every other cluster and leaks.
function redisRule(parsed: ParsedDockerfile): DockerfileProblem[] {
  const out: DockerfileProblem[] = [];
  for (const ins of parsed.instructions) {
    if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
      const pairs = envPairs(ins.args);
      const bad = pairs.filter((p) => REDIS_KEY.test(p.key) && p.value && !p.value.startsWith('$'));
      if (!bad.length) continue;
      const onlyRedis = bad.length === pairs.length;
      out.push({
        rule: 'hardcodedRedis',
        severity: bad.some((p) => /PASS|PWD|AUTH/i.test(p.key) || URL_WITH_PASSWORD.test(p.value)) ? 'error' : 'warning',
        message: l10n.t('{name} is written into the image. GridNode gives every container its Redis as INPUT_REDIS_URL (and OUTPUT_REDIS_URL): read that URL whole in the consumer and keep Redis addresses and passwords out of the Dockerfile.', { name: bad.map((p) => p.key).join(', ') }),
        range: lineRange(parsed, ins),
        fixes: onlyRedis
          ? [{ title: l10n.t('Remove this {keyword} (use INPUT_REDIS_URL in the consumer)', { keyword: ins.keyword }), edits: [{ range: { startLine: ins.line, startCharacter: 0, endLine: ins.endLine + 1, endCharacter: 0 }, newText: '' }] }]
          : [],
      });
      continue;
    }
    const flag = PASSWORD_FLAG.exec(ins.args);
    const flagValue = flag?.[1] ?? '';
    const pw = URL_WITH_PASSWORD.test(ins.args) || (!!flag && !flagValue.startsWith('$'));
    const url = !pw && (ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && REDIS_URL.test(ins.args);
    if (!pw && !url) continue;
    out.push({
      rule: 'hardcodedRedis',
      severity: pw ? 'error' : 'warning',
      message: pw
        ? l10n.t('A Redis password is written into the image. Anyone who pulls the image can read it: use the INPUT_REDIS_URL that GridNode gives the container, whole.')
        : l10n.t('A Redis address is written into the image. Use the INPUT_REDIS_URL that GridNode gives the container, whole, so the task runs on any cluster.'),
      range: lineRange(parsed, ins),
      fixes: [],
    });
  }
  return out;
}

const SHELL_SCRIPT = /\.(sh|bash)$/i;
const SHELL_SHEBANG = /^#!\s*\S*\/(env\s+)?(ba|da|a|k|z)?sh\b/;
/** `redis-cli ... -u "$INPUT_REDIS_URL"`: the injected URL as is (quoted or not, braced, with a
 *  `:-` default); `${INPUT_REDIS_URL/...}` and the like are rewrites, not matched. */
const REDIS_CLI_INJECTED_URL = /\bredis-cli\b[^|;&#]*?\s-u\s*["']?\$(?:\{((?:IN|OUT)PUT_REDIS_URL)(?::-[^}]*)?\}|((?:IN|OUT)PUT_REDIS_URL)\b)/;

// (d) Debian 12's redis-cli 7.0 reads `redis://:password@host` as user "" and sends
// `AUTH "" password`, which fails, and still exits 0: a shell consumer that hands it the injected
// URL unchanged pops nothing and reports no error. `default` is the user the URL means.
function redisCliUserRule(parsed: ParsedDockerfile, siblings: ReadonlyArray<{ file: string; text: string }>): DockerfileProblem[] {
  const out: DockerfileProblem[] = [];
  for (const { file, text } of siblings) {
    if (!SHELL_SCRIPT.test(file) && !SHELL_SHEBANG.test(text)) continue;
    const lines = text.split(/\r?\n/);
    // A script that sets the variable itself may have rewritten it: nothing certain to say.
    const assigned = (name: string) => new RegExp(`^\\s*(export\\s+)?${name}=`, 'm').test(text);
    let hit: { line: number; name: string } | undefined;
    lines.forEach((l, i) => {
      // `--user` names the user itself.
      const m = hit || /^\s*#/.test(l) || /\s--user\b/.test(l) ? null : REDIS_CLI_INJECTED_URL.exec(l);
      const name = m && (m[1] ?? m[2]);
      if (name && !assigned(name)) hit = { line: i + 1, name };
    });
    if (!hit) continue;
    // Said on the COPY that puts the script in the image; a script the image does not get is not its consumer.
    const copy = parsed.instructions.find((ins) => (ins.keyword === 'COPY' || ins.keyword === 'ADD') && copies(ins, file));
    if (!copy) continue;
    out.push({
      rule: 'redisCliEmptyUser',
      severity: 'information',
      message: l10n.t(
        '{file} (line {line}) passes ${name} to redis-cli -u as it is. redis-cli 7.0 (Debian 12) reads redis://:password@host as the empty user name, fails to authenticate and still exits 0. Rewrite the URL to redis://default:password@host first, as the shell-square template does: sed -E \'s#^(rediss?://):#\\1default:#\'.',
        { file, line: hit.line, name: hit.name },
      ),
      range: lineRange(parsed, copy),
      fixes: [],
    });
  }
  return out;
}

/** Whether a COPY/ADD from the build context takes `file` (a name beside the Dockerfile). */
function copies(ins: DockerfileInstruction, file: string): boolean {
  const parts = copyParts(ins);
  if (!parts || parts.from) return false;
  return parts.sources.some((src) => {
    const clean = src.replace(/^\.\//, '').replace(/\/$/, '');
    if (clean === '.' || clean === '' || clean === file) return true;
    if (!/[*?]/.test(clean)) return false;
    const glob = clean.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    return new RegExp(`^${glob}$`).test(file);
  });
}
