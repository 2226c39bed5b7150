// Queue targets of the submission commands. The argument reader is shared with every
// other command (ui-model/command-target). No `vscode`.
import type { TaskRecord } from '../../core/types';
import type { QueueRole } from '../../ui-model/command-target';

export { targetOf as queueTargetOf, type CommandTarget as QueueTarget, type QueueRole } from '../../ui-model/command-target';

/** The queue of a task for a role: the recorded one, else the naming pattern's. */
export function taskQueue(role: QueueRole, record: TaskRecord | undefined, naming: { input: string; output: string }): string {
  return (role === 'input' ? record?.inputQueue : record?.outputQueue) ?? naming[role];
}
