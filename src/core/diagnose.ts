// "Diagnose cluster": each link of the chain checked in order, each failure explained with
// the seed's troubleshooting table (NOAUTH -> password mismatch, 401 -> token, refused ->
// not started, node Error -> image or Redis).
import type { NodeContainer } from './docker/container-names';
import { isGridCoreError } from './errors';
import { l10n, listText } from './l10n';
import { formatCount } from './numbers';
import type { NodeExit } from './node-exits';
import { maskUrl } from './redact';
import { localTime } from './times';
import { causeOfLogs, causeText } from './trial/findings';
import type { DiagnosisCheck, HubClient, QueueService } from './service-api';
import type { HubNode } from './types';

export interface DiagnoseInput {
  cluster: string;
  computehubUrl: string;
  /** undefined when the profile has none */
  token?: string;
  redisUrl?: string;
  /** A client with the profile's token (or none, then only /health is asked). */
  hub: HubClient;
  queues: () => Promise<QueueService>;
  /** The kept last lines of a node's failed containers (the local cluster's nodes only). */
  nodeExits?: (nodeId: string) => NodeExit[];
  /** Those nodes' containers on this machine's Docker (any state), recognised by our labels or
   *  upstream's names; asked only about nodes in Error. Rejects when Docker does not answer. */
  nodeContainers?: (nodeIds: string[]) => Promise<NodeContainer[]>;
}

const skipped = (id: DiagnosisCheck['id'], detail: string): DiagnosisCheck => ({ id, ok: false, detail, code: 'skipped' });
const failure = (id: DiagnosisCheck['id'], e: unknown): DiagnosisCheck => ({
  id,
  ok: false,
  detail: e instanceof Error ? e.message : String(e),
  code: isGridCoreError(e) ? e.code : 'error',
});

export async function diagnose(input: DiagnoseInput): Promise<DiagnosisCheck[]> {
  const { cluster } = input;
  const checks: DiagnosisCheck[] = [];
  const hubUrl = maskUrl(input.computehubUrl);

  let hubUp = false;
  try {
    await input.hub.health();
    hubUp = true;
    checks.push({ id: 'hubHealth', ok: true, detail: l10n.t('The ComputeHub at {url} answers /health.', { url: hubUrl }) });
  } catch (e) {
    checks.push(failure('hubHealth', e));
  }

  let nodes: HubNode[] | undefined;
  if (!hubUp) checks.push(skipped('token', l10n.t('Token not checked: the hub did not answer.')));
  else if (!input.token) {
    checks.push({ id: 'token', ok: false, code: 'missingToken', detail: l10n.t('Cluster "{cluster}" has no token. Edit the cluster and enter the token from computehub.toml.', { cluster }) });
  } else {
    try {
      nodes = await input.hub.listNodes();
      checks.push({ id: 'token', ok: true, detail: l10n.t('The hub accepts the token.') });
    } catch (e) {
      checks.push(failure('token', e));
    }
  }

  const redisUrl = input.redisUrl ? maskUrl(input.redisUrl) : '';
  let queues: QueueService | undefined;
  if (!input.redisUrl) {
    checks.push({ id: 'redisPing', ok: false, code: 'missingField', detail: l10n.t('Cluster "{cluster}" has no Redis URL. Edit the cluster and enter it.', { cluster }) });
    checks.push(skipped('redisAuth', l10n.t('Password not checked: Redis did not answer.')));
  } else {
    try {
      queues = await input.queues();
      await queues.ping();
      checks.push({ id: 'redisPing', ok: true, detail: l10n.t('Redis at {url} answers PING.', { url: redisUrl }) });
      checks.push({ id: 'redisAuth', ok: true, detail: l10n.t('Redis accepts the cluster\'s credentials.') });
    } catch (e) {
      const code = isGridCoreError(e) ? e.code : undefined;
      if (code === 'noauth' || code === 'wrongpass') {
        checks.push({ id: 'redisPing', ok: true, detail: l10n.t('Redis at {url} answers, but refuses the credentials.', { url: redisUrl }) });
        checks.push({
          id: 'redisAuth',
          ok: false,
          code,
          detail: l10n.t(
            'Redis at {url} refused the password ({code}): the password in the cluster\'s Redis URL does not match the server\'s. Use one password everywhere: the Redis server, the cluster\'s Redis URL and the task\'s input_redis/output_redis (NOAUTH in container logs and nodes in Error are the same mismatch).',
            { url: redisUrl, code: code.toUpperCase() },
          ),
        });
        queues = undefined;
      } else {
        checks.push(failure('redisPing', e));
        checks.push(skipped('redisAuth', l10n.t('Password not checked: Redis did not answer.')));
        queues = undefined;
      }
    }
  }

  checks.push(await queueCheck(input, nodes !== undefined, queues));
  checks.push(await nodeCheck(nodes, input));
  // This editor's connection is not the nodes': when their containers were refused, the
  // Redis check must not read as all good.
  const refused = refusedNodes(nodes, input.nodeExits);
  const auth = checks.findIndex((c) => c.id === 'redisAuth');
  if (refused.length && auth >= 0 && !checks[auth].ok && (checks[auth].code === 'noauth' || checks[auth].code === 'wrongpass')) {
    // Refused here too (a connection made after the change): which nodes it hit as well.
    checks[auth] = {
      ...checks[auth],
      detail:
        checks[auth].detail +
        ' ' +
        l10n.t('It refused the containers of {nodes} too ({code}, last at {at}).', { nodes: listText(refused.map((r) => r.node)), code: 'NOAUTH/WRONGPASS', at: localTime(refused[refused.length - 1].at) }),
    };
  } else if (refused.length && auth >= 0 && checks[auth].ok) {
    checks[auth] = {
      id: 'redisAuth',
      ok: false,
      code: 'nodesRefused',
      detail: l10n.t(
        'Redis accepts the cluster\'s credentials (this editor\'s connection), but it refused the containers of {nodes} ({code}, last at {at}): they were given another password, from the Redis URL the task was registered with. Register the task again with the cluster\'s Redis URL, or give the Redis server back the password the task has.',
        { nodes: listText(refused.map((r) => r.node)), code: 'NOAUTH/WRONGPASS', at: localTime(refused[refused.length - 1].at) },
      ),
    };
  }
  return checks;
}

