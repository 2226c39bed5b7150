// The dashboard's charts, drawn by uPlot (no hand-drawn canvas code). Colours come from the
// theme's --vscode-charts-* variables, read when a chart is made: the entry script makes the
// charts again when VS Code switches the theme (light, dark, high contrast).
import uPlot from 'uplot';
import type { ChartSeries } from '../../src/ui-model/task-series';
import type { DashboardStrings } from '../../src/views/dashboard/protocol';
import { clockTime, type Chart, type ChartKind } from './dashboard-view';

const HEIGHT = 160;

function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function compact(n: number): string {
  if (Math.abs(n) >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (Math.abs(n) >= 1_000) return `${+(n / 1_000).toFixed(1)}k`;
  return `${+n.toFixed(1)}`;
}

export function makeChart(kind: ChartKind, parent: HTMLElement, s: DashboardStrings): Chart {
  const fg = themeColour('--vscode-foreground', '#888');
  const grid = themeColour('--vscode-charts-lines', 'rgba(128,128,128,0.3)');
  const font = `${themeColour('--vscode-font-size', '12px')} ${themeColour('--vscode-font-family', 'sans-serif')}`;
  const blue = themeColour('--vscode-charts-blue', '#3794ff');
  const green = themeColour('--vscode-charts-green', '#89d185');
  const orange = themeColour('--vscode-charts-orange', '#d18616');
  const red = themeColour('--vscode-charts-red', '#f14c4c');
  let range: [number, number] = [0, 1];
  const axis: uPlot.Axis = { stroke: fg, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const line = (label: string, stroke: string): uPlot.Series => ({ label, stroke, width: 2, spanGaps: false, points: { show: false }, value: (_u, v) => (v == null ? '–' : compact(v)) });
  // The time (seconds on the x scale) in the display language, legend and axis alike; uPlot's
  // own would say "Time" and "8:36pm" whatever the language.
  const x: uPlot.Series = { label: s.time, value: (_u, v) => (v == null ? '–' : clockTime(v * 1000, s.locale)) };
  const series: uPlot.Series[] =
    kind === 'rate'
      ? [x, { ...line(s.itemsPerSecond, green), fill: `${green}33` }]
      : [x, line(s.inputQueue, orange), line(s.outputQueue, blue), { ...line(s.failedQueue, red), dash: [4, 3] }];
  const opts: uPlot.Options = {
    width: Math.max(200, parent.clientWidth),
    height: HEIGHT,
    series,
    scales: { x: { time: true, range: () => range }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [
      {
        ...axis,
        // Room for a whole label between ticks ("8:36:30 PM"), so labels never run together;
        // seconds only when ticks are less than a minute apart.
        space: 90,
        values: (_u, ticks) => ticks.map((t) => clockTime(t * 1000, s.locale, ticks.length > 1 && ticks[1] - ticks[0] < 60)),
      },
      { ...axis, size: 56, values: (_u, ticks) => ticks.map(compact) },
    ],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
  };
  const plot = new uPlot(opts, [[], ...series.slice(1).map(() => [])], parent);
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, parent.clientWidth), height: HEIGHT }));
  resize.observe(parent);
  return {
    setData(data: ChartSeries, from: number, to: number) {
      range = [from, to];
      plot.setData(kind === 'rate' ? [data.x, data.rate] : [data.x, data.input, data.output, data.failed]);
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
