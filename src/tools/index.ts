// Every chat tool, in the order package.json contributes them.
import { buildTool } from './build';
import { clearQueueTool } from './clear-queue';
import { diagnoseTool } from './diagnose';
import { finishTool } from './finish';
import type { ToolSpec } from './kit';
import { startLocalClusterTool } from './local-cluster';
import { progressTool } from './progress';
import { pushTool } from './push';
import { resultsTool } from './results';
import { statusTool } from './status';
import { stopNodeTool } from './stop-node';

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
];