/** Nodes in Error whose latest kept failure is Redis refusing the password. */
function refusedNodes(nodes: HubNode[] | undefined, nodeExits?: (nodeId: string) => NodeExit[]): Array<{ node: string; at: string }> {
  if (!nodes || !nodeExits) return [];
  return nodes
    .filter((n) => n.runtime_status === 'Error')
    .map((n) => ({ n, last: nodeExits(n.id).at(-1) }))
    .filter((x) => x.last && causeOfLogs(x.last.lines) === 'passwordMismatch')
    .map((x) => ({ node: `${x.n.hostname} (${x.n.id})`, at: x.last!.at }));
}

async function queueCheck(input: DiagnoseInput, tokenOk: boolean, queues: QueueService | undefined): Promise<DiagnosisCheck> {
  if (!tokenOk) return skipped('queues', l10n.t('Queues not checked: the hub did not accept a request.'));
  try {
    const task = await input.hub.currentTaskConfig();
    if (!task) return { id: 'queues', ok: true, detail: l10n.t('No task is handed to nodes right now.') };
    const clusterUrl = input.redisUrl ?? '';
    for (const taskUrl of [task.input_redis, task.output_redis]) {
      // Whole URLs compared: nodes use the task's, the extension the cluster's.
      if (taskUrl && taskUrl !== clusterUrl) {
        return {
          id: 'queues',
          ok: false,
          code: 'redisMismatch',
          detail: l10n.t(
            'Task "{task}" uses Redis {taskUrl}, but cluster "{cluster}" uses {clusterUrl}. The nodes read and write the task\'s Redis: if its password differs, their containers fail with NOAUTH. Register the task with the cluster\'s Redis URL.',
            { task: task.task_name, taskUrl: maskUrl(taskUrl), cluster: input.cluster, clusterUrl: maskUrl(clusterUrl) },
          ),
        };
      }
    }
    const names = [task.input_queue, task.output_queue].filter((q): q is string => !!q);
    if (!names.length) {
      return { id: 'queues', ok: false, code: 'noQueues', detail: l10n.t('Task "{task}" has no input or output queue: its containers get no INPUT_QUEUE/OUTPUT_QUEUE. Register it again with queues.', { task: task.task_name }) };
    }
    if (!queues) return skipped('queues', l10n.t('Queue lengths of task "{task}" not read: Redis did not answer.', { task: task.task_name }));
    const lengths = await queues.lengths(names);
    const detail = listText(names.map((q) => l10n.t('{queue}: {count} items', { queue: q, count: formatCount(lengths[q] ?? 0) })));
    return { id: 'queues', ok: true, detail: l10n.t('Task "{task}" (image {image}): {lengths}.', { task: task.task_name, image: task.image, lengths: detail }) };
  } catch (e) {
    return failure('queues', e);
  }
}

