/**
 * /metrics on METRICS_PORT (Prometheus text format): Nachfass's own metrics (activities/metrics.ts, prom-client)
 * followed by the Temporal SDK's runtime metrics (workers, task slots, polls, request latencies: `temporal_*`).
 * The SDK's exporter listens on a loopback port of its own, chosen at start-up; each scrape of /metrics reads it
 * and appends its text, so that Prometheus needs one target per process. Off unless METRICS_PORT is set.
 */
import http from 'node:http';
import net from 'node:net';
import type { TelemetryOptions } from '@temporalio/worker';
import { collectDefaultMetrics, Gauge } from 'prom-client';
import { registry } from '../activities/metrics.js';

/** The Worker's adaptive workflow task limit (task-slots.ts), read at each scrape; app.ts sets the source. */
export const taskSlotGauges: { source?: () => { running: number; limit: number } } = {};

/** A gauge that reads one figure of the adaptive limit's state at each scrape (none before app.ts sets the source). */
function taskSlotGauge(name: string, help: string, figure: 'running' | 'limit'): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const s = taskSlotGauges.source?.();
      if (s) this.set(s[figure]);
    },
  });
}

taskSlotGauge(
  'nachfass_workflow_task_limit',
  'Workflow tasks this worker lets run at once now: adapts to how long they take, up to WORKER_MAX_WORKFLOW_TASKS',
  'limit',
);
taskSlotGauge(
  'nachfass_workflow_tasks_running',
  'Workflow tasks this worker runs now (a case task includes its mail)',
  'running',
);

/** Where the SDK's exporter listens in this process, once sdkTelemetry() chose it. */
let sdkAddress: string | undefined;

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The SDK's telemetry for Runtime.install: its Prometheus exporter on a free loopback port, read by /metrics. */
export async function sdkTelemetry(): Promise<TelemetryOptions> {
  sdkAddress = `127.0.0.1:${await freeLoopbackPort()}`;
  return {
    metrics: {
      prometheus: {
        bindAddress: sdkAddress,
        countersTotalSuffix: true,
        unitSuffix: true,
        useSecondsForDurations: true,
      },
    },
  };
}

/** The whole scrape: ours, then the SDK's (or a comment saying why it is missing). */
export async function scrape(): Promise<string> {
  const ours = await registry.metrics();
  if (!sdkAddress) return ours;
  try {
    const res = await fetch(`http://${sdkAddress}/metrics`, { signal: AbortSignal.timeout(2000) });
    return `${ours}\n${await res.text()}`;
  } catch (err) {
    return `${ours}\n# Temporal SDK metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`;
  }
}

/**
 * prom-client's process and Node.js metrics (`process_*`, `nodejs_*`), once per process: CPU, RSS, open handles,
 * the heap and GC of the main thread, and its event-loop delay since the last scrape (`nodejs_eventloop_lag_max_seconds`,
 * `_p99_`): timers firing late because the thread, or the machine under it, is busy. Measured at 10 ms resolution
 * (the library's default).
 */
let defaultsOn = false;
function collectProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: registry });
}

/** Serves GET /metrics on host:port (with the process metrics); its URL, and a function that stops it. */
export async function startMetricsServer(host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  collectProcessMetrics();
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    scrape().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: listening } = server.address() as net.AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${listening}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
