// A trial's outcome mapped to the skill's rules and troubleshooting table. Pure: the run
// gathers the facts (log lines, counts, how it stopped, the Dockerfile's problems), this file
// says what they mean and what to do. The node's kept logs use `causeOfLogs` too.
import type { DockerfileProblem } from '../dockerfile-rules';
import { l10n } from '../l10n';
import type { FindingId, TrialFinding, TrialStop } from './types';

export interface TrialFacts {
  logs: readonly string[];
  /** why the container could not be created or started */
  startError?: string;
  stop: TrialStop;
  exitCode?: number;
  sampleSize: number;
  consumed: number;
  results: number;
  /** the Redis host is 127.0.0.1/localhost/::1 */
  loopbackRedis: boolean;
  /** the container's network mode (undefined: the engine's default bridge) */
  networkMode?: string;
  timeoutMs: number;
  dockerfileProblems: readonly DockerfileProblem[];
}

const PATTERNS: Array<{ id: Extract<FindingId, 'passwordMismatch' | 'execFormat' | 'missingEntrypoint' | 'redisUnreachable'>; re: RegExp }> = [
  { id: 'passwordMismatch', re: /\b(NOAUTH|WRONGPASS)\b|invalid password|invalid username-password|AUTH failed|Authentication required/i },
  { id: 'execFormat', re: /exec format error/i },
  { id: 'missingEntrypoint', re: /no command specified/i },
  {
    id: 'redisUnreachable',
    re: /Connection refused|ECONNREFUSED|Could not connect to Redis|Network is unreachable|EHOSTUNREACH|Name or service not known|ENOTFOUND|nodename nor servname|Temporary failure in name resolution|No route to host|connection timed out/i,
  },
];

/** The first cause the lines show, in the order of the table (password before reachability). */
export function causeOfLogs(lines: readonly string[]): 'passwordMismatch' | 'execFormat' | 'missingEntrypoint' | 'redisUnreachable' | undefined {
  const text = lines.join('\n');
  return PATTERNS.find((p) => p.re.test(text))?.id;
}

/** One sentence per cause, for the node's tooltip and Diagnose. */
export function causeText(cause: NonNullable<ReturnType<typeof causeOfLogs>>): string {
  return findingText(cause, { loopback: false, host: true, code: undefined, consumed: 0, sampleSize: 0, seconds: 0 }).message;
}

export function trialFindings(f: TrialFacts): TrialFinding[] {
  const out: TrialFinding[] = [];
  const seen = new Set<FindingId>();
  const ctx = {
    loopback: f.loopbackRedis,
    host: f.networkMode === 'host',
    code: f.exitCode,
    consumed: f.consumed,
    sampleSize: f.sampleSize,
    seconds: Math.round(f.timeoutMs / 1000),
    lastLines: lastLines(f.logs),
  };
  const add = (id: FindingId) => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push(findingText(id, ctx));
  };
  // An exit before taking anything is what happened: said first, with the code and the last
  // lines (the causes the lines show follow). Not "never took an item": it never could.
  const exitedAtStart = f.stop === 'exited' && f.consumed === 0 && !f.startError;
  if (exitedAtStart) add('exitedAtStart');
  const text = [...f.logs, f.startError ?? ''].join('\n');
  for (const p of PATTERNS) if (p.re.test(text)) add(p.id);
  // A loopback Redis is out of reach of a container on any network but the host's: certain
  // before the first log line, so it is said even when the consumer logs nothing.
  if (f.loopbackRedis && f.networkMode !== 'host' && f.consumed < f.sampleSize) add('redisUnreachable');
  for (const p of f.dockerfileProblems) {
    if (p.rule === 'cmdWithoutEntrypoint') add('missingEntrypoint');
    else add(p.rule);
  }
  // Everything taken but no result by the timeout: the missing results are the finding.
  if (f.stop === 'timeout' && !(f.consumed >= f.sampleSize && f.results === 0)) add('timeout');
  if (!f.startError && !exitedAtStart && f.stop !== 'cancelled' && f.consumed === 0 && f.sampleSize > 0) add('neverTook');
  if (f.stop === 'exited' && f.consumed > 0 && f.consumed < f.sampleSize) add('exitedEarly');
  if (f.stop === 'exited' && f.consumed >= f.sampleSize && f.exitCode !== undefined && f.exitCode !== 0) add('failedExit');
  if (f.consumed > 0 && f.results === 0 && f.stop !== 'cancelled') add('noResults');
  return out;
}

/** The container's last non-empty lines, for a finding's text (the report shows more). */
const LAST_LINES = 3;
function lastLines(logs: readonly string[]): string {
  return logs
    .filter((l) => l.trim())
    .slice(-LAST_LINES)
    .map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l))
    .join(' ⏎ ');
}

interface TextContext {
  lastLines?: string;
  loopback: boolean;
  host: boolean;
  code: number | undefined;
  consumed: number;
  sampleSize: number;
  seconds: number;
}

