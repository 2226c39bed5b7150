// gridcore.pushData and gridcore.clearQueue. Pushes stream through the QueueService (never a
// whole file in memory); a cancelled or broken push reports its exact count and can resume
// with the push id, which the service uses to skip the batches that already landed.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pushAndRecord } from '../../core/push-task';
import type { PushResult, PushSource } from '../../core/service-api';
import type { CommandContext, CommandRegistry } from '../registry';
import { resolveQueue, type ResolvedQueue } from './pick-queue';
import { formatCount } from '../../core/numbers';
import { countItems } from '../../core/queues/sources';
import { fileSource, guessFileKind, itemsPerSecond, looksLikeData, parseRange, selectionItems, sourceChoices, type FileKind, type SourceChoice } from '../../ui-model/push-input';

/** `{ source, cluster, taskName|queue, force }` lets tests and other commands skip the questions. */
interface PushArgs {
  source?: PushSource;
  force?: boolean;
}

export function registerPushCommands(registry: CommandRegistry, ctx: CommandContext): void {
  registry.register('gridcore.pushData', async (arg?: unknown) => {
    const source = (arg as PushArgs | undefined)?.source ?? (await pickSource(arg));
    if (!source) return;
    const target = await resolveQueue(ctx.service, arg instanceof vscode.Uri ? undefined : arg, 'input', vscode.l10n.t('Push to the input queue of which task?'));
    if (!target) return;
    const queues = await ctx.service.queues(target.cluster);
    const held = (await queues.lengths([target.queue]))[target.queue] ?? 0;
    if (held > 0 && !(arg as PushArgs | undefined)?.force) {
      const push = vscode.l10n.t('Push');
      const answer = await vscode.window.showWarningMessage(
        held === 1
          ? vscode.l10n.t('Queue {queue} already holds 1 item.', { queue: target.queue })
          : vscode.l10n.t('Queue {queue} already holds {n} items.', { queue: target.queue, n: formatCount(held) }),
        { modal: true, detail: vscode.l10n.t('New items are added to them; workers take all of them. Clear the queue first if the old items are not wanted.') },
        push,
      );
      if (answer !== push) return;
    }
    return runPush(ctx, target, source);
  });

  registry.register('gridcore.clearQueue', async (arg?: unknown) => {
    const role = /\boutput\b/.test(String((arg as { contextValue?: unknown } | undefined)?.contextValue ?? '')) ? 'output' : 'input';
    const placeHolder = role === 'output' ? vscode.l10n.t('Clear the output queue of which task?') : vscode.l10n.t('Clear the input queue of which task?');
    const target = await resolveQueue(ctx.service, arg, role, placeHolder);
    if (!target) return;
    const queues = await ctx.service.queues(target.cluster);
    const held = (await queues.lengths([target.queue]))[target.queue] ?? 0;
    const del = vscode.l10n.t('Delete');
    const answer = await vscode.window.showWarningMessage(
      held === 1
        ? vscode.l10n.t('Delete queue {queue} and its 1 item?', { queue: target.queue })
        : vscode.l10n.t('Delete queue {queue} and its {n} items?', { queue: target.queue, n: formatCount(held) }),
      { modal: true, detail: vscode.l10n.t('This removes the Redis list for good; it cannot be undone.') },
      del,
    );
    if (answer !== del) return;
    await ctx.service.clearQueue(target.cluster, target.queue, { task: target.taskName });
    void vscode.window.showInformationMessage(vscode.l10n.t('Queue {queue} deleted.', { queue: target.queue }));
    await ctx.monitors.refresh(target.cluster);
  });
}

async function runPush(ctx: CommandContext, target: ResolvedQueue, source: PushSource, resumeId?: string): Promise<PushResult> {
  const started = Date.now();
  const { result, added } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Pushing to {queue}', { queue: target.queue }), cancellable: true },
    async (progress, token) => {
      let lastReport = 0;
      return pushAndRecord(ctx.service, target, source, {
        signal: token,
        resumeId,
        onProgress(pushed) {
          const now = Date.now();
          if (now - lastReport < 200) return;
          lastReport = now;
          const rate = itemsPerSecond(pushed, now - started);
          progress.report({ message: vscode.l10n.t('{n} items · {rate} items/s', { n: formatCount(pushed), rate: formatCount(rate) }) });
        },
      });
    },
  );
  const rate = itemsPerSecond(added, Date.now() - started);
  ctx.logger.info(`push ${result.pushId} to ${target.queue}: ${result.pushed} items (${added} this run, ${rate}/s), cancelled=${result.cancelled}${result.error ? `, error: ${result.error.message}` : ''}`);
  void ctx.monitors.refresh(target.cluster);
  const n = formatCount(result.pushed);
  if (result.error || result.cancelled) {
    const resume = vscode.l10n.t('Resume');
    const text = result.error
      ? vscode.l10n.t('Push to {queue} stopped by an error after exactly {n} items: {error}', { queue: target.queue, n, error: result.error.message })
      : vscode.l10n.t('Push to {queue} cancelled: exactly {n} items were pushed.', { queue: target.queue, n });
    const show = result.error ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    if ((await show(text, resume)) === resume) return runPush(ctx, target, source, result.pushId);
    return result;
  }
  const results = vscode.l10n.t('Open Results');
  const pick = await vscode.window.showInformationMessage(
    result.pushed === 1
      ? vscode.l10n.t('Pushed 1 item to {queue}.', { queue: target.queue })
      : vscode.l10n.t('Pushed {n} items to {queue} ({rate} items/s).', { n, queue: target.queue, rate: formatCount(rate) }),
    results,
  );
  if (pick === results) await vscode.commands.executeCommand('gridcore.openResults', target.taskName ? { cluster: target.cluster, taskName: target.taskName } : { cluster: target.cluster, queue: target.queue });
  return result;
}

