// gridcore_try_task_locally: the task author's loop without a cluster job. Builds the folder's
// image (reused when nothing changed) and runs ONE container of it as the cluster's nodes
// would, on a small sample, then returns the trial report (findings first: what to fix, in the
// skill's terms), as Try Task Locally does. Progress follows the trial's phases.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { TrialPhase, TrialSample, TrialTarget } from '../core/trial/types';
import { defaultTag, defaultTaskName } from '../ui-model/build-plan';
import { parseRange } from '../ui-model/push-input';
import { trialMarkdown } from '../ui-model/trial-report';
import { toolPath } from './build';
import { CLUSTER_INPUT, type ToolDeps, type ToolSpec } from './kit';
import { toolCluster } from './targets';

export interface TryInput {
  folder: string;
  dockerfile?: string;
  range?: string;
  items?: string[];
  file?: string;
  count?: number;
  cluster?: string;
  throwawayRedis?: boolean;
  tag?: string;
  timeoutSeconds?: number;
}

const PHASES: readonly TrialPhase[] = ['check', 'build', 'redis', 'push', 'start', 'run', 'collect', 'cleanup'];
const DEFAULT_SAMPLE = 10;

function sampleOf(input: TryInput, deps: ToolDeps): TrialSample {
  const given = [input.range, input.items, input.file].filter((v) => v !== undefined).length;
  if (given > 1) throw new ConfigError('badInput', l10n.t('Give at most one of `range`, `items` or `file` for the sample.'));
  if (input.items !== undefined) return { kind: 'items', items: input.items };
  if (input.file !== undefined) return { kind: 'fileHead', file: toolPath(deps, input.file), count: input.count ?? DEFAULT_SAMPLE };
  const r = parseRange(input.range ?? `1..${input.count ?? DEFAULT_SAMPLE}`);
  if (!r) throw new ConfigError('badInput', l10n.t('Write a range like 1..10000 (from ≤ to, step ≥ 1)'));
  return { kind: 'range', from: r.from, to: r.to, step: r.step };
}

export const tryTaskTool: ToolSpec<TryInput> = {
  name: 'gridcore_try_task_locally',
  title: 'Try Task Locally',
  description:
    "Tries a GridCore task folder before it goes to the cluster: builds its Dockerfile (the image is reused when nothing changed) and runs ONE container the way the cluster's nodes would (same environment, network mode and Redis URL), on a small sample pushed to scratch queues, then removes the container and the scratch keys. Returns the trial report: findings first (wrong Redis password, exec format, hardcoded Redis host, a consumer that never took items or exited early, no results...) with what to fix, then the outcome, exit code, rate, an estimate for the whole job, the first results and the container's last lines. Sample: range (default 1..10), items, or the first count lines of a file. Use it after writing or changing a task, before gridcore_build_and_register.",
  inputSchema: {
    type: 'object',
    properties: {
      folder: { type: 'string', minLength: 1, description: 'Task folder holding the Dockerfile: absolute, or relative to the workspace folder.' },
      dockerfile: { type: 'string', minLength: 1, description: 'Dockerfile path relative to the folder. Default: Dockerfile.' },
      range: { type: 'string', minLength: 1, description: 'Sample of numbers from..to or from..to..step, e.g. 1..20. Default: 1..10.' },
      items: { type: 'array', items: { type: 'string' }, maxItems: 10000, description: 'Sample items given inline, each one string.' },
      file: { type: 'string', minLength: 1, description: 'Take the sample from the first lines of this file (absolute or relative to the workspace folder).' },
      count: { type: 'integer', minimum: 1, maximum: 10000, description: 'Lines of file to take (or the range 1..count). Default 10.' },
      cluster: CLUSTER_INPUT,
      throwawayRedis: { type: 'boolean', description: "Use a throwaway redis-server instead of the cluster's Redis. Default: the cluster's Redis, with scratch queues, when a cluster is configured." },
      tag: { type: 'string', minLength: 1, description: 'Image tag to build. Default: gridcore-task/<folder name>:latest (what gridcore_build_and_register builds).' },
      timeoutSeconds: { type: 'integer', minimum: 5, maximum: 600, description: 'Stop the container after this long. Default 60.' },
    },
    required: ['folder'],
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: false, idempotent: true },
  async prepare(input, deps) {
    return { invocationMessage: l10n.t('Trying {0} on a sample', toolPath(deps, input.folder)) };
  },
  async run(input, deps, signal, progress) {
    const { service } = deps;
    const folder = toolPath(deps, input.folder);
    const dockerfile = path.join(folder, input.dockerfile ?? 'Dockerfile');
    if (!existsSync(dockerfile)) throw new ConfigError('io', l10n.t('There is no Dockerfile at {0}: give the task folder (or `dockerfile`).', dockerfile));
    const sample = sampleOf(input, deps);
    let target: TrialTarget | undefined;
    if (!input.throwawayRedis) {
      const names = (await service.profiles.list()).map((p) => p.name);
      // With no cluster configured (and none named), a throwaway Redis stands in.
      if (input.cluster !== undefined || names.length) target = await service.trialTarget(await toolCluster(service, input.cluster));
    }
    const tag = input.tag ?? deps.imageTagOf?.(folder) ?? defaultTag(defaultTaskName(folder));
    const report = await service.trial({
      dockerfile,
      tag,
      sample,
      target,
      timeoutMs: (input.timeoutSeconds ?? 60) * 1000,
      signal,
      onPhase: (phase, text) => progress?.(PHASES.indexOf(phase) + 1, PHASES.length, text),
    });
    return trialMarkdown(report, target?.parallelism ? target.name : undefined);
  },
};
