// One way to put a failure on screen: the core's errors are already localized and say what
// to do; anything else is shown with a pointer to the log.
import * as vscode from 'vscode';
import { isGridCoreError } from '../core/errors';
import type { Logger } from '../core/ports';

export async function showError(logger: Logger, e: unknown, context?: string): Promise<void> {
  logger.error(e instanceof Error ? e : String(e));
  const text = isGridCoreError(e)
    ? e.message
    : vscode.l10n.t('Unexpected error: {0}. See the GridCore log for details.', e instanceof Error ? e.message : String(e));
  const showLog = vscode.l10n.t('Show Log');
  const pick = await vscode.window.showErrorMessage(context ? `${context}: ${text}` : text, showLog);
  if (pick === showLog) await vscode.commands.executeCommand('gridcore.showLogs');
}
