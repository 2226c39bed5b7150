// The Clusters tree as plain data, apart from the TreeDataProvider so it can be tested
// without `vscode`. Elements keep their identity across updates (mutated in place) and
// ids never carry live values (a task keeps its id from pending to running to completed),
// so selection and expansion survive polls; every update returns just the elements whose
// look or children changed, for onDidChangeTreeData. A poll whose answer did not change
// rebuilds nothing, and a group (Nodes, Tasks, Queues) whose inputs did not change is kept
// as it is: with 1,000 nodes and 10,000 tasks, only what changed costs anything. Pending and
// completed tasks come a page at a time. The groups are built in their own files
// (cluster-tree-nodes.ts, cluster-tree-tasks.ts, cluster-tree-queues.ts); this one keeps the
// state per cluster, decides which group to rebuild and reconciles the elements.
import { l10n } from '../core/l10n';
import { maskUrl } from '../core/redact';
import type { ClusterProfile, HubNode, TaskView } from '../core/types';
import { describeChecks, type Check, type ClusterSnapshot } from './cluster-snapshot';
import { heartbeatLine, nodesSpec, parseNodePageKey, NODE_PAGE, type NodesState } from './cluster-tree-nodes';
import { recordedQueues, taskKey } from './task-queues';
import { message, type Spec, type TreeElement, type TreeIcon } from './cluster-tree-types';
import { queuesSpec } from './cluster-tree-queues';
import { tasksSpec } from './cluster-tree-tasks';

export { taskKey } from './task-queues';

export type { ElementKind, Spec, TreeElement, TreeIcon } from './cluster-tree-types';

export const COMPLETED_PAGE = 20;
export const PENDING_PAGE = 20;

type Group = 'nodes' | 'tasks' | 'queues';

interface ClusterState extends NodesState {
  profile: ClusterProfile;
  snapshot?: ClusterSnapshot;
  stopRequested: Set<string>;
  /** Nodes this editor knows have stopped (the local cluster's own node after Stop Node),
   *  as last listed: shown stopped at once, with Start Node, until started again. */
  stopped: Map<string, HubNode>;
  /** Hostnames of nodes that left the hub's list after a stop request: the cause the
   *  "no node" message names. */
  leftOnRequest: Set<string>;
  /** The hub forgot tasks registered from here at some point: it was restarted. */
  hubRestartSeen?: boolean;
  completedLimit: number;
  pendingLimit: number;
  /** Tasks whose queues the user asked to see under them (by taskKey). */
  shownQueues: Set<string>;
  /** Bumped when stopRequested or shownQueues change: part of the groups' inputs. */
  version: number;
  /** The inputs each group was last built from. */
  built: Partial<Record<Group, readonly unknown[]>>;
}


export class ClusterTreeModel {
  private readonly clusters = new Map<string, ClusterState>();
  private rootElements: TreeElement[] = [];
  private readonly byId = new Map<string, TreeElement>();
  private active: string | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  roots(): TreeElement[] {
    return this.rootElements;
  }

  get(id: string): TreeElement | undefined {
    return this.byId.get(id);
  }

  activeCluster(): string | undefined {
    return this.active;
  }

  profiles(): ClusterProfile[] {
    return [...this.clusters.values()].map((c) => c.profile);
  }

  snapshotOf(cluster: string): ClusterSnapshot | undefined {
    return this.clusters.get(cluster)?.snapshot;
  }

  /** New profile list or active cluster. Returns 'all' when the set of roots changed. */
  setProfiles(profiles: ClusterProfile[], active: string | undefined): TreeElement[] | 'all' {
    const names = new Set(profiles.map((p) => p.name));
    for (const name of [...this.clusters.keys()]) if (!names.has(name)) this.clusters.delete(name);
    for (const p of profiles) {
      const existing = this.clusters.get(p.name);
      if (existing) existing.profile = p;
      else {
        this.clusters.set(p.name, {
          profile: p,
          stopRequested: new Set(),
          stopped: new Map(),
          leftOnRequest: new Set(),
          nodeLimits: new Map(),
          completedLimit: COMPLETED_PAGE,
          pendingLimit: PENDING_PAGE,
          shownQueues: new Set(),
          version: 0,
          built: {},
        });
      }
    }
    this.active = active && names.has(active) ? active : undefined;
    return this.rebuild();
  }

