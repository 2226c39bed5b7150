// Which containers on a Docker engine belong to which GridNode. Upstream's gridnode names its
// containers `idm-<task>-<node_id>-<instance>` and puts no labels on them; our node names them
// the same way and adds labels (node, task, instance). Everything that asks Docker about a
// node's containers (stranded detection, container logs, Try Task's network, Diagnose, the
// node's own clean-up) recognises them through this one file, so upstream's nodes running on
// this machine are seen as well as ours.
import type Docker from 'dockerode';

export const NODE_LABEL = 'gridcore.node';
export const TASK_LABEL = 'gridcore.task';
export const INSTANCE_LABEL = 'gridcore.instance';

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; a task name may hold anything. Upstream uses
 *  the task name as it is (a name Docker refuses fails there), so for every name upstream can
 *  create this is the identity. */
export function nameSafe(s: string): string {
  const cleaned = s.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return cleaned || 'task';
}

/** `idm-<task>-<node_id>-<instance>`, as upstream's gridnode names an instance's container. */
export function containerName(task: string, nodeId: string, instance: number | string): string {
  return `idm-${nameSafe(task)}-${nameSafe(nodeId)}-${instance}`;
}

export interface ParsedContainerName {
  /** the task as it appears in the name (nameSafe of the registered name) */
  task: string;
  nodeId: string;
  instance: number;
}

/** Reads `idm-<task>-<node_id>-<instance>` (with or without Docker's leading `/`). Task names
 *  and node ids may both hold `-`, so the name is read from the right: the instance, then a
 *  node id from `nodeIds` (the longest that fits, when one id ends another), and the task is
 *  what is left. Undefined for any other name. */
export function parseContainerName(name: string, nodeIds: Iterable<string>): ParsedContainerName | undefined {
  const n = name.startsWith('/') ? name.slice(1) : name;
  const m = /^idm-(.+)-(\d+)$/.exec(n);
  if (!m) return undefined;
  const rest = m[1];
  let best: ParsedContainerName | undefined;
  for (const id of nodeIds) {
    const safe = nameSafe(id);
    const suffix = `-${safe}`;
    if (!rest.endsWith(suffix) || rest.length <= suffix.length) continue;
    if (best && nameSafe(best.nodeId).length >= safe.length) continue;
    best = { task: rest.slice(0, -suffix.length), nodeId: id, instance: Number(m[2]) };
  }
  return best;
}

/** What is known of a container from `docker ps` (listContainers) or an event's attributes. */
export interface ContainerFacts {
  Labels?: Record<string, string> | null;
  Names?: readonly string[];
}

export interface NodeContainerId {
  nodeId: string;
  /** the task from our label, else as the name carries it */
  task: string;
  instance: number;
  /** how it was recognised: our labels, or upstream's naming */
  by: 'label' | 'name';
}

export interface RecognizeOptions {
  /** false: by name only, as anything that must also hold for upstream's nodes sees them */
  labels?: boolean;
}

/** The node, task and instance a container belongs to, if it is one of `nodeIds`' containers. */
export function nodeContainerOf(c: ContainerFacts, nodeIds: readonly string[], o: RecognizeOptions = {}): NodeContainerId | undefined {
  const labels = c.Labels ?? undefined;
  if (o.labels !== false && labels?.[NODE_LABEL] !== undefined && nodeIds.includes(labels[NODE_LABEL])) {
    const parsed = (c.Names ?? []).map((n) => parseContainerName(n, [labels[NODE_LABEL]])).find((p) => p);
    const instance = Number(labels[INSTANCE_LABEL] ?? parsed?.instance);
    return { nodeId: labels[NODE_LABEL], task: labels[TASK_LABEL] ?? parsed?.task ?? '', instance: Number.isFinite(instance) ? instance : 0, by: 'label' };
  }
  for (const name of c.Names ?? []) {
    const p = parseContainerName(name, nodeIds);
    if (p) return { ...p, by: 'name' };
  }
  return undefined;
}

/** Whether a container is one of `nodeId`'s: our label, or upstream's `idm-<task>-<node>-<n>`. */
export function isNodeContainer(labels: Record<string, string> | undefined | null, names: readonly string[], nodeId: string): boolean {
  return nodeContainerOf({ Labels: labels, Names: names }, [nodeId]) !== undefined;
}

export interface NodeContainer extends NodeContainerId {
  id: string;
  /** without Docker's leading `/` */
  name: string;
  /** Docker's state: running, exited, created, ... */
  state: string;
  /** Docker's status text ("Up 5 minutes", "Exited (1) 3 seconds ago") */
  status: string;
  /** seconds since the epoch */
  created: number;
  /** host, bridge, default, or a network's name */
  networkMode?: string;
}

/** Every container of the given nodes on this engine (running ones only unless `all`). */
export async function listNodeContainers(docker: Docker, nodeIds: readonly string[], o: RecognizeOptions & { all?: boolean } = {}): Promise<NodeContainer[]> {
  const out: NodeContainer[] = [];
  for (const c of await docker.listContainers({ all: o.all ?? false })) {
    const who = nodeContainerOf(c, nodeIds, o);
    if (!who) continue;
    out.push({
      ...who,
      id: c.Id,
      name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
      state: c.State,
      status: c.Status,
      created: c.Created,
      networkMode: c.HostConfig?.NetworkMode,
    });
  }
  return out;
}
