// What the user should read, in the scenario's locale: the extension's own bundles
// (package.nls*.json for static strings, l10n/bundle.l10n*.json for runtime ones), English
// when a string has no translation, as VS Code does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Bundle = Record<string, string | { message: string }>;

function read(file: string): Bundle {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Bundle) : {};
}

export class Texts {
  private readonly nlsEn: Bundle;
  private readonly nlsLocale: Bundle;
  private readonly runtime: Bundle;

  constructor(repoRoot: string, readonly locale: string) {
    this.nlsEn = read(join(repoRoot, 'package.nls.json'));
    this.nlsLocale = locale === 'en' ? {} : read(join(repoRoot, `package.nls.${locale}.json`));
    this.runtime = locale === 'en' ? {} : read(join(repoRoot, 'l10n', `bundle.l10n.${locale}.json`));
  }

  /** A package.json string (`%key%`). */
  nls(key: string): string {
    const v = this.nlsLocale[key] ?? this.nlsEn[key];
    if (v === undefined) throw new Error(`package.nls.json has no ${key}`);
    return typeof v === 'string' ? v : v.message;
  }

  /** The label of the `[label](command:id)` link inside a package.json string (welcome views). */
  nlsLink(key: string, command: string): string {
    const m = new RegExp(`\\[([^\\]]+)\\]\\(command:${command.replace(/\./g, '\\.')}\\)`).exec(this.nls(key));
    if (!m) throw new Error(`${key} has no link to ${command}`);
    return m[1];
  }

  /** A runtime string, as vscode.l10n.t would render it. */
  l10n(message: string, ...args: Array<string | number>): string {
    const v = this.runtime[message] ?? message;
    const text = typeof v === 'string' ? v : v.message;
    return text.replace(/\{(\d+)\}/g, (all, i: string) => (args[Number(i)] === undefined ? all : String(args[Number(i)])));
  }
}
