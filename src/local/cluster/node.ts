// The local cluster's node: our GridNode in-process (default; its id kept in a state file),
// or an upstream `gridnode` binary run with a gridnode.toml we write. A cluster of several
// nodes starts this once per node: each has its own id file or config (node 1 keeps the names
// a one-node cluster used) and reports its own hostname, so the hub sees distinct machines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { appendNodeExit } from '../../core/node-exits';
import type { Logger } from '../../core/ports';
import { redact } from '../../core/redact';
import { GridNode, type GridNodeOptions } from '../node/grid-node';
import { configToml, readGridNodeId } from '../upstream-config';
import { readJson, writePrivateJson } from './state';
import { spawnWatched } from '../../core/machine/watchdog';

/** The node settings the local cluster passes on, the same for our GridNode and a gridnode.toml;
 *  networkMode defaults to 'host' here, so that containers reach the cluster's Redis on 127.0.0.1. */
export type LocalNodeSettings = Pick<
  GridNodeOptions,
  'parallelism' | 'heartbeatIntervalMs' | 'taskPollIntervalMs' | 'stopTimeoutMs' | 'containerMemoryMb' | 'networkMode' | 'lifecycle'
>;

export interface LocalNode {
  kind: 'embedded' | 'binary';
  /** known at once for ours; for a binary, read from /api/nodes once it registered */
  nodeId?: string;
  pid?: number;
  /** a binary node's own process (not its watchdog's), while it runs */
  commandPid?(): number | undefined;
  gridNode?: GridNode;
  /** resolves once the node ended: stopped by the hub (Stop Node), or by stop() */
  exited: Promise<unknown>;
  stop(): Promise<void>;
}

export async function startLocalNode(o: {
  hubUrl: string;
  token: string;
  binary?: string;
  runDir: string;
  docker: Docker;
  socketPath?: string;
  settings: LocalNodeSettings;
  /** 0-based place of this node in the cluster (default 0) */
  index?: number;
  /** hostname to report instead of this machine's (our node only: upstream reports its own) */
  hostname?: string;
  /** our node as a process of its own (dist/gridnode.js run by this Node), which the detached
   *  cluster restarts when it dies; it reads its token from its gridnode.toml (mode 600) */
  nodeBundle?: string;
  logger: Logger;
}): Promise<LocalNode> {
  mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
  const s = o.settings;
  const suffix = o.index ? `-${o.index + 1}` : '';
  if (!o.binary && !o.nodeBundle) {
    const idFile = join(o.runDir, `node${suffix}.json`);
    const node = new GridNode({
      serverUrl: o.hubUrl,
      token: o.token,
      nodeId: readJson<{ node_id?: string }>(idFile)?.node_id,
      saveNodeId: (id) => writePrivateJson(idFile, { node_id: id }),
      ...s,
      hostname: o.hostname,
      networkMode: s.networkMode ?? 'host',
      docker: o.docker,
      logger: o.logger,
      // Kept beside the node's id, for the tree's tooltip and Diagnose in any window.
      onContainerExit: (exit) => appendNodeExit(join(o.runDir, 'exits.json'), exit),
    });
    const id = await node.start();
    return { kind: 'embedded', nodeId: id, gridNode: node, exited: node.exited, stop: () => node.dispose() };
  }

  const config = join(o.runDir, `gridnode${suffix}.toml`);
  const seconds = (ms: number | undefined) => (ms ? Math.max(1, Math.round(ms / 1000)) : undefined);
  const toml = configToml({
    server_url: o.hubUrl,
    token: o.token,
    // the id it wrote back last time: it comes back as the same node and removes what it left
    // (a state folder of the in-process node, before the cluster ran detached, kept it in node.json)
    node_id: readGridNodeId(config) ?? (o.nodeBundle ? readJson<{ node_id?: string }>(join(o.runDir, `node${suffix}.json`))?.node_id : undefined),
    parallelism: s.parallelism || undefined,
    heartbeat_interval: seconds(s.heartbeatIntervalMs),
    stop_timeout: seconds(s.stopTimeoutMs),
    container_memory: s.containerMemoryMb || undefined,
    // Our extensions; upstream ignores them and drops them when it writes node_id back (its
    // containers stay on the default bridge: the cluster's Redis listens at its gateway then).
    network_mode: s.networkMode ?? 'host',
    task_poll_interval: s.taskPollIntervalMs ? s.taskPollIntervalMs / 1000 : undefined,
    hostname: o.hostname,
    lifecycle: s.lifecycle,
  });
  writeFileSync(config, toml, { mode: 0o600 });
  const command = o.binary ?? process.execPath;
  o.logger.info(`starting ${o.binary ?? o.nodeBundle} with ${config}`);
  const graceMs = (s.stopTimeoutMs ?? 30_000) + 5000;
  // Upstream's binaries read no arguments: the file is found through IDM_GRIDCORE_CONFIG.
  const p = spawnWatched(command, o.binary ? [] : [o.nodeBundle!], {
    graceMs,
    nodeScript: !o.binary,
    selfWatching: !o.binary,
    env: {
      IDM_GRIDCORE_CONFIG: config,
      ...(o.socketPath ? { DOCKER_HOST: `unix://${o.socketPath}` } : {}),
      // our node keeps its failed containers' lines beside its id, as the in-process one does
      ...(o.binary ? {} : { GRIDCORE_NODE_EXITS: join(o.runDir, 'exits.json') }),
    },
    cwd: o.runDir,
    logger: o.logger,
    redact: (line) => redact(line, [o.token]),
  });
  return { kind: 'binary', pid: p.pid, commandPid: () => p.commandPid(), exited: p.exited, stop: () => p.stop(graceMs + 1000) };
}
