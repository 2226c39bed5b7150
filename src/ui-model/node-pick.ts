// The items of the "stop which node?" quick pick: hostname, id, and the node's status line.
import { l10n } from '../core/l10n';
import type { HubNode } from '../core/types';
import { nodeDescription } from './format';

export interface NodePickItem {
  label: string;
  description: string;
  detail: string;
  node: HubNode;
}

export function nodePickItems(nodes: readonly HubNode[], now: number): NodePickItem[] {
  return [...nodes]
    .sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id))
    .map((n) => ({ label: n.hostname, description: n.id, detail: nodeDescription(n, now, false), node: n }));
}

/** Nothing to pick: say why, including upstream's nodes that never re-register after a hub restart. */
export function noNodeMessage(cluster: string, hubHasTasks: boolean): string {
  return hubHasTasks
    ? l10n.t('No node is registered on {0}, yet the hub has tasks. GridNodes do not register again after a hub restart: stop them on their machines, or restart them to list them here.', cluster)
    : l10n.t('No node is registered on {0}.', cluster);
}
