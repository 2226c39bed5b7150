// The items of the "stop which node?" quick pick: hostname, id, and the node's status line.
import { l10n } from '../core/l10n';
import type { HubNode } from '../core/types';
import { nodeDescription } from './format';
import { compareNodes } from './node-order';

export interface NodePickItem {
  label: string;
  description: string;
  detail: string;
  node: HubNode;
}

export function nodePickItems(nodes: readonly HubNode[], now: number): NodePickItem[] {
  return [...nodes]
    .sort(compareNodes)
    .map((n) => ({ label: n.hostname, description: n.id, detail: nodeDescription(n, now, false), node: n }));
}

/** Nothing to pick: say why, with the causes that fit: upstream's nodes never re-register
 *  after a hub restart (named only when the hub forgot tasks, i.e. it was restarted). */
export function noNodeMessage(cluster: string, hubHasTasks: boolean, hubRestarted = false): string {
  if (!hubHasTasks) return l10n.t('No node is registered on {0}.', cluster);
  return hubRestarted
    ? l10n.t('No node is registered on {0}, yet the hub has tasks. GridNodes do not register again after a hub restart: stop them on their machines, or restart them to list them here.', cluster)
    : l10n.t('No node is registered on {0}, yet the hub has tasks: its nodes stopped or lost their connection. Start a GridNode pointed at this hub.', cluster);
}
