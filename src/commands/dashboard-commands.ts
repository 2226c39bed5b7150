// gridcore.openDashboard: a task's live dashboard (the running task by default), and the
// serializer that brings dashboards back after a window reload. The panel module is its own
// bundle, loaded on the first open or restore; it watches the cluster's monitor.
import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE } from '../views/dashboard/protocol';
import type { DashboardPanels, DashboardPanelSnapshot } from '../views/dashboard/panel';
import { pollIntervalMs } from '../ui/settings';
import { pickTask, resolveCluster, targetOf } from './args';
import type { CommandContext, CommandModule } from './registry';

let loaded: DashboardPanels | undefined;

/** For the extension's test exports (GRIDCORE_TEST): what the dashboards posted. */
export function dashboardPanelSnapshots(): DashboardPanelSnapshot[] {
  return loaded?.snapshot() ?? [];
}

/** The task named in `arg`, else the cluster's running task, else one the user picks. */
async function resolveTask(ctx: CommandContext, arg: unknown): Promise<{ cluster: string; task: string } | undefined> {
  const cluster = await resolveCluster(ctx.service, arg);
  if (!cluster) return undefined;
  const named = targetOf(arg).taskName;
  if (named) return { cluster, task: named };
  // The last poll's list when there is one: opening a dashboard need not ask the hub.
  const tasks = ctx.monitors.get(cluster).snapshot?.tasks ?? (await ctx.service.listTasks(cluster));
  const running = tasks.find((t) => t.state === 'running');
  if (running) return { cluster, task: running.name };
  const pick = await pickTask(ctx.service, cluster, { placeHolder: vscode.l10n.t('Show the dashboard of which task?'), tasks });
  return pick && 'task' in pick ? { cluster, task: pick.task.name } : undefined;
}

export const dashboardCommands: CommandModule = (registry, ctx) => {
  let loading: Promise<DashboardPanels> | undefined;
  const panels = () =>
    (loading ??= import('../views/dashboard/panel').then((m) => {
      const names = async () => (await ctx.service.profiles.list()).map((p) => p.name);
      loaded = new m.DashboardPanels(ctx.extension.extensionUri, m.monitorSnapshotFeed(ctx.monitors, pollIntervalMs), names);
      ctx.extension.subscriptions.push(loaded);
      return loaded;
    }));
  registry.register('gridcore.openDashboard', async (arg?: unknown) => {
    const target = await resolveTask(ctx, arg);
    if (target) (await panels()).open(target);
    return target;
  });
  ctx.extension.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => (await panels()).restore(panel, state),
    }),
  );
};
