// Try Task Locally, in plain Node: its own bundle (dist/trial.js), loaded by the service on
// the first trial. See run.ts for the steps and findings.ts for what the outcome means.
export { runTrial, scratchQueues, trialNetwork, isLoopbackRedis, TRIAL_LABEL, type TrialDeps } from './run';
export { causeOfLogs, causeText, trialFindings } from './findings';
export { estimateJob, formatDuration, itemsPerSecond } from './estimate';
export type * from './types';
export { resultsQueue } from './results-copy';
