// Every command family, registered from one place. A new family is a module here.
import { agentCommands } from './agents-command';
import { clusterCommands } from './cluster-commands';
import { dashboardCommands } from './dashboard-commands';
import { failedCommands } from './failed-commands';
import { hubRestartCommands } from './hub-restart-commands';
import { localClusterCommands } from './local-cluster-commands';
import { nodeCommands } from './node-commands';
import type { CommandModule } from './registry';
import { reliableCommands } from './reliable-commands';
import { restartCommands } from './restart-commands';
import { taskCommands } from './task-commands';
import { submitCommands } from './submit/index';
import { trialCommands } from './trial/index';

export const commandModules: CommandModule[] = [clusterCommands, nodeCommands, taskCommands, localClusterCommands, hubRestartCommands, submitCommands, reliableCommands, failedCommands, restartCommands, dashboardCommands, trialCommands, agentCommands];
