// The last lines of a node's failed containers, kept after the node removed them (upstream's
// node removes failed containers and their logs with them). The local cluster's node writes
// them to a small file beside its id (state/gridcore-local/exits.json under the skill's
// folder, mode 600, Redis URLs masked), so any window, the tree's tooltip and Diagnose can
// read them, whichever process runs the node.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface NodeExit {
  nodeId: string;
  task: string;
  instance: number;
  code: number;
  /** ISO time */
  at: string;
  /** the container's last lines, masked */
  lines: string[];
}

/** Failures kept per node: the latest ones tell the story. */
export const KEPT_EXITS = 10;

/** Same folder as the local cluster's run dir (src/local/cluster/state.ts clusterPaths().runDir). */
export function nodeExitsFile(skillDir: string): string {
  return join(skillDir, 'state', 'gridcore-local', 'exits.json');
}

export function readNodeExits(file: string, nodeId?: string): NodeExit[] {
  try {
    const all = JSON.parse(readFileSync(file, 'utf8')) as NodeExit[];
    return Array.isArray(all) ? all.filter((e) => !nodeId || e.nodeId === nodeId) : [];
  } catch {
    return [];
  }
}

export function appendNodeExit(file: string, exit: NodeExit): void {
  const kept = readNodeExits(file).filter((e) => e.nodeId === exit.nodeId).slice(-(KEPT_EXITS - 1));
  const others = readNodeExits(file).filter((e) => e.nodeId !== exit.nodeId);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify([...others, ...kept, exit], null, 1) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}