async function nodeCheck(nodes: HubNode[] | undefined, input: Pick<DiagnoseInput, 'nodeExits' | 'nodeContainers'>): Promise<DiagnosisCheck> {
  const { nodeExits } = input;
  if (!nodes) return skipped('nodes', l10n.t('Nodes not checked: the hub did not accept a request.'));
  if (!nodes.length) {
    return {
      id: 'nodes',
      ok: false,
      code: 'noNodes',
      detail: l10n.t('No GridNode is registered with the hub. Start a GridNode with the same token; after a hub restart, restart the nodes too: they do not register again by themselves.'),
    };
  }
  const crashing = nodeExits ? crashingTask(nodes, nodeExits) : undefined;
  // Exits whose lines show a cause outside the consumer's code (Redis refused the password,
  // the image cannot run) are that cause, said below with the node in Error: not a crash loop
  // blamed on an item the code fails on.
  if (crashing && !causeOfLogs(crashing.exits[crashing.exits.length - 1].lines)) {
    return {
      id: 'nodes',
      ok: false,
      code: 'crashLoop',
      detail:
        l10n.t(
          'The containers of task "{task}" keep dying: {count} exits since {since}. Its own code most likely fails on some item: a consumer that follows the reliable convention (README, "Reliable consumers") sets such an item aside in the failed list with its error, and the job ends without it (Open Failed Items shows it); an upstream-style consumer loses the batch it held instead.',
          { task: crashing.task, count: formatCount(crashing.exits.length), since: localTime(crashing.exits[0].at) },
        ) + lastFailure(crashing.node, crashing.exits),
    };
  }
  const failed = nodes.filter((n) => n.runtime_status === 'Error');
  if (failed.length) {
    const containers = await localContainers(failed, input.nodeContainers);
    const orphans = failed.flatMap((n) => orphansOf(n, containers, nodeExits?.(n.id) ?? []).map((name) => ({ node: n, name })));
    if (orphans.length) {
      return {
        id: 'nodes',
        ok: false,
        code: 'nodeOrphan',
        detail: orphans.map((o) => orphanText(o.node, o.name)).join('\n\n'),
      };
    }
    return {
      id: 'nodes',
      ok: false,
      code: 'nodeError',
      detail: l10n.t(
        'Nodes in Error: {nodes}. A container failed: usually the image cannot be pulled or started on the node (push it to a registry the nodes can reach, use ENTRYPOINT, build compiled programs inside the image), or the containers cannot reach Redis (check the task\'s Redis URL and password).',
        { nodes: listText(failed.map((n) => `${n.hostname} (${n.id})`)) },
      ) +
        ` ${ERROR_CLEARS()}` +
        failed.map((n) => lastFailure(n, nodeExits?.(n.id) ?? [])).join(''),
    };
  }
  return { id: 'nodes', ok: true, detail: l10n.t('Nodes online: {count}, none in Error.', { count: formatCount(nodes.length) }) };
}

async function localContainers(failed: readonly HubNode[], ask: DiagnoseInput['nodeContainers']): Promise<NodeContainer[]> {
  if (!ask) return [];
  try {
    // Docker's answer only adds detail: a slow or missing engine must not hold Diagnose up.
    return await Promise.race([ask(failed.map((n) => n.id)), new Promise<NodeContainer[]>((resolve) => setTimeout(() => resolve([]), 3000).unref())]);
  } catch {
    return [];
  }
}

/** Docker's text for a create refused over a taken name: `Conflict. The container name
 *  "/idm-..." is already in use by container "...". You have to remove (or rename) ...`. */
const NAME_CONFLICT = /container name "\/?([a-zA-Z0-9][a-zA-Z0-9_.-]*)" is already in use/;

