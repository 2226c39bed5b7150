// The tool table: every tool, in the order package.json contributes them to VS Code's chat
// (the MCP server lists them in the same order).
import { buildTool } from './build';
import { clearQueueTool } from './clear-queue';
import { diagnoseTool } from './diagnose';
import { exportResultsTool } from './export-results';
import { readFailedTool, retryFailedTool } from './failed-items';
import { finishTool } from './finish';
import type { ToolSpec } from './kit';
import { startLocalClusterTool } from './local-cluster';
import { progressTool } from './progress';
import { newTaskTool } from './new-task';
import { pushTool } from './push';
import { requeueStrandedTool } from './requeue-stranded';
import { resultsTool } from './results';
import { statusTool } from './status';
import { stopNodeTool } from './stop-node';
import { tryTaskTool } from './try-task';

export const TOOL_SPECS: readonly ToolSpec[] = [
  statusTool,
  progressTool,
  startLocalClusterTool,
  buildTool,
  pushTool,
  resultsTool,
  diagnoseTool,
  finishTool,
  stopNodeTool,
  clearQueueTool,
  tryTaskTool,
  requeueStrandedTool,
  exportResultsTool,
  newTaskTool,
  readFailedTool,
  retryFailedTool,
];
