// The Nodes group of the Clusters tree, built for 1,000 heartbeating nodes: a heartbeat moves
// no row. A node's row says what it is and does (architecture, CPUs, status, containers);
// when it was last heard of is in its tooltip, made when the tooltip is shown
// (`heartbeatLine`, through the provider's resolveTreeItem), so a poll that brings only new
// heartbeats changes no element and VS Code redraws nothing. Nodes sort naturally (host-2
// before host-10); a long list is split by status, each status with its count and paged like
// the tasks (Load more…).
import { l10n } from '../core/l10n';
import type { ClusterProfile, HubNode } from '../core/types';
import type { ClusterSnapshot } from './cluster-snapshot';
import { loadMoreSpec, type Spec, type TreeIcon } from './cluster-tree-types';
import { formatCount, formatLocalTime, formatWhen, nodeDescription, runtimeStatusLabel } from './format';
import { compareNodes } from './node-order';

/** Above this many nodes the group splits by status. */
export const NODE_GROUP_MIN = 50;
/** Nodes shown per status at first, and per Load more…. */
export const NODE_PAGE = 50;

export type NodeStatusKey = 'Error' | 'Running' | 'Idle' | 'none' | 'stopped';
const STATUS_ORDER: readonly NodeStatusKey[] = ['Error', 'Running', 'Idle', 'none', 'stopped'];

/** What the Nodes group is built from (part of the cluster's state in the tree model). */
export interface NodesState {
  profile: ClusterProfile;
  snapshot?: ClusterSnapshot;
  stopRequested: Set<string>;
  stopped: Map<string, HubNode>;
  leftOnRequest: Set<string>;
  hubRestartSeen?: boolean;
  /** Nodes shown per status when the list is split (absent: NODE_PAGE). */
  nodeLimits: Map<NodeStatusKey, number>;
}

export function statusKey(state: Pick<NodesState, 'stopped'>, n: HubNode): NodeStatusKey {
  if (state.stopped.has(n.id)) return 'stopped';
  return n.runtime_status ?? 'none';
}

function statusLabel(k: NodeStatusKey): string {
  return k === 'stopped' ? l10n.t('Stopped') : runtimeStatusLabel(k === 'none' ? null : k);
}

/** The `which` of a Load more… under a status ("nodes:Running"). */
export function nodePageKey(k: NodeStatusKey): string {
  return `nodes:${k}`;
}

export function parseNodePageKey(which: string): NodeStatusKey | undefined {
  const k = which.startsWith('nodes:') ? which.slice(6) : undefined;
  return STATUS_ORDER.find((s) => s === k);
}

/** The group; `unavailable` is the tree's loading / hub down / token rejected message, if any. */
export function nodesSpec(c: NodesState, unavailable: Spec[] | undefined, now: number): Spec {
  const name = c.profile.name;
  const id = `cluster:${name}/nodes`;
  const listed = c.snapshot?.nodes;
  // Stopped nodes this editor knows of are shown (stopped) whether or not the hub still lists them.
  const nodes = listed && [...listed.filter((n) => !c.stopped.has(n.id)), ...c.stopped.values()];
  const live = listed?.filter((n) => !c.stopped.has(n.id)).length;
  let children = unavailable;
  if (!children) {
    if (!nodes) children = [note(`${id}/message`, name, l10n.t('Expand to load nodes'), 'info')];
    else if (!nodes.length) children = [noNodeSpec(c, `${id}/message`)];
    else if (nodes.length <= NODE_GROUP_MIN) children = [...nodes].sort(compareNodes).map((n) => nodeSpec(c, n, id, now));
    else children = statusGroups(c, nodes, id, now);
  }
  return {
    id,
    kind: 'nodes',
    cluster: name,
    label: l10n.t('Nodes'),
    description: live !== undefined ? formatCount(live) : undefined,
    icon: { id: 'server' },
    contextValue: 'nodes',
    collapsible: 'expanded',
    children,
  };
}

/** One expandable entry per status present, with its count, its first page and Load more…. */
function statusGroups(c: NodesState, nodes: HubNode[], parent: string, now: number): Spec[] {
  const name = c.profile.name;
  const by = new Map<NodeStatusKey, HubNode[]>();
  for (const n of nodes) {
    const k = statusKey(c, n);
    const list = by.get(k);
    if (list) list.push(n);
    else by.set(k, [n]);
  }
  const out: Spec[] = [];
  for (const k of STATUS_ORDER) {
    const list = by.get(k);
    if (!list) continue;
    const id = `${parent}/${k}`;
    const limit = c.nodeLimits.get(k) ?? NODE_PAGE;
    const shown = list.length > limit ? partialSort(list, limit) : list.sort(compareNodes);
    const kids: Spec[] = shown.map((n) => nodeSpec(c, n, id, now));
    if (list.length > limit) {
      kids.push(loadMoreSpec(`${id}/loadMore`, name, l10n.t('{0} more', formatCount(list.length - limit)), [{ cluster: name, which: nodePageKey(k) }]));
    }
    const sample = list[0];
    out.push({
      id,
      kind: 'nodeStatus',
      cluster: name,
      label: statusLabel(k),
      description: formatCount(list.length),
      tooltip: list.length === 1 ? l10n.t('1 node: {0}', statusLabel(k)) : l10n.t('{0} nodes: {1}', formatCount(list.length), statusLabel(k)),
      icon: k === 'stopped' ? { id: 'circle-slash', color: 'disabledForeground' } : nodeIcon(sample),
      contextValue: 'nodeStatus',
      collapsible: 'expanded',
      children: kids,
    });
  }
  return out;
}

