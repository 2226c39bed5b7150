// The running task's progress in the status bar: one hub list + one pipelined LLEN pair per
// poll, only while the window is focused; hidden when nothing runs, and a warning when the hub
// still hands a completed task to nodes (they are not idle). When the input has drained and
// the results stopped growing, it asks once whether to finish the task.
import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { GridCoreService } from '../core/service-api';
import type { ProgressReport } from '../core/types';
import { drainedQuestion, handedStatus, nextPending } from '../ui-model/finish-flow';
import { statusBarText, statusBarTooltip } from '../ui-model/format';
import { Poller } from '../ui-model/poller';
import { ProgressTracker } from '../ui-model/progress-tracker';
import { taskQueueNames, type QueueNames } from '../ui-model/task-queues';
import { Disposable } from '../ui/lifecycle';
import { pollIntervalMs } from '../ui/settings';

export interface RunningTaskState {
  cluster: string;
  task: string;
  inputQueue: string;
  outputQueue: string;
  input: number;
  output: number;
  report: ProgressReport;
}

export class TaskStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly poller: Poller;
  private readonly tracker = new ProgressTracker();
  /** Queue names learned from the hub for tasks with no record, by cluster/task. */
  private readonly queueCache = new Map<string, QueueNames>();
  private state: RunningTaskState | undefined;
  private shown = false;

  constructor(private readonly service: GridCoreService, private readonly logger: Logger) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('gridcore.task', vscode.StatusBarAlignment.Left, 10));
    this.item.name = vscode.l10n.t('GridCore Task Progress');
    this.item.command = 'gridcore.taskActions';
    this.poller = this._register(
      new Poller({ run: () => this.poll(), intervalMs: pollIntervalMs, isActive: () => vscode.window.state.focused }),
    );
    this._register(vscode.window.onDidChangeWindowState(() => this.poller.wake()));
    this._register(service.profiles.onDidChange(() => void this.refresh()));
    this.poller.wake();
  }

  get running(): RunningTaskState | undefined {
    return this.state;
  }

  get text(): string | undefined {
    return this.shown ? this.item.text : undefined;
  }

  get tooltip(): string | undefined {
    return this.shown ? (this.item.tooltip as string) : undefined;
  }

  refresh(): Promise<void> {
    return this.poller.pollNow();
  }

  private hide(): void {
    this.state = undefined;
    this.shown = false;
    this.tracker.reset();
    this.item.hide();
  }

  private show(text: string, tooltip: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.shown = true;
    this.item.show();
  }

  private async poll(): Promise<void> {
    const cluster = await this.service.profiles.getActive();
    if (!cluster) return this.hide();
    let tasks;
    try {
      tasks = await this.service.listTasks(cluster);
    } catch (e) {
      this.hide();
      throw e;
    }
    const running = tasks.find((t) => t.state === 'running');
    if (!running) {
      // Not idle: the hub keeps handing the last completed task to nodes.
      const handed = tasks.find((t) => t.stillHandedToNodes);
      if (!handed) return this.hide();
      this.state = undefined;
      this.tracker.reset();
      const h = handedStatus(handed.name, cluster);
      this.show(h.text, h.tooltip);
      return;
    }
    const q = await taskQueueNames(this.service, cluster, running, this.queueCache);
    if (!q.input || !q.output) {
      // Without both queue names there is no progress to show: name the task only.
      this.state = undefined;
      this.show(`$(sync~spin) ${running.name}`, vscode.l10n.t('Task {0} is running on {1}; its queues are not known to this editor.', running.name, cluster));
      return;
    }
    let lengths;
    try {
      lengths = await (await this.service.queues(cluster)).lengths([q.input, q.output]);
    } catch (e) {
      // Say so instead of leaving the last figures up as if they were current.
      this.state = undefined;
      this.show(`$(warning) ${running.name}`, vscode.l10n.t('Progress of task {0} is unavailable: {1}', running.name, e instanceof Error ? e.message : String(e)));
      throw e;
    }
    const input = lengths[q.input] ?? 0;
    const output = lengths[q.output] ?? 0;
    const now = Date.now();
    const samples = this.tracker.add(cluster, running.name, { at: now, input, output });
    const total = running.record?.pushed;
    const report = this.tracker.settle(this.service.progress(total, samples, now));
    this.state = { cluster, task: running.name, inputQueue: q.input, outputQueue: q.output, input, output, report };
    this.show(
      statusBarText(running.name, report),
      statusBarTooltip(running.name, cluster, report, { input, output, inputQueue: q.input, outputQueue: q.output }, total !== undefined),
    );
    if (this.tracker.drainedJustNow()) void this.offerFinish(cluster, running.name, running.record?.registeredAt, output, nextPending(tasks));
  }

  /** The notification may sit in the notification centre for hours: its buttons name the task
   *  (and its registration), so a late click never finishes another task. */
  private async offerFinish(cluster: string, task: string, registeredAt: string | undefined, results: number, next: string | undefined): Promise<void> {
    this.logger.info(`task ${task} on ${cluster}: input drained, ${results} results`);
    const finish = vscode.l10n.t('Finish Task');
    const open = vscode.l10n.t('Open Results');
    const later = vscode.l10n.t('Not Now');
    const actions = [finish];
    if ((await vscode.commands.getCommands(true)).includes('gridcore.openResults')) actions.push(open);
    actions.push(later);
    const pick = await vscode.window.showInformationMessage(
      drainedQuestion(task, results, next),
      ...actions,
    );
    if (pick === finish) await vscode.commands.executeCommand('gridcore.finishTask', { cluster, taskName: task, registeredAt });
    else if (pick === open) await vscode.commands.executeCommand('gridcore.openResults', { cluster, taskName: task });
  }
}
