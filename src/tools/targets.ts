// Names a model passes (cluster, task, queue, node) turned into what the service needs. A
// model cannot answer a quick pick, so where a command would ask, these say in the error
// which names exist, so that the next call can name one. No `vscode` here.
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import type { GridCoreService } from '../core/service-api';
import type { HubNode, TaskView } from '../core/types';
import { taskQueueNames } from '../ui-model/task-queues';

export type QueueRole = 'input' | 'output';
export type QueueNaming = (task: string) => { input: string; output: string };

/** The named cluster, else the active one, else the only one. */
export async function toolCluster(service: GridCoreService, name: string | undefined): Promise<string> {
  const profiles = await service.profiles.list();
  const names = profiles.map((p) => p.name);
  if (name !== undefined) {
    if (names.includes(name)) return name;
    throw new ConfigError(
      'unknownCluster',
      names.length
        ? l10n.t('There is no cluster named "{0}". Configured clusters: {1}.', name, names.join(', '))
        : l10n.t('There is no cluster named "{0}", and no cluster is configured: start the local cluster, or add or import one.', name),
    );
  }
  const active = await service.profiles.getActive();
  if (active && names.includes(active)) return active;
  if (names.length === 1) return names[0];
  if (!names.length) throw new ConfigError('unknownCluster', l10n.t('No cluster is configured. Add one, import the skill\'s files, or start a local cluster.'));
  throw new ConfigError('unknownCluster', l10n.t('No cluster is active. Name one of: {0}.', names.join(', ')));
}

/** A task by name (the running entry first, names repeat), else the running task. */
export async function toolTask(service: GridCoreService, cluster: string, name: string | undefined, tasks?: TaskView[]): Promise<TaskView> {
  const list = tasks ?? (await service.listTasks(cluster));
  if (name === undefined) {
    const running = list.find((t) => t.state === 'running');
    if (running) return running;
    throw new ConfigError('unknownTask', l10n.t('No task is running on {0}: name a task ({1}).', cluster, distinctNames(list) || l10n.t('none registered')));
  }
  const found = list.find((t) => t.name === name && t.state === 'running') ?? list.find((t) => t.name === name);
  if (found) return found;
  throw new ConfigError('unknownTask', l10n.t('There is no task named "{0}" on cluster {1}. Its tasks: {2}.', name, cluster, distinctNames(list) || l10n.t('none registered')));
}

function distinctNames(tasks: readonly TaskView[]): string {
  return [...new Set(tasks.map((t) => t.name))].join(', ');
}

export interface ToolQueue {
  cluster: string;
  queue: string;
  /** the task it belongs to, when known */
  taskName?: string;
}

/**
 * A queue named outright, or a task's input or output queue: its record's, else what the
 * hub hands nodes, else the queue naming settings (as the commands do).
 */
export async function toolQueue(
  service: GridCoreService,
  cluster: string,
  input: { task?: string; queue?: string },
  role: QueueRole,
  naming: QueueNaming,
): Promise<ToolQueue> {
  if (input.queue !== undefined) {
    const record = service.tasks.list(cluster).find((r) => (role === 'input' ? r.inputQueue : r.outputQueue) === input.queue);
    return { cluster, queue: input.queue, taskName: input.task ?? record?.name };
  }
  const task = await toolTask(service, cluster, input.task);
  const names = await taskQueueNames(service, cluster, task);
  const queue = (role === 'input' ? names.input : names.output) ?? naming(task.name)[role];
  return { cluster, queue, taskName: task.name };
}

/** A node by id or hostname; a hostname that several nodes share must be given as an id. */
export function toolNode(nodes: readonly HubNode[], cluster: string, key: string): HubNode {
  const byId = nodes.find((n) => n.id === key);
  if (byId) return byId;
  const byHost = nodes.filter((n) => n.hostname === key);
  if (byHost.length === 1) return byHost[0];
  if (byHost.length > 1) {
    throw new ConfigError('unknownNode', l10n.t('Several nodes of {0} are called {1}: name one by id ({2}).', cluster, key, byHost.map((n) => n.id).join(', ')));
  }
  const known = nodes.map((n) => `${n.hostname} (${n.id})`).join(', ');
  throw new ConfigError('unknownNode', l10n.t('There is no node "{0}" on cluster {1}. Its nodes: {2}.', key, cluster, known || l10n.t('none registered')));
}
