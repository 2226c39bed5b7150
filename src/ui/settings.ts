// Reads the `gridcore.*` settings in the units the code uses.
import * as vscode from 'vscode';
import type { ServiceSettings } from '../core/service-api';

function cfg() {
  return vscode.workspace.getConfiguration('gridcore');
}

export function serviceSettings(): Partial<ServiceSettings> {
  const c = cfg();
  return {
    hubTimeoutMs: c.get<number>('hubTimeoutSeconds', 10) * 1000,
    redisTimeoutMs: c.get<number>('redisTimeoutSeconds', 5) * 1000,
    dockerTimeoutMs: c.get<number>('dockerTimeoutSeconds', 30) * 1000,
    pushBatchSize: c.get<number>('pushBatchSize', 1000),
  };
}

export function pollIntervalMs(): number {
  return Math.max(1, cfg().get<number>('pollIntervalSeconds', 5)) * 1000;
}

export function queueNaming(task: string): { input: string; output: string } {
  const c = cfg();
  const fill = (pattern: string) => pattern.split('{task}').join(task);
  return { input: fill(c.get<string>('queueNaming.input', '{task}:input')), output: fill(c.get<string>('queueNaming.output', '{task}:output')) };
}

export interface LocalClusterSettings {
  hubPort: number;
  redisPort: number;
  parallelism: number;
  computehubPath: string;
  gridnodePath: string;
  redisServerPath: string;
  nodes: number;
}

export function localClusterSettings(): LocalClusterSettings {
  const c = cfg();
  return {
    hubPort: c.get<number>('localCluster.hubPort', 0),
    redisPort: c.get<number>('localCluster.redisPort', 0),
    parallelism: c.get<number>('localCluster.parallelism', 0),
    computehubPath: c.get<string>('localCluster.computehubPath', ''),
    gridnodePath: c.get<string>('localCluster.gridnodePath', ''),
    redisServerPath: c.get<string>('localCluster.redisServerPath', ''),
    nodes: c.get<number>('localCluster.nodes', 1),
  };
}

/** How long a processing list may keep one batch before it counts as stranded. */
export function strandedAfterMs(): number {
  return Math.max(5, cfg().get<number>('strandedAfterSeconds', 120)) * 1000;
}

export interface TrialSettings {
  sampleSize: number;
  timeoutMs: number;
  estimateItems: number;
}

export function trialSettings(): TrialSettings {
  const c = cfg();
  const positive = (v: number | undefined, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  return {
    sampleSize: Math.floor(positive(c.get<number>('trial.sampleSize'), 10)),
    timeoutMs: positive(c.get<number>('trial.timeoutSeconds'), 60) * 1000,
    estimateItems: Math.floor(positive(c.get<number>('trial.estimateItems'), 1_000_000)),
  };
}
