// The running task's progress in the status bar, from the active cluster's monitor (its
// one task list and Redis round trip per poll, shared with the tree and the results panels):
// hidden when nothing runs, and a warning when the hub still hands a completed task to nodes
// (they are not idle). Rate and ETA come from the monitor's samples of the task. When the
// input has drained and the results stopped growing, it asks once whether to finish the task.
import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { GridCoreService } from '../core/service-api';
import type { TaskView } from '../core/types';
import type { ClusterSnapshot } from '../ui-model/cluster-snapshot';
import { historyKey, watchRequests, type ClusterMonitor, type ClusterMonitors, type ClusterWatch } from '../ui-model/cluster-monitor';
import { drainedQuestion, handedStatus, nextPending } from '../ui-model/finish-flow';
import { formatCount, statusBarText, statusBarTooltip } from '../ui-model/format';
import { inFlightLines, leftBehindLabel, leftBehindTooltip, unaccountedText, unaccountedTooltip } from '../ui-model/in-flight-format';
import { failedLines } from '../ui-model/failed-format';
import { stalledLabel, stalledText } from '../ui-model/stalled';
import { ProgressTracker, RATE_WINDOW, type RunningTaskState } from '../ui-model/progress-tracker';

export type { RunningTaskState } from '../ui-model/progress-tracker';
import { Disposable } from '../ui/lifecycle';

export class TaskStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly tracker = new ProgressTracker();
  private followed: { cluster: string; monitor: ClusterMonitor; watch: ClusterWatch; listener: { dispose(): void } } | undefined;
  private state: RunningTaskState | undefined;
  private shown = false;
  private leftBehind: ClusterSnapshot['leftBehind'];
  private lastTasks: readonly TaskView[] | undefined;

  constructor(
    private readonly service: GridCoreService,
    private readonly monitors: ClusterMonitors,
    private readonly logger: Logger,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('gridcore.task', vscode.StatusBarAlignment.Left, 10));
    this.item.name = vscode.l10n.t('GridCore Task Progress');
    this.item.command = 'gridcore.taskActions';
    this._register(service.profiles.onDidChange(() => void this.follow()));
    this._register({ dispose: () => this.unfollow() });
    void this.follow();
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

  /** Watch the active cluster's current task (after the active cluster changed). */
  async follow(): Promise<void> {
    const cluster = await this.service.profiles.getActive();
    if (this.isDisposed) return;
    if (cluster && cluster === this.followed?.cluster && this.followed.monitor === this.monitors.get(cluster)) return;
    this.unfollow();
    if (!cluster) return this.hide();
    const monitor = this.monitors.get(cluster);
    const listener = monitor.onDidChange((snap) => this.render(cluster, monitor, snap));
    this.followed = { cluster, monitor, listener, watch: monitor.watch(watchRequests.statusBar()) };
    if (monitor.snapshot) this.render(cluster, monitor, monitor.snapshot);
    else this.hide();
  }

  private unfollow(): void {
    this.followed?.watch.dispose();
    this.followed?.listener.dispose();
    this.followed = undefined;
  }

  private hide(): void {
    this.state = undefined;
    this.shown = false;
    this.item.hide();
  }

  private show(text: string, tooltip: string): void {
    // Items finished tasks left in flight stay in view until they are requeued or committed.
    const left = this.leftBehind ?? [];
    const notes = left.map((f) => `$(warning) ${leftBehindLabel(f)}`);
    this.item.text = [text, ...notes].filter(Boolean).join(' · ');
    this.item.tooltip = [tooltip, ...left.map(leftBehindTooltip)].filter(Boolean).join('\n\n');
    this.shown = true;
    this.item.show();
  }

  private render(cluster: string, monitor: ClusterMonitor, snap: ClusterSnapshot): void {
    const tasks = snap.tasks;
    this.leftBehind = snap.leftBehind;
    // No task list (hub down, token rejected): no figure to show that would be current.
    if (!tasks) return this.hide();
    if (tasks !== this.lastTasks) {
      // The monitor hands back the same list when it did not change: 10,000 keys once, not per poll.
      this.lastTasks = tasks;
      this.tracker.retain(new Set(tasks.map(historyKey)));
    }
    const running = tasks.find((t) => t.state === 'running');
    if (!running) {
      // Not idle: the hub keeps handing the last completed task to nodes.
      const handed = tasks.find((t) => t.stillHandedToNodes);
      if (!handed) {
        this.state = undefined;
        return this.leftBehind?.length ? this.show('', '') : this.hide();
      }
      this.state = undefined;
      const h = handedStatus(handed.name, cluster);
      this.show(h.text, h.tooltip);
      return;
    }
    const q = snap.queues?.task === running.name ? { input: snap.queues.input?.name, output: snap.queues.output?.name } : {};
    if (!q.input || !q.output) {
      // Without both queue names there is no progress to show: name the task only.
      this.state = undefined;
      this.show(`$(sync~spin) ${running.name}`, vscode.l10n.t('Task {0} is running on {1}; its queues are not known to this editor.', running.name, cluster));
      return;
    }
    const input = snap.lengths?.[q.input];
    const output = snap.lengths?.[q.output];
    if (input === undefined || output === undefined) {
      // Say so instead of leaving the last figures up as if they were current.
      this.state = undefined;
      const why = snap.redis && !snap.redis.ok ? snap.redis.message : vscode.l10n.t('the queue lengths were not measured');
      this.show(`$(warning) ${running.name}`, vscode.l10n.t('Progress of task {0} is unavailable: {1}', running.name, why));
      return;
    }
    const samples = monitor.history(running, RATE_WINDOW);
    const total = running.record?.pushed;
    const report = this.service.progress(total, samples, { now: Date.now() });
    this.state = { cluster, task: running.name, inputQueue: q.input, outputQueue: q.output, input, output, report };
    // Reliable consumers' batches (same poll), and items that are nowhere.
    const inFlight = snap.inFlight?.task === running.name && snap.inFlight.input === q.input ? snap.inFlight : undefined;
    let text = statusBarText(running.name, report);
    if (inFlight?.stranded.length) text += ` · $(warning) ${vscode.l10n.t('{0} stranded', formatCount(inFlight.strandedItems))}`;
    if (report.unaccounted) text = `${text.replace('$(sync~spin)', '$(warning)')} · ${unaccountedText(report.unaccounted)}`;
    const stalled = snap.stalled?.task === running.name ? snap.stalled : undefined;
    if (stalled) {
      text = `${text.replace('$(sync~spin)', '$(warning)')} · ${stalledLabel()}`;
      this.state.stalled = stalledText(stalled);
    }
    const tooltip = [
      ...(stalled ? [stalledText(stalled), ''] : []),
      statusBarTooltip(running.name, cluster, report, { input, output, inputQueue: q.input, outputQueue: q.output }, total !== undefined),
      ...inFlightLines(inFlight),
      ...failedLines(snap.failed?.[q.input], q.input),
      ...(report.unaccounted ? [unaccountedTooltip(report.unaccounted)] : []),
    ].join('\n');
    this.show(text, tooltip);
    if (this.tracker.drainedJustNow(historyKey(running), samples)) void this.offerFinish(cluster, running.name, running.record?.registeredAt, output, nextPending(tasks));
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