  applySnapshot(cluster: string, snapshot: ClusterSnapshot): TreeElement[] | 'all' {
    const state = this.clusters.get(cluster);
    if (!state) return [];
    // Details (nodes, queue lengths) are kept from the last detailed poll when a lighter one ran.
    const previous = state.snapshot;
    const next: ClusterSnapshot = {
      ...snapshot,
      nodes: snapshot.nodes ?? (snapshot.hub?.ok && snapshot.token?.ok ? previous?.nodes : undefined),
    };
    state.snapshot = next;
    // The monitor hands the same objects back for parts that did not change: nothing to do.
    if (previous && sameAnswer(previous, next)) return [];
    if (next.nodes && (state.stopRequested.size || state.leftOnRequest.size)) {
      const present = new Set(next.nodes.map((n) => n.id));
      for (const id of [...state.stopRequested]) {
        if (present.has(id)) continue;
        state.stopRequested.delete(id);
        const left = previous?.nodes?.find((n) => n.id === id);
        if (left && !state.stopped.has(id)) state.leftOnRequest.add(left.hostname);
        state.version++;
      }
      if (next.nodes.length && state.leftOnRequest.size) {
        state.leftOnRequest.clear();
        state.version++;
      }
    }
    if (snapshot.forgotten?.length && !state.hubRestartSeen) {
      state.hubRestartSeen = true;
      state.version++;
    }
    return this.rebuild();
  }

  /** Shown as "stop requested" until the node leaves the hub's list. */
  markStopRequested(cluster: string, nodeId: string): TreeElement[] | 'all' {
    const state = this.clusters.get(cluster);
    if (state && !state.stopRequested.has(nodeId)) {
      state.stopRequested.add(nodeId);
      state.version++;
    }
    return this.rebuild();
  }

  /** The node is known to have stopped (not only requested to): shown stopped at once. */
  markStopped(cluster: string, node: HubNode): TreeElement[] | 'all' {
    const state = this.clusters.get(cluster);
    if (!state) return [];
    state.stopRequested.delete(node.id);
    state.stopped.set(node.id, node);
    state.version++;
    return this.rebuild();
  }

  /** The node runs again: the hub's listing describes it from now on. */
  markStarted(cluster: string, nodeId: string): TreeElement[] | 'all' {
    const state = this.clusters.get(cluster);
    if (state?.stopped.delete(nodeId)) state.version++;
    return this.rebuild();
  }

  /** What the tree shows of a node (the Stop Node dialog says the same). */
  shownNode(cluster: string, nodeId: string): HubNode | undefined {
    return this.clusters.get(cluster)?.snapshot?.nodes?.find((n) => n.id === nodeId);
  }

  /** Show (or hide) a task's queues under it; their lengths come with the next poll. */
  showTaskQueues(cluster: string, task: TaskView, show: boolean): TreeElement[] | 'all' {
    const key = taskKey(task);
    const state = this.clusters.get(cluster);
    if (!state || !key || !recordedQueues(task)) return [];
    if (show) state.shownQueues.add(key);
    else state.shownQueues.delete(key);
    state.version++;
    return this.rebuild();
  }

  /** Queues the next poll of `cluster` measures besides the running task's (from `tasks`, the poll's list). */
  extraQueues(cluster: string, tasks: TaskView[]): string[] {
    const state = this.clusters.get(cluster);
    if (!state?.shownQueues.size) return [];
    const out: string[] = [];
    for (const t of tasks) {
      const key = taskKey(t);
      const q = key && state.shownQueues.has(key) ? recordedQueues(t) : undefined;
      if (q?.input) out.push(q.input);
      if (q?.output) out.push(q.output);
    }
    return out;
  }

  loadMoreCompleted(cluster: string): TreeElement[] | 'all' {
    return this.loadMore(cluster, 'completed');
  }

  /** The next page of pending or completed tasks, or of nodes of one status ("nodes:Running"). */
  loadMore(cluster: string, which: string): TreeElement[] | 'all' {
    const state = this.clusters.get(cluster);
    const status = parseNodePageKey(which);
    if (state && status) {
      state.nodeLimits.set(status, (state.nodeLimits.get(status) ?? NODE_PAGE) + NODE_PAGE);
      state.version++;
    } else if (state && which === 'pending') state.pendingLimit += PENDING_PAGE;
    else if (state) state.completedLimit += COMPLETED_PAGE;
    return this.rebuild();
  }

