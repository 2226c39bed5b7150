// Restricted Mode (an untrusted workspace): commands that would run files from the workspace
// (a Dockerfile's build steps are the workspace's own commands) say why they are off and
// offer the trust editor, instead of running. The registry asks here, in one place.
import * as vscode from 'vscode';

export function workspaceTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** Shows why the command is off; the promise does not wait for the user's answer. */
export function explainRestricted(message: string): void {
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void vscode.window.showWarningMessage(message, manage).then((pick) => {
    if (pick === manage) void vscode.commands.executeCommand('workbench.trust.manage');
  });
}
