// The dashboard webview's update cost in a real browser: the built script (uPlot included)
// in headless Chromium under the panel's CSP (nonce script, stylesheets from the page's
// origin only), one hour of samples at a 1 s poll, then one `update` message per sample,
// timed until uPlot has drawn both charts (it draws in the microtask its setData queues).
// Also checks that nothing was refused by the CSP or thrown (console errors), in a dark and
// a high-contrast palette. Needs chromium (GRIDCORE_CHROMIUM or /usr/bin/chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { dashboardHtml } from '../src/views/dashboard/html';

const root = join(__dirname, '..');
const CHROMIUM = process.env.GRIDCORE_CHROMIUM ?? '/usr/bin/chromium';
const themes: Record<string, string> = {
  dark: '--vscode-foreground:#ccc;--vscode-editor-background:#1e1e1e;--vscode-charts-blue:#3794ff;--vscode-charts-green:#89d185;--vscode-charts-orange:#d18616;--vscode-charts-lines:rgba(204,204,204,.3);--vscode-panel-border:#444;--vscode-descriptionForeground:#9d9d9d;--vscode-badge-background:#616161;--vscode-badge-foreground:#fff;--vscode-button-background:#0e639c;--vscode-button-foreground:#fff;',
  hc: '--vscode-foreground:#fff;--vscode-editor-background:#000;--vscode-charts-blue:#3794ff;--vscode-charts-green:#89d185;--vscode-charts-orange:#d18616;--vscode-charts-lines:rgba(255,255,255,.6);--vscode-panel-border:#6fc3df;--vscode-contrastBorder:#6fc3df;--vscode-descriptionForeground:#fff;--vscode-badge-background:#000;--vscode-badge-foreground:#fff;--vscode-button-background:#000;--vscode-button-foreground:#fff;',
};

export async function run() {
  if (!existsSync(CHROMIUM)) return [{ name: 'dashboard in Chromium', ours: NaN, unit: 'ms', note: `no chromium at ${CHROMIUM}` }];
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(build.stderr);
  const js = readFileSync(join(root, 'media/dist/dashboard.js'));
  const css = readFileSync(join(root, 'media/dist/dashboard.css'));
  let theme = 'dark';
  const server = createServer((req, res) => {
    if (req.url === '/d.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    if (req.url === '/d.css') return res.writeHead(200, { 'content-type': 'text/css' }).end(css);
    if (req.url === '/theme.css') return res.writeHead(200, { 'content-type': 'text/css' }).end(`body{${themes[theme]}}`);
    // The API the webview script expects, as a nonce'd script of its own.
    if (req.url === '/api.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end('window.sent=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>window.sent.push(m),getState:()=>undefined,setState:(s)=>{window.state=s}});');
    const html = dashboardHtml({ cspSource: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, nonce: 'N', scriptUri: '/d.js', styleUri: '/d.css', title: 't', lang: 'en' })
      .replace('<link rel="stylesheet"', '<link rel="stylesheet" href="/theme.css"><link rel="stylesheet"')
      .replace('<script nonce="N"', '<script nonce="N" src="/api.js"></script><script nonce="N"');
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  const out = [];
  for (const t of ['dark', 'hc']) {
    theme = t;
    const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    // The test runner's transform names functions with a helper the page does not have.
    await page.addInitScript('window.__name = (f) => f');
    await page.goto(url);
    const res = await page.evaluate(async () => {
      const T0 = Date.now() - 3600_000;
      const at: number[] = [], input: number[] = [], output: number[] = [];
      for (let i = 0; i < 3600; i++) {
        at.push(T0 + i * 1000);
        input.push(1e6 - i * 50 - (i % 7) * 3);
        output.push(i * 50 + (i % 7) * 3);
      }
      const strings = new Proxy({}, { get: (_t, k) => String(k) });
      const nodes = Array.from({ length: 8 }, (_, n) => ({ id: 'n' + n, hostname: 'node-' + n, architecture: 'x86_64', cpus: 16, runtime: 'Running', runtimeKind: 'running', containers: 16, lastSeen: 'just now', online: true }));
      const model = (i: number) => ({ at: T0 + i * 1000, state: 'running', running: true, progress: { done: i * 50, input: 1e6 - i * 50, total: 1e6, totalFromPushed: true, percent: i / 200, rate: '50 items/s', eta: '5h', finished: false, inFlight: 10 }, nodes, record: { image: 'x', inputQueue: 'in', outputQueue: 'out', pushed: 1e6 }, actions: ['results', 'finish', 'details'] });
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'init', state: { cluster: 'c', task: 'job', strings, gapMs: 15000, series: { at, input, output }, model: model(3599) } } }));
      await new Promise((r) => setTimeout(r, 200));
      const times: number[] = [];
      for (let k = 0; k < 250; k++) {
        const i = 3600 + k;
        const t0 = performance.now();
        window.dispatchEvent(new MessageEvent('message', { data: { type: 'update', sample: { at: T0 + i * 1000, input: 1e6 - i * 50, output: i * 50 }, model: model(i) } }));
        await new Promise<void>((r) => queueMicrotask(r)); // uPlot draws in the microtask its setData queued
        times.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 0));
      }
      const s = times.slice(50).sort((a, b) => a - b);
      return { p50: s[Math.floor(s.length / 2)], p90: s[Math.floor(s.length * 0.9)], canvases: document.querySelectorAll('canvas').length, points: document.querySelector('#charts')?.getAttribute('data-points') };
    });
    const note = `3,600 samples, ${res.points} points drawn per chart (15 min); console errors: ${errors.length ? errors.join('; ') : 'none'}`;
    out.push({ name: `update per sample in Chromium with uPlot (${t}): p50`, ours: res.p50, unit: 'ms', higherIsBetter: false, note });
    out.push({ name: `update per sample in Chromium with uPlot (${t}): p90`, ours: res.p90, unit: 'ms', higherIsBetter: false });
    if (errors.length) throw new Error(`the dashboard logged errors: ${errors.join('; ')}`);
    await page.close();
  }
  await browser.close();
  server.close();
  return out;
}