  /** A node row's whole tooltip, made when it is shown: its fixed lines and the heartbeat as
   *  of the last poll (kept out of the row, so heartbeats alone change nothing on screen). */
  nodeTooltip(el: TreeElement): string | undefined {
    if (el.kind !== 'node' || !el.nodeId) return el.tooltip;
    const snap = this.clusters.get(el.cluster)?.snapshot;
    const node = snap?.nodes?.find((n) => n.id === el.nodeId);
    if (!node || !snap || el.contextValue === 'node stopped') return el.tooltip;
    return [el.tooltip, heartbeatLine(node, snap.at)].filter(Boolean).join('\n');
  }

  /** Everything currently in the tree, depth-first: for tests and the test API. */
  flatten(): Array<{ id: string; label: string; description?: string; depth: number; contextValue?: string; icon?: string }> {
    const out: ReturnType<ClusterTreeModel['flatten']> = [];
    const walk = (els: TreeElement[], depth: number) => {
      for (const e of els) {
        out.push({ id: e.id, label: e.label, description: e.description, depth, contextValue: e.contextValue, icon: e.icon?.id });
        if (e.children) walk(e.children, depth + 1);
      }
    };
    walk(this.rootElements, 0);
    return out;
  }

  // ---- reconciliation ----

  private rebuild(): TreeElement[] | 'all' {
    const specs = [...this.clusters.values()]
      .sort((a, b) => a.profile.name.localeCompare(b.profile.name))
      .map((c) => this.clusterSpec(c));
    const changed = new Set<TreeElement>();
    const sameRoots = sameIds(this.rootElements, specs);
    const seen = new Set<string>();
    this.rootElements = specs.map((s) => this.reconcile(s, changed, seen));
    for (const id of [...this.byId.keys()]) if (!seen.has(id)) this.byId.delete(id);
    return sameRoots ? [...changed] : 'all';
  }

  private reconcile(spec: Spec, changed: Set<TreeElement>, seen: Set<string>): TreeElement {
    if ('kept' in spec) {
      markSeen(spec.kept, seen);
      return spec.kept;
    }
    seen.add(spec.id);
    let el = this.byId.get(spec.id);
    const { children: childSpecs, ...fields } = spec;
    if (!el || el.kind !== spec.kind) {
      el = { ...fields } as TreeElement;
      this.byId.set(spec.id, el);
    } else if (lookKey(el) !== lookKey(fields as TreeElement)) {
      Object.assign(el, fields);
      for (const k of ['description', 'tooltip', 'icon', 'contextValue', 'command', 'nodeId', 'task'] as const) {
        if (!(k in fields)) delete el[k];
      }
      changed.add(el);
    } else {
      el.task = fields.task;
    }
    if (childSpecs) {
      const before = el.children;
      const kids = childSpecs.map((c) => this.reconcile(c, changed, seen));
      if (before && !sameIds(before, childSpecs)) changed.add(el);
      el.children = kids;
    } else if (el.children) {
      delete el.children;
      changed.add(el);
    }
    return el;
  }

  // ---- specs ----

  private clusterSpec(c: ClusterState): Spec {
    const { profile, snapshot: s } = c;
    const active = profile.name === this.active;
    const id = `cluster:${profile.name}`;
    const health = healthIcon(s);
    const flags = ['cluster', active ? 'active' : 'inactive', profile.local ? 'local' : 'remote'];
    const tooltip = [
      `${profile.name}${active ? ` (${l10n.t('active cluster')})` : ''}`,
      l10n.t('Hub: {0}', profile.computehubUrl),
      l10n.t('Redis: {0}', maskUrl(profile.redisUrl)),
      '',
      ...describeChecks(s),
      ...healthAdvice(s),
    ].join('\n');
    return {
      id,
      kind: 'cluster',
      cluster: profile.name,
      label: profile.name,
      description: [active ? l10n.t('active') : undefined, profile.computehubUrl].filter(Boolean).join(' · '),
      tooltip,
      icon: health,
      contextValue: flags.join(' '),
      collapsible: active ? 'expanded' : 'collapsed',
      children: [
        this.group(c, 'nodes', [unavailableKey(s), s?.nodes, !!s?.tasks?.length, c.version], () => nodesSpec(c, this.unavailable(c, 'nodes'), this.now())),
        this.group(c, 'tasks', [unavailableKey(s), s?.tasks, s?.forgotten, s?.lengths, s?.stalled?.task, s?.stalled?.items, s?.stalled?.reason, s?.leftBehind, c.version, c.completedLimit, c.pendingLimit], () => tasksSpec(c, this.unavailable(c, 'tasks'))),
        this.group(c, 'queues', [s?.queues, s?.lengths, s?.inFlight, s?.unaccounted?.task, s?.unaccounted?.items, s?.failed, s?.redis?.ok, s?.redis?.ok === false ? s.redis.message : undefined], () => queuesSpec(c)),
      ],
    };
  }

