// The results panel's HTML shell. Data never goes through here: the webview script builds
// every row with textContent after the `init` message.
import { escapeHtml } from './format';

export interface ShellParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  lang: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
  ].join('; ');
}

/** The document around a body: CSP first, the panel's stylesheet, a title. */
function page(p: Omit<ShellParts, 'scriptUri'>, body: string): string {
  const e = escapeHtml;
  return `<!DOCTYPE html>
<html lang="${e(p.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${e(p.styleUri)}">
<title>${e(p.title)}</title>
</head>
<body>
${body}
</body>
</html>`;
}

export function resultsHtml(p: ShellParts): string {
  return page(p, `<div id="app" aria-busy="true"></div>
<script nonce="${escapeHtml(p.nonce)}" src="${escapeHtml(p.scriptUri)}"></script>`);
}

/** A panel that only says something (e.g. a restored panel whose cluster is gone): no script at all. */
export function messageHtml(p: Omit<ShellParts, 'scriptUri'> & { message: string }): string {
  return page(p, `<div id="app"><p id="message" class="notice" role="status">${escapeHtml(p.message)}</p></div>`);
}
