// The core never imports `vscode`. Its user-facing strings go through this `l10n.t`, which
// the extension points at `vscode.l10n.t` on activation; in plain Node (tests, scripts,
// the standalone hub and node) it formats the English text. Keeping the call shape
// `l10n.t(message, args)` identical to VS Code's lets one extractor and one checker see every string.

export type Translate = (message: string, args: Record<string, unknown> | unknown[]) => string;

/** Replace `{name}` / `{0}` placeholders the way vscode.l10n.t does. */
export function formatMessage(message: string, args: Record<string, unknown> | unknown[]): string {
  return message.replace(/\{([^}]+)\}/g, (whole, key: string) => {
    const value = Array.isArray(args) ? args[Number(key)] : (args as Record<string, unknown>)[key];
    return value === undefined ? whole : String(value);
  });
}

// On globalThis, not in module state: the lazily loaded bundles (queues, images, local
// cluster) each hold a copy of this file, and all of them must use the translator that
// activation set.
const TRANSLATOR = Symbol.for('gridcore.l10n.translator');
const shared = globalThis as { [TRANSLATOR]?: Translate };

export const l10n = {
  t(message: string, ...rest: unknown[]): string {
    const args =
      rest.length === 1 && rest[0] !== null && typeof rest[0] === 'object' && !Array.isArray(rest[0])
        ? (rest[0] as Record<string, unknown>)
        : rest;
    return (shared[TRANSLATOR] ?? formatMessage)(message, args);
  },
};

const LOCALE = Symbol.for('gridcore.l10n.locale');
const sharedLocale = globalThis as { [LOCALE]?: string };

/** The display language for dates (`vscode.env.language`); undefined: the process's own. */
export function displayLocale(): string | undefined {
  return sharedLocale[LOCALE];
}

export function setDisplayLocale(locale: string | undefined): void {
  sharedLocale[LOCALE] = locale;
}

/** Called once by the extension with `vscode.l10n.t`. */
export function setTranslator(fn: Translate): void {
  shared[TRANSLATOR] = fn;
}

/** "a, b, c" in the display language ("a，b，c" in Chinese): a list inside a sentence. */
export function listText(parts: readonly string[]): string {
  return parts.reduce((acc, p) => l10n.t('{0}, {1}', acc, p));
}