  /** The group's element as it is when built from the same inputs, else a new spec. */
  private group(c: ClusterState, group: Group, inputs: readonly unknown[], build: () => Spec): Spec {
    const id = `cluster:${c.profile.name}/${group}`;
    const kept = this.byId.get(id);
    const before = c.built[group];
    if (kept && before && before.length === inputs.length && before.every((v, i) => v === inputs[i])) return { id, kept };
    c.built[group] = inputs;
    return build();
  }

  private unavailable(c: ClusterState, group: string): Spec[] | undefined {
    const s = c.snapshot;
    const id = `cluster:${c.profile.name}/${group}/message`;
    if (!s) return [message(id, c.profile.name, l10n.t('Loading…'), 'loading~spin')];
    if (s.hub && !s.hub.ok) return [message(id, c.profile.name, l10n.t('Hub not reachable'), 'error', s.hub.message)];
    if (s.token && !s.token.ok) return [message(id, c.profile.name, l10n.t('Token rejected'), 'key', s.token.message)];
    return undefined;
  }


}

function healthIcon(s: ClusterSnapshot | undefined): TreeIcon {
  if (!s || !s.hub) return { id: 'circle-large-outline' };
  if (!s.hub.ok) return { id: 'vm-outline', color: 'errorForeground' };
  if (s.token && !s.token.ok) return { id: 'key', color: 'errorForeground' };
  if (s.redis && !s.redis.ok) return { id: 'database', color: 'charts.yellow' };
  if (s.nodes?.some((n) => n.runtime_status === 'Error')) return { id: 'vm-active', color: 'charts.yellow' };
  return { id: 'vm-active', color: 'charts.green' };
}

/** The seed's troubleshooting table, matched on error codes. */
export function healthAdvice(s: ClusterSnapshot | undefined): string[] {
  const out: string[] = [];
  if (s?.hub && !s.hub.ok && (s.hub.code === 'unreachable' || s.hub.code === 'timeout')) {
    out.push(l10n.t('Advice: the hub is not started or the URL is wrong. Start it (or the local cluster) and check the URL.'));
  }
  if (s?.token && !s.token.ok) out.push(l10n.t('Advice: the token does not match the hub\'s computehub.toml. Edit the cluster and enter the right token.'));
  if (s?.redis && !s.redis.ok && (s.redis.code === 'noauth' || s.redis.code === 'wrongpass')) {
    out.push(l10n.t('Advice: Redis password mismatch. Use one password everywhere: the server, the task\'s Redis URLs and pushing.'));
  }
  if (s?.nodes?.some((n) => n.runtime_status === 'Error')) {
    out.push(l10n.t('Advice: a node reports Error: check the task image (multi-stage build, ENTRYPOINT) and its Redis URL and password.'));
  }
  return out.length ? ['', ...out] : out;
}

/** Whether a group is as unavailable as before (loading, hub down, token rejected) and why. */
function unavailableKey(s: ClusterSnapshot | undefined): string {
  if (!s) return 'loading';
  if (s.hub && !s.hub.ok) return `hub\u0000${s.hub.message}`;
  if (s.token && !s.token.ok) return `token\u0000${s.token.message}`;
  return '';
}

/** The monitor hands back the same objects for what did not change. */
function sameAnswer(a: ClusterSnapshot, b: ClusterSnapshot): boolean {
  return (
    a.tasks === b.tasks && a.nodes === b.nodes && a.lengths === b.lengths && a.queues === b.queues && a.forgotten === b.forgotten &&
    sameCheck(a.hub, b.hub) && sameCheck(a.token, b.token) && sameCheck(a.redis, b.redis)
  );
}

function sameCheck(a: Check | undefined, b: Check | undefined): boolean {
  if (!a || !b) return a === b;
  return a.ok === b.ok && (a.ok || (!b.ok && a.message === b.message && a.code === b.code));
}

function markSeen(el: TreeElement, seen: Set<string>): void {
  seen.add(el.id);
  if (el.children) for (const c of el.children) markSeen(c, seen);
}

function sameIds(a: Array<{ id: string }>, b: Array<{ id: string }>): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i].id);
}

function lookKey(e: Omit<TreeElement, 'children'>): string {
  return JSON.stringify([e.label, e.description, e.tooltip, e.icon, e.contextValue, e.collapsible, e.command, e.nodeId]);
}
