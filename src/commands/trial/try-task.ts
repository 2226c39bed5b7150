// gridcore.tryTask: the task author's loop. Builds the folder's image (reused when nothing
// changed), runs ONE container of it as the active cluster's nodes would, on a small sample,
// with its output live in the "GridCore Trial" channel, then shows the report (results, exit
// code, rate, estimate, findings) and offers the results view. Everything runs in the core
// (service.trial); this file asks, shows progress and shows the outcome.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DockerError } from '../../core/errors';
import type { TrialReport, TrialSample, TrialTarget } from '../../core/trial/types';
import { trialSettings } from '../../ui/settings';
import type { CommandContext, CommandRegistry } from '../registry';
import type { RecordedChannels } from './recorded-channel';
import { parseRange, selectionItems } from '../../ui-model/push-input';
import { defaultTag, defaultTaskName, isDockerfileName } from '../../ui-model/build-plan';
import { pickDockerfile, showBuildFailure } from '../submit/build-and-register';
import { resultsPanels } from '../submit/index';

/** Tests and other commands can give every answer; the rest is asked. */
interface TryArgs {
  dockerfile?: string;
  sample?: TrialSample;
  /** cluster to imitate; null: none (a throwaway redis-server); undefined: the active one */
  cluster?: string | null;
  tag?: string;
  timeoutMs?: number;
  /** open the results view when the trial has results */
  openResults?: boolean;
}

export function registerTryTaskCommand(registry: CommandRegistry, ctx: CommandContext, channels: RecordedChannels): void {
  let channel: vscode.OutputChannel | undefined;
  const trialLog = () => (channel ??= channels.create(vscode.l10n.t('GridCore Trial')));

  registry.register('gridcore.tryTask', async (arg?: unknown) => {
    const a: TryArgs = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as TryArgs) : {};
    const dockerfile = a.dockerfile ?? (await pickDockerfile(arg instanceof vscode.Uri ? arg : undefined));
    if (!dockerfile) return undefined;
    const folder = path.dirname(dockerfile);
    const settings = trialSettings();
    const sample = a.sample ?? (await pickSample(settings.sampleSize, dockerfile));
    if (!sample) return undefined;
    const clusterName = a.cluster === null ? undefined : (a.cluster ?? (await ctx.service.profiles.getActive()));
    const target: TrialTarget | undefined = clusterName ? await ctx.service.trialTarget(clusterName) : undefined;
    // The image Build and Register would build for this folder: a trial warms its cache.
    const tag = a.tag ?? ctx.extension.workspaceState.get<string>(`gridcore.imageTag:${folder}`) ?? defaultTag(defaultTaskName(folder));

    const log = trialLog();
    log.show(true);
    log.appendLine('');
    log.appendLine(
      target
        ? vscode.l10n.t('Trying {file} as the nodes of {cluster} would run it', { file: dockerfile, cluster: target.name })
        : vscode.l10n.t('Trying {file} on a throwaway Redis (no active cluster)', { file: dockerfile }),
    );
    let report: TrialReport;
    try {
      report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Trying {tag}', { tag }), cancellable: true },
        (progress, token) =>
          ctx.service.trial({
            dockerfile,
            tag,
            sample,
            target,
            timeoutMs: a.timeoutMs ?? settings.timeoutMs,
            estimateItems: settings.estimateItems,
            signal: token,
            onPhase: (_phase, text) => {
              log.appendLine(`— ${text}`);
              progress.report({ message: text });
            },
            onLog: (line) => log.appendLine(line),
          }),
      );
    } catch (e) {
      if (e instanceof DockerError && (e.code === 'buildFailed' || e.code === 'cancelled')) {
        await showBuildFailure(log, dockerfile, e);
        return undefined;
      }
      throw e;
    }

    // The report's wording: its own small bundle (dist/trial-report.js), as the trial's is.
    const { estimateText, trialMarkdown, trialSummary } = await import('../../ui-model/trial-report.js');
    log.appendLine(`— ${trialSummary(report)}`);
    // The estimate names the cluster only when its parallelism is known (its hub answered).
    const estimatedOn = target?.parallelism ? target.name : undefined;
    const estimate = estimateText(report, estimatedOn);
    if (estimate) log.appendLine(`— ${estimate}`);
    const markdown = trialMarkdown(report, estimatedOn);
    await ctx.docs.show(`trial/${report.id}`, markdown);
    const openResults = () => openTrialResults(report);
    if (a.openResults && report.results.length) await openResults();
    else void offerActions(report, trialSummary(report), log, openResults);
    return { report, markdown };
  }, {
    restricted: () =>
      vscode.l10n.t("Try Task Locally is off in Restricted Mode: it builds the workspace's Dockerfile and runs the image on this machine. Trust this folder to turn it on."),
  });
}