async function pickSource(arg: unknown): Promise<PushSource | undefined> {
  if (arg instanceof vscode.Uri) {
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.uri.toString() === arg.toString() && !editor.selection.isEmpty) {
      return confirmCount(arg.fsPath, { kind: 'array', items: selectionItems(editor.document.getText(editor.selection)) });
    }
    return confirmCount(arg.fsPath, await pickFileFormat(arg.fsPath));
  }
  const editor = vscode.window.activeTextEditor;
  const doc = editor?.document;
  type Choice = vscode.QuickPickItem & { id: SourceChoice };
  const label = (id: SourceChoice): Choice => {
    switch (id) {
      case 'selection':
        return { id, label: vscode.l10n.t('Editor selection'), description: vscode.l10n.t('one item per line') };
      case 'current':
        return { id, label: vscode.l10n.t('Current file'), description: path.basename(doc!.fileName) };
      case 'file':
        return { id, label: vscode.l10n.t('A file…'), description: vscode.l10n.t('lines, JSON array, JSON Lines or CSV') };
      case 'range':
        return { id, label: vscode.l10n.t('A number range…'), description: '1..10000' };
    }
  };
  const choices = sourceChoices(doc && { fileName: doc.fileName, untitled: doc.isUntitled, hasSelection: !editor!.selection.isEmpty }).map(label);
  const pick = await vscode.window.showQuickPick(choices, { placeHolder: vscode.l10n.t('What to push?') });
  if (!pick) return undefined;
  switch (pick.id) {
    case 'selection':
      return confirmCount(doc!.isUntitled ? undefined : doc!.fileName, { kind: 'array', items: selectionItems(editor!.document.getText(editor!.selection)) });
    case 'current': {
      // Unsaved text is pushed as it is on screen; saved files are streamed from disk.
      if (doc!.isUntitled) return { kind: 'array', items: selectionItems(doc!.getText()) };
      if (doc!.isDirty) return confirmCount(doc!.fileName, { kind: 'array', items: selectionItems(doc!.getText()) });
      return confirmCount(doc!.fileName, await pickFileFormat(doc!.uri.fsPath));
    }
    case 'file': {
      const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: vscode.l10n.t('Push') });
      return uris?.[0] ? confirmCount(uris[0].fsPath, await pickFileFormat(uris[0].fsPath)) : undefined;
    }
    case 'range': {
      const text = await vscode.window.showInputBox({
        prompt: vscode.l10n.t('Numbers to push, as from..to or from..to..step'),
        value: '1..10000',
        validateInput: (v) => (parseRange(v) ? undefined : vscode.l10n.t('Write a range like 1..10000 (from ≤ to, step ≥ 1)')),
      });
      const r = text ? parseRange(text) : undefined;
      return r ? { kind: 'range', from: r.from, to: r.to, step: r.step } : undefined;
    }
  }
}

/** Before pushing from a file that is not obviously data (a script, a README), say how many
 *  items would go and ask; data files and untitled buffers go without a question. */
async function confirmCount(file: string | undefined, source: PushSource | undefined): Promise<PushSource | undefined> {
  if (!source || file === undefined || looksLikeData(file)) return source;
  const n = source.kind === 'array' && Array.isArray(source.items) ? source.items.length : await countItems(source);
  const push = vscode.l10n.t('Push');
  const answer = await vscode.window.showWarningMessage(
    n === 1
      ? vscode.l10n.t('Push 1 item from {file}?', { file: path.basename(file) })
      : vscode.l10n.t('Push {n} items from {file}?', { n: formatCount(n), file: path.basename(file) }),
    { modal: true, detail: vscode.l10n.t('{file} does not look like a data file: each of its items becomes one job for the task\'s containers.', { file: path.basename(file) }) },
    push,
  );
  return answer === push ? source : undefined;
}

async function pickFileFormat(file: string): Promise<PushSource | undefined> {
  const guess = guessFileKind(file);
  const kinds: Array<vscode.QuickPickItem & { fileKind: FileKind; skipHeader?: boolean }> = [
    { fileKind: 'lines', label: vscode.l10n.t('One item per line') },
    { fileKind: 'jsonArray', label: vscode.l10n.t('JSON array: one item per element') },
    { fileKind: 'jsonLines', label: vscode.l10n.t('JSON Lines: one item per line') },
    { fileKind: 'csv', label: vscode.l10n.t('CSV: one item per row'), skipHeader: false },
    { fileKind: 'csv', label: vscode.l10n.t('CSV: one item per row, skip the header row'), skipHeader: true },
  ];
  kinds.sort((a, b) => Number(b.fileKind === guess) - Number(a.fileKind === guess));
  const pick = await vscode.window.showQuickPick(kinds, { placeHolder: vscode.l10n.t('How should {file} be split into items?', { file: path.basename(file) }) });
  return pick ? fileSource(pick.fileKind, file, pick.skipHeader) : undefined;
}
