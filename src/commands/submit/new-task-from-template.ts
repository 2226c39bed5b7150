// gridcore.newTaskFromTemplate: a task folder (consumer + Dockerfile that follow the seed's
// rules) copied into the workspace, with its Dockerfile opened, ready to build.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { createFromTemplate, freeFolder, listTemplates, validateTaskName } from '../../core/templates';
import type { CommandContext, CommandRegistry } from '../registry';

/** `{ template, folder, taskName, overwrite }` lets tests skip the questions. */
interface TemplateArgs {
  template?: string;
  folder?: string;
  taskName?: string;
  overwrite?: boolean;
}

/** Where the task folder goes: by default a new folder named after the task (a free name:
 *  `sq`, `sq-2`, …) under the workspace (or the folder the command was invoked on); or a new
 *  folder under one the user picks. Never an existing folder, so nothing is overwritten. */
async function askWhere(taskName: string, parent: string | undefined): Promise<string | undefined> {
  type Choice = vscode.QuickPickItem & { folder?: string };
  const choices: Choice[] = [];
  if (parent) {
    const folder = freeFolder(parent, taskName, existsSync);
    const shown = vscode.workspace.asRelativePath(folder, true);
    choices.push({ label: `$(new-folder) ${shown}`, description: vscode.l10n.t('a new folder'), folder });
  }
  choices.push({ label: `$(folder-opened) ${vscode.l10n.t('Another folder…')}`, description: vscode.l10n.t('a new folder {0} inside the folder you choose', taskName) });
  const pick = await vscode.window.showQuickPick(choices, { placeHolder: vscode.l10n.t('Where should the folder of task {0} go?', taskName) });
  if (!pick) return undefined;
  if (pick.folder) return pick.folder;
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    defaultUri: parent ? vscode.Uri.file(parent) : undefined,
    openLabel: vscode.l10n.t('Create Task Here'),
  });
  return uris?.[0] ? freeFolder(uris[0].fsPath, taskName, existsSync) : undefined;
}

export function registerTemplateCommand(registry: CommandRegistry, ctx: CommandContext): void {
  registry.register('gridcore.newTaskFromTemplate', async (arg?: unknown) => {
    const a: TemplateArgs = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as TemplateArgs) : {};
    const templatesDir = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'templates').fsPath;
    const templates = await listTemplates(templatesDir);
    let id = a.template;
    if (!id) {
      const pick = await vscode.window.showQuickPick(
        templates.map((t) => ({ label: t.title, detail: t.description, id: t.id })),
        { placeHolder: vscode.l10n.t('Choose a task template') },
      );
      if (!pick) return;
      id = pick.id;
    }
    const taskName =
      a.taskName ??
      (await vscode.window.showInputBox({
        prompt: vscode.l10n.t('Task name (also the new folder\'s name)'),
        value: id.replace(/[^a-zA-Z0-9_.-]/g, '-'),
        validateInput: (v) => validateTaskName(v.trim()),
      }))?.trim();
    if (!taskName) return;
    const folder = a.folder ?? (await askWhere(taskName, arg instanceof vscode.Uri ? arg.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath));
    if (!folder) return;
    const written = await createFromTemplate(id, folder, { taskName }, { templatesDir, overwrite: a.overwrite });
    const dockerfile = written.find((f) => path.basename(f) === 'Dockerfile') ?? written[0];
    if (dockerfile) await vscode.window.showTextDocument(vscode.Uri.file(dockerfile));
    const build = vscode.l10n.t('Build and Register');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Task folder {folder} created from the template.', { folder }), build)
      .then((pick) => (pick === build ? vscode.commands.executeCommand('gridcore.buildAndRegister', vscode.Uri.file(folder)) : undefined));
    return folder;
  });
}
