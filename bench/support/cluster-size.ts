// The cluster monitor.bench.ts polls: as in issue 15's measurement.
export const NODES = 1_000;
export const TASKS = 10_000;
export const TOKEN = 'bench-token';
