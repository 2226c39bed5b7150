// Runs a block with the core's l10n pointed at the zh-cn bundle (the union of l10n/zh-cn/*.json),
// the way vscode.l10n.t would under a Chinese display language.
import { formatMessage, setTranslator } from '../../src/core/l10n';
// @ts-expect-error plain .mjs build helper without types
import { readChinese } from '../../l10n.mjs';

export function inChinese<T>(fn: () => T): T {
  const zh: Record<string, string> = readChinese();
  setTranslator((message, args) => formatMessage(zh[message] ?? message, args));
  try {
    return fn();
  } finally {
    setTranslator(formatMessage);
  }
}
