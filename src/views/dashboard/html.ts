// The dashboard's HTML shell: the same CSP as the results panel (scripts by nonce only,
// styles and fonts from the extension's media folder). uPlot's stylesheet is bundled into
// media/dist/dashboard.css, and uPlot styles its elements through the CSSOM, which the CSP
// allows, so no inline style is needed. Data never goes through here.
import { escapeHtml } from '../results/format';
import { contentSecurityPolicy } from '../results/html';

export interface DashboardShellParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  lang: string;
}

export function dashboardHtml(p: DashboardShellParts): string {
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
<div id="app" aria-busy="true"></div>
<script nonce="${e(p.nonce)}" src="${e(p.scriptUri)}"></script>
</body>
</html>`;
}
