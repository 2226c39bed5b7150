// Entry of the task dashboard webview (bundled with uPlot to media/dist/dashboard.js).
import type { HostMessage } from '../../src/views/dashboard/protocol';
import { makeChart } from './dashboard-charts';
import { DashboardView, type VsCodeApi } from './dashboard-view';

declare function acquireVsCodeApi(): VsCodeApi;

const view = new DashboardView(document, acquireVsCodeApi(), makeChart);
window.addEventListener('message', (ev: MessageEvent<HostMessage>) => view.onMessage(ev.data));
// VS Code marks the theme on <body>'s class (vscode-light, vscode-dark, vscode-high-contrast…).
new MutationObserver(() => view.rebuildCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
view.start();