/** The first `limit` nodes in natural order, without sorting all of them when few are shown. */
function partialSort(list: HubNode[], limit: number): HubNode[] {
  if (limit * 4 >= list.length) return list.sort(compareNodes).slice(0, limit);
  const top: HubNode[] = [];
  for (const n of list) {
    if (top.length === limit && compareNodes(n, top[limit - 1]) >= 0) continue;
    let i = top.length;
    while (i > 0 && compareNodes(n, top[i - 1]) < 0) i--;
    top.splice(i, 0, n);
    if (top.length > limit) top.pop();
  }
  return top;
}

/** No node listed: the message names the causes that fit what this editor saw. */
function noNodeSpec(c: NodesState, id: string): Spec {
  const name = c.profile.name;
  if (c.leftOnRequest.size) {
    const hosts = [...c.leftOnRequest].join(', ');
    return note(id, name, l10n.t('No node is listed: {0} stopped on request', hosts), 'info', l10n.t('Stop Node stopped it. Start it again on its machine (pointed at this hub) to list it here.'));
  }
  if (!c.snapshot?.tasks?.length) return note(id, name, l10n.t('No node is registered'), 'info', l10n.t('Start a GridNode pointed at this hub, or check its token and logs.'));
  if (c.hubRestartSeen) {
    // The hub forgot tasks registered from here: it was restarted, and upstream GridNodes never register again.
    return note(
      id,
      name,
      l10n.t('No node is listed, yet the hub has tasks'),
      'warning',
      l10n.t('If the hub was restarted, its GridNodes did not register again (they never do): they keep running the tasks the hub hands out, but are not listed and cannot be stopped from here. Restart the GridNodes to list them again; if none runs, start one pointed at this hub.'),
    );
  }
  return note(
    id,
    name,
    l10n.t('No node is listed, yet the hub has tasks'),
    'warning',
    l10n.t('Its nodes stopped or lost their connection (the hub drops a node whose heartbeats stop), or the hub was restarted: GridNodes do not register again after a hub restart, though they keep running its tasks. Start or restart a GridNode pointed at this hub, or check the nodes\' logs.'),
  );
}

function stoppedSpec(c: NodesState, n: HubNode, parent: string): Spec {
  return {
    id: `${parent}/${n.id}`,
    kind: 'node',
    cluster: c.profile.name,
    label: n.hostname,
    description: [n.architecture, l10n.t('Stopped')].join(' · '),
    tooltip: [
      l10n.t('Node id: {0}', n.id),
      l10n.t('This node stopped (Stop Node); its containers are gone. Start Node starts it again with the same id.'),
    ].join('\n'),
    icon: { id: 'circle-slash', color: 'disabledForeground' },
    contextValue: 'node stopped',
    collapsible: 'none',
    nodeId: n.id,
  };
}

/** A node's row: nothing in it changes with a heartbeat alone (see heartbeatLine). */
function nodeSpec(c: NodesState, n: HubNode, parent: string, now: number): Spec {
  if (c.stopped.has(n.id)) return stoppedSpec(c, n, parent);
  const stop = c.stopRequested.has(n.id);
  return {
    id: `${parent}/${n.id}`,
    kind: 'node',
    cluster: c.profile.name,
    label: n.hostname,
    description: nodeDescription(n, now, stop, false),
    tooltip: [
      l10n.t('Node id: {0}', n.id),
      l10n.t('Host: {0} ({1}, {2})', n.hostname, n.architecture, n.cpu_count === 1 ? l10n.t('1 CPU') : l10n.t('{0} CPUs', formatCount(n.cpu_count))),
      n.runtime_status === 'Error'
        ? l10n.t('Error: a container failed. Check the task image (exec format error, missing ENTRYPOINT) and that its Redis URL and password are right.')
        : undefined,
      stop ? l10n.t('Stop requested: the node stops on its next heartbeat and then leaves the list.') : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
    icon: stop ? { id: 'debug-stop', color: 'charts.orange' } : nodeIcon(n),
    contextValue: stop ? 'node stopRequested' : 'node',
    collapsible: 'none',
    nodeId: n.id,
  };
}

/**
 * The tooltip's heartbeat line, made when the tooltip is first shown. VS Code keeps a resolved
 * tooltip until the row changes, so the line says when it was true: the last poll's time.
 */
export function heartbeatLine(n: HubNode, polledAt: number): string {
  return l10n.t('Last heartbeat: {0}, as of {1}', formatWhen(n.last_seen, polledAt), formatLocalTime(new Date(polledAt).toISOString()));
}

export function nodeIcon(n: HubNode): TreeIcon {
  switch (n.runtime_status) {
    case 'Running':
      return { id: 'vm-running', color: 'charts.green' };
    case 'Idle':
      return { id: 'vm-outline', color: 'charts.blue' };
    case 'Error':
      return { id: 'error', color: 'errorForeground' };
    default:
      return { id: 'question', color: 'disabledForeground' };
  }
}

function note(id: string, cluster: string, label: string, icon: string, tooltip?: string): Spec {
  return { id, kind: 'message', cluster, label, tooltip, icon: { id: icon }, contextValue: 'message', collapsible: 'none' };
}
