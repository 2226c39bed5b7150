// The local cluster's node: our GridNode in-process (default; its id kept in a state file),
// or an upstream `gridnode` binary run with a gridnode.toml we write.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from '../../core/ports';
import { redact } from '../../core/redact';
import { GridNode } from '../node/gridNode';
import { flatToml, readJson, writePrivateJson } from './state';
import { spawnWatched } from './watchdog';

export interface LocalNodeSettings {
  parallelism?: number;
  heartbeatIntervalMs?: number;
  taskPollIntervalMs?: number;
  stopTimeoutMs?: number;
  containerMemoryMb?: number;
  /** default 'host': containers reach the cluster's Redis on 127.0.0.1 */
  networkMode?: string;
}

export interface LocalNode {
  kind: 'embedded' | 'binary';
  /** known at once for ours; for a binary, read from /api/nodes once it registered */
  nodeId?: string;
  pid?: number;
  gridNode?: GridNode;
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
  logger: Logger;
}): Promise<LocalNode> {
  mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
  const s = o.settings;
  if (!o.binary) {
    const idFile = join(o.runDir, 'node.json');
    const node = new GridNode({
      serverUrl: o.hubUrl,
      token: o.token,
      nodeId: readJson<{ node_id?: string }>(idFile)?.node_id,
      saveNodeId: (id) => writePrivateJson(idFile, { node_id: id }),
      parallelism: s.parallelism,
      heartbeatIntervalMs: s.heartbeatIntervalMs,
      taskPollIntervalMs: s.taskPollIntervalMs,
      stopTimeoutMs: s.stopTimeoutMs,
      containerMemoryMb: s.containerMemoryMb,
      networkMode: s.networkMode ?? 'host',
      docker: o.docker,
      logger: o.logger,
    });
    const id = await node.start();
    return { kind: 'embedded', nodeId: id, gridNode: node, stop: () => node.dispose() };
  }

  const config = join(o.runDir, 'gridnode.toml');
  const toml: Record<string, string | number> = { server_url: o.hubUrl, token: o.token };
  if (s.parallelism) toml.parallelism = s.parallelism;
  if (s.heartbeatIntervalMs) toml.heartbeat_interval = Math.max(1, Math.round(s.heartbeatIntervalMs / 1000));
  if (s.stopTimeoutMs) toml.stop_timeout = Math.max(1, Math.round(s.stopTimeoutMs / 1000));
  if (s.containerMemoryMb) toml.container_memory = s.containerMemoryMb;
  writeFileSync(config, flatToml(toml), { mode: 0o600 });
  o.logger.info(`starting ${o.binary} -c ${config}`);
  const p = spawnWatched(o.binary, ['-c', config], {
    env: { IDM_GRIDCORE_CONFIG: config, ...(o.socketPath ? { DOCKER_HOST: `unix://${o.socketPath}` } : {}) },
    cwd: o.runDir,
    logger: o.logger,
    redact: (line) => redact(line, [o.token]),
  });
  return { kind: 'binary', pid: p.pid, stop: () => p.stop((s.stopTimeoutMs ?? 30_000) + 5000) };
}
