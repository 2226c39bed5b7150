// The dashboard's HTML shell is the results panel's (one document, one CSP: scripts by nonce
// only, styles and fonts from the extension's media folder). uPlot's stylesheet is bundled into
// media/dist/dashboard.css, and uPlot styles its elements through the CSSOM, which the CSP
// allows, so no inline style is needed. Data never goes through here.
import { resultsHtml, type ShellParts } from '../results/html';

export type DashboardShellParts = ShellParts;

export function dashboardHtml(p: DashboardShellParts): string {
  return resultsHtml(p);
}
