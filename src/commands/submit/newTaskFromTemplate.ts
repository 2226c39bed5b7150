// gridcore.newTaskFromTemplate: a task folder (consumer + Dockerfile that follow the seed's
// rules) copied into the workspace, with its Dockerfile opened, ready to build.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createFromTemplate, listTemplates, validateTaskName } from '../../core/templates';
import type { CommandContext, CommandRegistry } from '../registry';

/** `{ template, folder, taskName, overwrite }` lets tests skip the questions. */
interface TemplateArgs {
  template?: string;
  folder?: string;
  taskName?: string;
  overwrite?: boolean;
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
    let parent = a.folder ? path.dirname(a.folder) : arg instanceof vscode.Uri ? arg.fsPath : undefined;
    if (!a.folder && !parent) {
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.length === 1) parent = folders[0].uri.fsPath;
      else {
        const uris = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, openLabel: vscode.l10n.t('Create Task Here') });
        parent = uris?.[0]?.fsPath;
      }
      if (!parent) return;
    }
    const taskName =
      a.taskName ??
      (await vscode.window.showInputBox({
        prompt: vscode.l10n.t('Task name (also the new folder\'s name)'),
        value: id.replace(/[^a-zA-Z0-9_.-]/g, '-'),
        validateInput: (v) => validateTaskName(v.trim()),
      }))?.trim();
    if (!taskName) return;
    const folder = a.folder ?? path.join(parent!, taskName);
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
