// What a dashboard VS Code restores after a reload shows: its task again with the history
// the webview kept, or a message saying why not. No `vscode` here, so it is unit-tested.
import { l10n } from '../../core/l10n';
import { loadSeries, type TaskSample } from '../../ui-model/task-series';
import type { DashboardTarget } from './protocol';

export type DashboardRestorePlan =
  | { kind: 'open'; target: DashboardTarget; samples: TaskSample[]; rangeMinutes?: number }
  | { kind: 'message'; title: string; message: string };

export function savedDashboard(state: unknown): { target: DashboardTarget; samples: TaskSample[]; rangeMinutes?: number } | undefined {
  if (!state || typeof state !== 'object') return undefined;
  const { cluster, task, series, rangeMinutes } = state as Record<string, unknown>;
  if (typeof cluster !== 'string' || !cluster || typeof task !== 'string' || !task) return undefined;
  return { target: { cluster, task }, samples: loadSeries(series), ...(typeof rangeMinutes === 'number' ? { rangeMinutes } : {}) };
}

export function planDashboardRestore(state: unknown, clusterNames: readonly string[]): DashboardRestorePlan {
  const saved = savedDashboard(state);
  if (!saved) {
    return {
      kind: 'message',
      title: l10n.t('Task Dashboard'),
      message: l10n.t('This dashboard cannot be shown again after the reload. Close it and open it again with GridCore: Open Task Dashboard.'),
    };
  }
  if (!clusterNames.includes(saved.target.cluster)) {
    return {
      kind: 'message',
      title: dashboardTitle(saved.target.task),
      message: l10n.t('The cluster "{cluster}" no longer exists, so the dashboard of task {task} cannot be shown. Add the cluster again, then open the dashboard with GridCore: Open Task Dashboard.', {
        cluster: saved.target.cluster,
        task: saved.target.task,
      }),
    };
  }
  return { kind: 'open', ...saved };
}

export function dashboardTitle(task: string): string {
  return l10n.t('Dashboard: {task}', { task });
}
