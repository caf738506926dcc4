/**
 * A picture of the Grafana dashboard (docker/grafana/dashboards/nachfass.json) for the README, drawn without
 * Grafana (it cannot run here): every panel at its grid position, every query run as a range query against a real
 * Prometheus, time series as SVG lines, stats and bar gauges as their last values, then a screenshot by Debian's
 * Chromium. The layout, titles, queries and data are the dashboard's; the look is only an approximation of
 * Grafana's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../worker/config.js';
import { launchBrowser } from './browser.js';

interface Panel {
  title: string;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets: Array<{ expr: string; legendFormat?: string }>;
}

interface Series {
  name: string;
  points: Array<[number, number]>;
}

const COLORS = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#fade2a'];
const CELL = 60; // px per grid column (24 columns)
const ROW = 30; // px per grid row

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Grafana's legend format ("{{kind}}") filled from a series' labels; else the labels themselves. */
function seriesName(labels: Record<string, string>, legend: string | undefined): string {
  if (legend) return legend.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => labels[k] ?? '');
  const rest = Object.entries(labels).filter(([k]) => k !== '__name__');
  return rest.length ? rest.map(([k, v]) => `${k}=${v}`).join(', ') : 'value';
}

async function rangeQuery(prom: string, expr: string, start: number, end: number, step: number) {
  const url = `${prom}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`;
  const body = (await (await fetch(url)).json()) as {
    status: string;
    error?: string;
    data?: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? body.status}`);
  return body.data!.result;
}

const fmt = (v: number, unit: string | undefined): string => {
  if (!Number.isFinite(v)) return '—';
  if (unit === 's') return v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(v < 10 ? 2 : 0)} s`;
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(2);
};

function timeseries(series: Series[], w: number, h: number, unit: string | undefined, start: number, end: number) {
  const all = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const max = Math.max(1e-9, ...all);
  const px = (t: number) => 40 + ((t - start) / Math.max(1, end - start)) * (w - 50);
  const py = (v: number) => h - 20 - (v / max) * (h - 30);
  const lines = series
    .map((s, i) => {
      const pts = s.points
        .filter((p) => Number.isFinite(p[1]))
        .map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`);
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${pts.join(' ')}"/>`;
    })
    .join('');
  const axis = (max > 1e-9 ? [0, 0.5, 1] : [0])
    .map((f) => `<text x="2" y="${py(max * f) + 4}" class="ax">${esc(fmt(max * f, unit))}</text>`)
    .join('');
  const minutes = Math.round((end - start) / 60);
  return `<svg width="${w}" height="${h}">${axis}<line x1="40" x2="${w - 10}" y1="${h - 20}" y2="${h - 20}" class="grid"/>${lines}<text x="40" y="${h - 4}" class="ax">−${minutes} min</text><text x="${w - 40}" y="${h - 4}" class="ax">now</text></svg>`;
}

function legend(series: Series[]): string {
  return series
    .slice(0, 6)
    .map((s, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${esc(s.name)}</span>`)
    .join('');
}

/** The dashboard over [start, end] (seconds since the epoch) from Prometheus `prom`, as one HTML page. */
export async function dashboardHtml(prom: string, start: number, end: number): Promise<string> {
  const file = path.join(PROJECT_ROOT, 'docker/grafana/dashboards/nachfass.json');
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { title: string; panels: Panel[] };
  const step = Math.max(1, Math.round((end - start) / 200));
  const boxes: string[] = [];
  let bottom = 0;
  for (const p of dashboard.panels) {
    const unit = p.fieldConfig?.defaults?.unit;
    const series: Series[] = [];
    for (const t of p.targets) {
      for (const r of await rangeQuery(prom, t.expr, start, end, step))
        series.push({
          name: seriesName(r.metric, t.legendFormat),
          points: r.values.map(([ts, v]) => [ts, Number(v)] as [number, number]),
        });
    }
    const w = p.gridPos.w * CELL - 8;
    const h = p.gridPos.h * ROW - 8;
    bottom = Math.max(bottom, (p.gridPos.y + p.gridPos.h) * ROW);
    const last = (s: Series) => s.points.at(-1)?.[1] ?? NaN;
    let body: string;
    if (p.type === 'timeseries')
      body = timeseries(series, w - 16, h - 64, unit, start, end) + `<div class="lg">${legend(series)}</div>`;
    else if (p.type === 'stat')
      body = `<div class="stat">${series.length ? series.map((s) => esc(fmt(last(s), unit))).join(' · ') : '—'}</div><div class="lg">${legend(series)}</div>`;
    else {
      const max = Math.max(1e-9, ...series.map(last).filter(Number.isFinite));
      body = series
        .map(
          (s, i) =>
            `<div class="bar"><span>${esc(s.name)}</span><b style="width:${(last(s) / max) * 70}%;background:${COLORS[i % COLORS.length]}"></b>${esc(fmt(last(s), unit))}</div>`,
        )
        .join('');
    }
    boxes.push(
      `<section style="left:${p.gridPos.x * CELL}px;top:${p.gridPos.y * ROW + 40}px;width:${w}px;height:${h}px"><h2>${esc(p.title)}</h2>${body}</section>`,
    );
  }
  const when = `${new Date(start * 1000).toISOString().slice(0, 16)} – ${new Date(end * 1000).toISOString().slice(11, 16)} UTC`;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:12px system-ui,sans-serif;width:${24 * CELL}px;height:${bottom + 48}px;position:relative}
header{position:absolute;left:8px;top:8px;font-size:16px;color:#fff}header small{color:#8e8e9e;font-size:12px;margin-left:12px}
section{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:2px;padding:8px;box-sizing:border-box;overflow:hidden}
h2{font-size:13px;margin:0 0 6px;color:#d8d9da;font-weight:500}.ax{fill:#8e8e9e;font-size:10px}.grid{stroke:#2c3235}
.lg span{margin-right:10px;white-space:nowrap}.lg i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.stat{font-size:40px;color:#73bf69;margin:24px 0 8px}.bar{margin:6px 0}.bar span{display:inline-block;width:60px}.bar b{display:inline-block;height:14px;margin-right:6px;vertical-align:middle}
</style></head><body><header>${esc(dashboard.title)}<small>${esc(when)} · drawn from Prometheus by scripts/lib/dashboard-picture.ts (not Grafana)</small></header>${boxes.join('')}</body></html>`;
}

/** The dashboard over [start, end] (seconds since the epoch) from Prometheus `prom`, screenshot to `out` (PNG). */
export async function dashboardPicture(prom: string, out: string, start: number, end: number): Promise<void> {
  const html = await dashboardHtml(prom, start, end);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 24 * CELL, height: 800 } });
    await page.setContent(html);
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
}
