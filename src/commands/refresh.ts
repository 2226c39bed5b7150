// After a command changed the profiles (added, edited, imported, selected a cluster): the
// views follow the new profiles first, so the poll that follows reaches them.
import type { CommandContext } from './registry';

export async function reloadAndRefresh(ctx: CommandContext, cluster?: string): Promise<void> {
  await Promise.all([ctx.clusters.reload(), ctx.statusBar.follow()]);
  await ctx.monitors.refresh(cluster);
}
