// Entry of the results webview (bundled to media/dist/results.js).
import type { HostMessage } from '../../src/views/results/protocol';
import { ResultsView, type VsCodeApi } from './results-view';

declare function acquireVsCodeApi(): VsCodeApi;

const view = new ResultsView(document, acquireVsCodeApi());
window.addEventListener('message', (ev: MessageEvent<HostMessage>) => void view.onMessage(ev.data));
view.start();