async function openTrialResults(report: TrialReport): Promise<void> {
  const { resultsQueue } = await import('../../core/trial/index.js');
  const name = vscode.l10n.t('trial {id}', { id: report.id });
  await resultsPanels()?.openList({ cluster: name, queue: report.outputQueue }, resultsQueue(name, report.outputQueue, report.results));
}

async function offerActions(report: TrialReport, summary: string, log: vscode.OutputChannel, openResults: () => Promise<void>): Promise<void> {
  const results = vscode.l10n.t('Open Results');
  const showLog = vscode.l10n.t('Show Log');
  const buttons = report.results.length ? [results, showLog] : [showLog];
  const failed = report.findings.some((f) => f.severity === 'error');
  const show = failed ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const pick = await show(summary, ...buttons);
  if (pick === results) await openResults();
  else if (pick === showLog) log.show();
}

async function pickSample(size: number, dockerfile: string): Promise<TrialSample | undefined> {
  const editor = vscode.window.activeTextEditor;
  const doc = editor && !isDockerfileName(editor.document.fileName) && editor.document.uri.fsPath !== dockerfile ? editor.document : undefined;
  type Choice = vscode.QuickPickItem & { id: 'selection' | 'current' | 'file' | 'range' };
  const choices: Choice[] = [];
  if (doc && !editor!.selection.isEmpty) choices.push({ id: 'selection', label: vscode.l10n.t('Editor selection'), description: vscode.l10n.t('one item per line') });
  if (doc) choices.push({ id: 'current', label: vscode.l10n.t('First {n} lines of {file}', { n: size, file: path.basename(doc.fileName) }) });
  choices.push({ id: 'range', label: vscode.l10n.t('Numbers 1..{n}', { n: size }), description: vscode.l10n.t('or another range') });
  choices.push({ id: 'file', label: vscode.l10n.t('First {n} lines of a file…', { n: size }) });
  const pick = await vscode.window.showQuickPick(choices, { placeHolder: vscode.l10n.t('Sample to try the task on') });
  if (!pick) return undefined;
  switch (pick.id) {
    case 'selection':
      return { kind: 'items', items: selectionItems(doc!.getText(editor!.selection)).slice(0, 10_000) };
    case 'current':
      return doc!.isUntitled || doc!.isDirty ? { kind: 'items', items: selectionItems(doc!.getText()).slice(0, size) } : { kind: 'fileHead', file: doc!.uri.fsPath, count: size };
    case 'file': {
      const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: vscode.l10n.t('Use as Sample') });
      return uris?.[0] ? { kind: 'fileHead', file: uris[0].fsPath, count: size } : undefined;
    }
    case 'range': {
      const text = await vscode.window.showInputBox({
        prompt: vscode.l10n.t('Numbers to try, as from..to or from..to..step'),
        value: `1..${size}`,
        validateInput: (v) => (parseRange(v) ? undefined : vscode.l10n.t('Write a range like 1..10000 (from ≤ to, step ≥ 1)')),
      });
      const r = text ? parseRange(text) : undefined;
      return r ? { kind: 'range', from: r.from, to: r.to, step: r.step } : undefined;
    }
  }
}
