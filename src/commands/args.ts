// Commands are invoked from tree menus (with a tree element), from other commands and
// tests (with `{ cluster, taskName?, nodeId? }`), or from the palette (nothing): these
// helpers turn any of those into what the command needs, asking only when they must.
import * as vscode from 'vscode';
import { ConfigError } from '../core/errors';
import type { GridCoreService } from '../core/service-api';
import type { TreeElement } from '../ui-model/cluster-tree-model';

export interface CommandTarget {
  cluster?: string;
  taskName?: string;
  nodeId?: string;
}

export function targetOf(arg: unknown): CommandTarget {
  if (typeof arg === 'string') return { cluster: arg };
  if (arg && typeof arg === 'object') {
    const el = arg as Partial<TreeElement> & CommandTarget;
    return { cluster: el.cluster, taskName: el.task?.name ?? el.taskName, nodeId: el.nodeId };
  }
  return {};
}

/** The cluster named in `arg`, else the active one, else one the user picks. */
export async function resolveCluster(service: GridCoreService, arg: unknown, placeHolder?: string): Promise<string | undefined> {
  const t = targetOf(arg);
  if (t.cluster) return t.cluster;
  const active = await service.profiles.getActive();
  if (active) return active;
  return pickCluster(service, placeHolder);
}

export async function pickCluster(service: GridCoreService, placeHolder?: string): Promise<string | undefined> {
  const profiles = await service.profiles.list();
  if (!profiles.length) {
    throw new ConfigError('unknownCluster', vscode.l10n.t('No cluster is configured. Add one, import the skill\'s files, or start a local cluster.'));
  }
  if (profiles.length === 1) return profiles[0].name;
  const active = await service.profiles.getActive();
  const pick = await vscode.window.showQuickPick(
    profiles.map((p) => ({ label: p.name, description: p.computehubUrl, detail: p.name === active ? vscode.l10n.t('active cluster') : undefined })),
    { placeHolder: placeHolder ?? vscode.l10n.t('Choose a cluster') },
  );
  return pick?.label;
}
