// Numbers as users read them.

/** 6512 -> "6,512" whatever the display language, so every view groups digits the same way. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