function findingText(id: FindingId, c: TextContext): TrialFinding {
  const rule1 = l10n.t('Rule 1: one Redis password everywhere; troubleshooting: NOAUTH');
  switch (id) {
    case 'passwordMismatch':
      return {
        id,
        severity: 'error',
        rule: rule1,
        message: l10n.t('Redis refused the password (NOAUTH/WRONGPASS): the password in the Redis URL the container got does not match the server\'s. Use one password for the Redis server, the cluster\'s Redis URL and the task\'s input_redis/output_redis, and pass the URLs whole.'),
      };
    case 'execFormat':
      return {
        id,
        severity: 'error',
        rule: l10n.t('Rule 4: build compiled programs inside the image; troubleshooting: Exec format error'),
        message: l10n.t('exec format error: the image runs a program built for another CPU or system (e.g. a binary built on a Mac copied into a Linux image). Build it in a multi-stage Dockerfile (FROM a toolchain AS builder, then COPY --from=builder).'),
      };
    case 'missingEntrypoint':
      return {
        id,
        severity: 'error',
        rule: l10n.t('Rule 3: use ENTRYPOINT'),
        message: l10n.t('The image does not start its consumer by ENTRYPOINT. GridNode runs task images with no command: set ENTRYPOINT ["/app/your-consumer"] in the Dockerfile.'),
      };
    case 'hostBinary':
      return {
        id,
        severity: 'warning',
        rule: l10n.t('Rule 4: build compiled programs inside the image; troubleshooting: Exec format error'),
        message: l10n.t('The Dockerfile copies a compiled program from this machine: nodes of another architecture fail with exec format error. Build it inside the image (multi-stage).'),
      };
    case 'hardcodedRedis':
      return {
        id,
        severity: 'warning',
        rule: l10n.t('Rule 2: trust the whole Redis URL'),
        message: l10n.t('The Dockerfile hard-codes a Redis host or password: use INPUT_REDIS_URL and OUTPUT_REDIS_URL, which every node gives the container.'),
      };
    case 'redisCliEmptyUser':
      return {
        id,
        severity: 'warning',
        rule: rule1,
        message: l10n.t('A script runs redis-cli -u with a URL like redis://:password@host, which redis-cli 7.0 sends as an empty user name and fails to authenticate. Rewrite it to redis://default:password@host.'),
      };
    case 'redisUnreachable':
      return {
        id,
        severity: 'error',
        rule: l10n.t('Troubleshooting: containers keep exiting, cannot connect to Redis'),
        message:
          c.loopback && !c.host
            ? l10n.t('The Redis URL points at 127.0.0.1 (or localhost), which inside a container on a bridge network is the container itself, not this machine. Give the task a Redis address the nodes\' containers can reach (the machine\'s LAN address or host name).')
            : l10n.t('The container could not connect to Redis: check the host and port in the Redis URL, and that the Redis server accepts connections from the nodes.'),
      };
    case 'exitedAtStart':
      return {
        id,
        severity: 'error',
        rule: l10n.t('Troubleshooting: containers keep exiting, cannot connect to Redis'),
        message: c.lastLines
          ? l10n.t('The consumer exited with code {code} before taking any item. Its last lines: {lines}', { code: c.code ?? '?', lines: c.lastLines })
          : l10n.t('The consumer exited with code {code} before taking any item, and wrote nothing.', { code: c.code ?? '?' }),
      };
    case 'neverTook':
      return {
        id,
        severity: 'error',
        rule: l10n.t('Troubleshooting: containers keep exiting, cannot connect to Redis'),
        message: l10n.t('The consumer never took an item from INPUT_QUEUE. Check that it reads the queue named by INPUT_QUEUE from INPUT_REDIS_URL (and see the findings above, if any).'),
      };
    case 'exitedEarly':
      return {
        id,
        severity: 'error',
        message: l10n.t('The consumer exited with code {code} after taking {consumed} of {total} items, before the input was empty. GridNode restarts it, and the item it was working on is lost: see its last lines below.', {
          code: c.code ?? '?',
          consumed: c.consumed,
          total: c.sampleSize,
        }),
      };
    case 'failedExit':
      return { id, severity: 'warning', message: l10n.t('The consumer took every item but exited with code {code}: a node would count it as failed and restart it.', { code: c.code ?? '?' }) };
    case 'noResults':
      return { id, severity: 'warning', message: l10n.t('The consumer took items but wrote no result to OUTPUT_QUEUE (from OUTPUT_REDIS_URL).') };
    case 'timeout':
      return {
        id,
        severity: 'error',
        message: l10n.t('The sample was not consumed within {seconds} s: the trial stopped the container ({consumed} of {total} items taken). Raise the timeout if the consumer is just slow.', {
          seconds: c.seconds,
          consumed: c.consumed,
          total: c.sampleSize,
        }),
      };
  }
}
