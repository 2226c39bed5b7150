// Job submission commands: build and register, push data, clear a queue, results, templates.
import type { CommandModule } from '../registry';
import { registerBuildCommand } from './build-and-register';
import { registerPushCommands } from './push-data';
import { registerResultsCommand, type ResultsPanelsHandle } from './results';
import { registerTemplateCommand } from './new-task-from-template';

let panels: ResultsPanelsHandle | undefined;

export const submitCommands: CommandModule = (registry, ctx) => {
  panels = registerResultsCommand(registry, ctx);
  registerPushCommands(registry, ctx);
  registerBuildCommand(registry, ctx);
  registerTemplateCommand(registry, ctx);
};

/** The results view, for commands of other families (a trial opens its results there). */
export function resultsPanels(): ResultsPanelsHandle | undefined {
  return panels;
}

/** For the extension's test exports (GRIDCORE_TEST): what the results panels posted. */
export function resultsPanelSnapshots() {
  return panels?.snapshot() ?? [];
}
