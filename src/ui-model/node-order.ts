// Nodes in the order people read host names: host-2 before host-10 (digits compare as numbers),
// then by id so two nodes on one host keep their places. One order for the tree, the
// dashboard's node table and the node pickers.
import type { HubNode } from '../core/types';

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** "host-2" < "host-10"; case and accents still tell names apart. */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b);
}

export function compareNodes(a: Pick<HubNode, 'hostname' | 'id'>, b: Pick<HubNode, 'hostname' | 'id'>): number {
  return naturalCompare(a.hostname, b.hostname) || naturalCompare(a.id, b.id);
}
