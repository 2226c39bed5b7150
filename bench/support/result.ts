// What a bench file's `run()` returns, one row per figure (bench/run.mjs prints them as
// ratios against the peer measured in the same invocation).
export interface Result {
  name: string;
  ours: number;
  peer?: number;
  peerName?: string;
  unit: string;
  higherIsBetter?: boolean;
  note?: string;
}
