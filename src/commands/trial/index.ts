// The task author's loop: try a task on a sample (Try Task Locally) and see a local node's
// container logs.
import type { CommandModule } from '../registry';
import { RecordedChannels } from './recorded-channel';
import { registerContainerLogsCommand } from './show-container-logs';
import { registerTryTaskCommand } from './try-task';

let channels: RecordedChannels | undefined;

export const trialCommands: CommandModule = (registry, ctx) => {
  channels = new RecordedChannels(ctx.extension.subscriptions);
  registerTryTaskCommand(registry, ctx, channels);
  registerContainerLogsCommand(registry, ctx, channels);
};

/** For the extension's test exports (GRIDCORE_TEST): the lines of the trial and container-log channels. */
export function recordedChannelLines(): Record<string, string[]> {
  return channels?.snapshot() ?? {};
}
