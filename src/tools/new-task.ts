// gridcore_new_task_from_template: a task folder written from one of the templates (media/
// templates: reliable consumers that follow the README's convention), as New Task from
// Template does. It never overwrites: an existing folder gets a -2, -3... sibling.
import { existsSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';
import { createFromTemplate, freeFolder, listTemplates, validateTaskName } from '../core/templates';
import { toolPath } from './build';
import type { ToolSpec } from './kit';

export interface NewTaskInput {
  template: string;
  taskName: string;
  folder?: string;
}

export const TEMPLATE_IDS = ['shell-square', 'python-sqrt'];

export const newTaskTool: ToolSpec<NewTaskInput> = {
  name: 'gridcore_new_task_from_template',
  title: 'New Task from Template',
  description:
    'Writes a new GridCore task folder (Dockerfile and a reliable consumer that follows the cluster convention: batches into a processing list, results pushed, batch dropped atomically) from a template: shell-square (busybox + redis-cli, builds offline on the local cluster) or python-sqrt (Python, needs a registry and PyPI). Never overwrites: if the folder exists a free name beside it is used. Returns the files written. Next: gridcore_try_task_locally on the folder, then gridcore_build_and_register.',
  inputSchema: {
    type: 'object',
    properties: {
      template: { type: 'string', enum: TEMPLATE_IDS, description: 'Which template.' },
      taskName: { type: 'string', minLength: 1, description: 'Task name (letters, digits, -, _, .): used in the files and as the folder name.' },
      folder: { type: 'string', minLength: 1, description: 'The folder to create: absolute, or relative to the workspace folder. Default: <workspace>/<taskName>.' },
    },
    required: ['template', 'taskName'],
    additionalProperties: false,
  },
  effects: { readOnly: false, destructive: false, idempotent: false },
  async run(input, deps) {
    const bad = validateTaskName(input.taskName);
    if (bad) throw new ConfigError('badInput', bad);
    const wanted = toolPath(deps, input.folder ?? input.taskName);
    const folder = freeFolder(dirname(wanted), basename(wanted), existsSync);
    const written = await createFromTemplate(input.template, folder, { taskName: input.taskName });
    const template = (await listTemplates()).find((t) => t.id === input.template);
    deps.logger.info(`tool: wrote template ${input.template} into ${folder}`);
    return [
      folder === wanted ? l10n.t('Created {0} from the template {1}.', folder, template?.title ?? input.template) : l10n.t('{0} exists, so the task went into {1} (template {2}).', wanted, folder, template?.title ?? input.template),
      l10n.t('Files:'),
      ...written.map((f) => `- ${f}`),
      l10n.t('Next: try it on a sample with gridcore_try_task_locally (folder {0}), then gridcore_build_and_register.', folder),
    ].join('\n');
  },
};