/** Containers of a node in Error that the node itself does not run: upstream's node, restarted
 *  after a SIGKILL, finds its earlier containers still running under the names it wants; the
 *  create answers 409 Conflict, it tries once, reports Error, and the orphans go on consuming
 *  unmanaged. Seen on this machine's Docker (more running containers of the node than the
 *  node counts: the oldest are the orphans), or in the node's kept last lines. */
export function orphansOf(node: Pick<HubNode, 'id' | 'active_containers'>, containers: readonly NodeContainer[], exits: readonly NodeExit[]): string[] {
  const found = new Set<string>();
  for (const e of exits) {
    for (const line of e.lines) {
      const m = NAME_CONFLICT.exec(line);
      if (m) found.add(m[1]);
    }
  }
  const running = containers.filter((c) => c.nodeId === node.id && c.state === 'running').sort((a, b) => a.created - b.created);
  const extra = running.length - (node.active_containers ?? 0);
  for (const c of running.slice(0, Math.max(0, extra))) found.add(c.name);
  // Only names still running (when Docker answered) are worth removing.
  const live = new Set(running.map((c) => c.name));
  return [...found].filter((n) => !containers.length || live.has(n) || !containers.some((c) => c.name === n));
}

function orphanText(node: Pick<HubNode, 'hostname' | 'id'>, name: string): string {
  return l10n.t(
    'Node {node} ({id}) is in Error because container {name} still runs from an earlier run of the node: its process was stopped (killed) but its containers were not. The restarted node could not create its own container of that name (409 Conflict) and does not try again, while the orphan goes on taking items unmanaged. On that node\'s machine run:\n\n    docker rm -f {name}\n\nthen restart the GridNode there.',
    { node: node.hostname, id: node.id, name },
  );
}

/** What takes a node out of Error once the cause is fixed (our node; upstream's GridNode
 *  reports Error while a container of the task keeps failing, too). */
export const ERROR_CLEARS = (): string =>
  l10n.t('A node leaves Error by itself once a container of the task runs for 10 s or exits cleanly; after many failures its next restart can be up to a minute away.');

/** Exits of one task that make a crash loop: this many, the last one this recent. */
export const CRASH_LOOP_EXITS = 3;
export const CRASH_LOOP_WINDOW_MS = 30 * 60_000;

/** The task whose containers keep dying (the most exits kept, at least CRASH_LOOP_EXITS, the
 *  latest within CRASH_LOOP_WINDOW_MS of `now`), its exits oldest first and the node of the last. */
export function crashingTask(
  nodes: ReadonlyArray<Pick<HubNode, 'hostname' | 'id'>>,
  nodeExits: (nodeId: string) => NodeExit[],
  now = Date.now(),
): { task: string; exits: NodeExit[]; node: Pick<HubNode, 'hostname' | 'id'> } | undefined {
  const byTask = new Map<string, NodeExit[]>();
  for (const n of nodes) for (const e of nodeExits(n.id)) byTask.set(e.task, [...(byTask.get(e.task) ?? []), e]);
  let worst: { task: string; exits: NodeExit[] } | undefined;
  for (const [task, exits] of byTask) {
    exits.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const last = Date.parse(exits[exits.length - 1].at);
    if (exits.length < CRASH_LOOP_EXITS || !(now - last <= CRASH_LOOP_WINDOW_MS)) continue;
    if (!worst || exits.length > worst.exits.length) worst = { task, exits };
  }
  if (!worst) return undefined;
  const lastNode = worst.exits[worst.exits.length - 1].nodeId;
  return { ...worst, node: nodes.find((n) => n.id === lastNode) ?? { hostname: lastNode, id: lastNode } };
}

/** The latest kept failure of a node: its cause in the skill's terms and its last lines. */
export function lastFailure(node: Pick<HubNode, 'hostname' | 'id'>, exits: readonly NodeExit[]): string {
  const last = exits[exits.length - 1];
  if (!last) return '';
  const cause = causeOfLogs(last.lines);
  const head = l10n.t('Node {node}: container {instance} of task {task} exited with code {code} at {at}.', { node: node.hostname, instance: last.instance, task: last.task, code: last.code, at: localTime(last.at) });
  const lines = last.lines.slice(-10).map((l) => `    ${l}`).join('\n');
  return `\n\n${head}${cause ? ` ${causeText(cause)}` : ''}${lines ? `\n${l10n.t('Its last lines:')}\n\n${lines}` : ''}`;
}
