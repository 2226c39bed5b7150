// The Clusters tree's elements as plain data (what the model builds and the provider draws),
// apart from the model so that the files building its groups need not import it.
import { l10n } from '../core/l10n';
import type { TaskView } from '../core/types';

export type ElementKind = 'cluster' | 'nodes' | 'tasks' | 'queues' | 'nodeStatus' | 'node' | 'task' | 'queue' | 'note' | 'loadMore' | 'message';

export interface TreeIcon {
  id: string;
  /** ThemeColor id */
  color?: string;
}

export interface TreeElement {
  readonly id: string;
  readonly kind: ElementKind;
  readonly cluster: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: TreeIcon;
  contextValue?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  command?: { id: string; title: string; args?: unknown[] };
  nodeId?: string;
  task?: TaskView;
  /** undefined for leaves */
  children?: TreeElement[];
}

export type Spec = Built | Kept;
export type Built = Omit<TreeElement, 'children'> & { children?: Spec[] };
/** A group whose inputs did not change: its element stays as it is. */
export interface Kept {
  readonly id: string;
  readonly kept: TreeElement;
}

/** A leaf that says something (a state, a notice), with an icon. */
export function message(id: string, cluster: string, label: string, icon: string, tooltip?: string, kind: ElementKind = 'message'): Spec {
  return { id, kind, cluster, label, tooltip, icon: { id: icon }, contextValue: kind, collapsible: 'none' };
}

/** The "Load more…" row of a paged list (pending or completed tasks, a status of nodes):
 *  `args` tell gridcore.loadMore which list grows. */
export function loadMoreSpec(id: string, cluster: string, description: string, args: unknown[]): Spec {
  return {
    id,
    kind: 'loadMore',
    cluster,
    label: l10n.t('Load more…'),
    description,
    icon: { id: 'ellipsis' },
    contextValue: 'loadMore',
    collapsible: 'none',
    command: { id: 'gridcore.loadMore', title: l10n.t('Load more…'), args },
  };
}
