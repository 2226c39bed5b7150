// gridcore_build_and_register: a folder's Dockerfile built into an image (pushed to the
// cluster's registry when its nodes are elsewhere) and registered as a task, as the Build and
// Register command does, without its questions: what the model does not give gets the
// command's defaults. The build log comes back summarised; a failing step names its
// Dockerfile line.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, DockerError, type DockerErrorCode } from '../core/errors';
import { l10n } from '../core/l10n';
import { validateTaskName } from '../core/templates';
import { defaultTag, defaultTaskName, isValidTag, registrationRequest, registryTag, tasksAhead } from '../ui-model/build-plan';
import { buildLogSummary } from './format';
import { toolCluster } from './targets';
import { CLUSTER_INPUT, type ToolDeps, type ToolSpec } from './kit';

export interface BuildInput {
  folder: string;
  dockerfile?: string;
  taskName?: string;
  tag?: string;
  cluster?: string;
  inputQueue?: string;
  outputQueue?: string;
}

/** An absolute folder, or one relative to the first workspace folder. */
export function toolPath(deps: ToolDeps, p: string): string {
  if (path.isAbsolute(p)) return path.normalize(p);
  const root = deps.workspaceFolder();
  if (!root) throw new ConfigError('badInput', l10n.t('"{0}" is a relative path and no folder is open: give an absolute path.', p));
  return path.resolve(root, p);
}

function dockerfileLine(file: string, line: number): string | undefined {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)[line - 1]?.trim();
  } catch {
    return undefined;
  }
}

/** The build error with what a model needs to fix it: the step's line and its output's end. */
function buildFailure(e: DockerError, dockerfile: string, log: string[]): DockerError {
  const parts = [e.message];
  if (e.location) {
    const text = dockerfileLine(path.join(path.dirname(dockerfile), e.location.file), e.location.line);
    parts.push(l10n.t('Failing step: {0} line {1}: {2}', e.location.file, e.location.line, text ?? '?'));
  }
  const output = (e.log ?? '').split(/\r?\n/).filter((l) => l.trim());
  const tail = output.length ? output.slice(-15) : buildLogSummary(log, 10);
  if (tail.length) parts.push(l10n.t('End of the build output:'), ...tail);
  return new DockerError(e.code as DockerErrorCode, parts.join('\n'), e.log, { cause: e, location: e.location });
}

export const buildTool: ToolSpec<BuildInput> = {
  name: 'gridcore_build_and_register',
  title: 'Build and Register Task',
  description:
    "Builds the Docker image of a task folder (its Dockerfile) and registers it as a task on a GridCore cluster, with the cluster's Redis URL (password included, never shown) and the task's input and output queues; for a remote cluster the image is pushed to the cluster's registry first. Returns the build log summarised and whether the task started or waits; on a failed build, the failing Dockerfile line and the end of its output. Use it instead of docker build and curl POST /api/tasks.",
  inputSchema: {
    type: 'object',
    properties: {
      folder: { type: 'string', minLength: 1, description: 'Task folder holding the Dockerfile: absolute, or relative to the workspace folder.' },
      dockerfile: { type: 'string', minLength: 1, description: 'Dockerfile path relative to the folder. Default: Dockerfile.' },
      taskName: { type: 'string', minLength: 1, description: "Task name (letters, digits, -, _, .). Default: the folder's name." },
      tag: { type: 'string', minLength: 1, description: 'Image tag. Default: gridcore-task/<task>:latest.' },
      cluster: CLUSTER_INPUT,
      inputQueue: { type: 'string', minLength: 1, description: 'Input queue (Redis list). Default: from the queue naming settings, <task>:input.' },
      outputQueue: { type: 'string', minLength: 1, description: 'Output queue (Redis list). Default: <task>:output.' },
    },
    required: ["folder"],
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: false, idempotent: false },
  async prepare(input, deps) {
    return { invocationMessage: l10n.t('Building {0} and registering it', toolPath(deps, input.folder)) };
  },
  async run(input, deps, signal) {
    const { service } = deps;
    const folder = toolPath(deps, input.folder);
    const dockerfile = path.join(folder, input.dockerfile ?? 'Dockerfile');
    const taskName = input.taskName ?? defaultTaskName(folder);
    const badName = validateTaskName(taskName);
    if (badName) throw new ConfigError('badInput', badName);
    const tag = input.tag ?? defaultTag(taskName);
    if (!isValidTag(tag)) throw new ConfigError('badInput', l10n.t('Not a valid image name: use lower-case name[:tag], e.g. gridcore-task/sqrt:latest'));
    const cluster = await toolCluster(service, input.cluster);
    const profile = (await service.profiles.get(cluster))!;
    const remote = !profile.local;
    if (remote && !profile.registry) {
      throw new ConfigError(
        'missingField',
        `${l10n.t('Cluster {cluster} has no registry, so its nodes cannot pull {tag} from this machine.', { cluster, tag })} ${l10n.t('Set a registry in the cluster\'s profile, or make sure every node already has the image.')}`,
      );
    }
    const naming = deps.naming(taskName);
    const queues = { input: input.inputQueue ?? naming.input, output: input.outputQueue ?? naming.output };

    const log: string[] = [];
    let built;
    try {
      built = await service.images.build({ context: folder, dockerfile: path.relative(folder, dockerfile), tag, signal, onLog: (l) => log.push(l) });
    } catch (e) {
      throw e instanceof DockerError && e.code !== 'cancelled' ? buildFailure(e, dockerfile, log) : e;
    }
    let image = tag;
    if (remote && profile.registry) {
      image = registryTag(profile.registry, tag);
      const login = await deps.registryLogin(cluster);
      await service.images.tag(tag, image);
      await service.images.push(image, { username: login?.username, password: login?.password, signal, onLog: (l) => log.push(l) });
    }
    const resolved = await service.profiles.resolve(cluster);
    const req = registrationRequest(taskName, { input: resolved.redisUrl, output: resolved.redisUrl }, queues, [], [image]);
    const { started, view } = await service.registerTask(cluster, req, { folder });
    await deps.refresh(cluster);
    return [
      l10n.t('Built {0} from {1} (image {2}).', tag, dockerfile, built.imageId.slice(0, 19)),
      l10n.t('Build log, summarised:'),
      ...buildLogSummary(log),
      started
        ? l10n.t('Task {task} registered on {cluster} and started: nodes are pulling {image}.', { task: taskName, cluster, image })
        : l10n.t('Task {task} registered on {cluster}: it waits behind {n} other tasks.', { task: taskName, cluster, n: tasksAhead(view, taskName) }),
      l10n.t('Input queue {0}, output queue {1}. Next: push data with gridcore_push_data.', queues.input, queues.output),
    ].join('\n');
  },
};
