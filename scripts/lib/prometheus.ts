/**
 * A real Prometheus (Debian's package) on a loopback port of its own, scraping the given targets: for the metrics
 * test and for the dashboard picture of the burst benchmark.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';
import { ProcessOutput } from '../../worker/process-output.js';

export const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/** Whether Prometheus can be run here (the reason when not). */
export function prometheusMissing(): string | undefined {
  const v = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
  return v.error || v.status !== 0
    ? `Prometheus is needed at ${PROMETHEUS} (Debian's package "prometheus"; bash scripts/provision.sh installs it): ${v.error?.message ?? v.stderr}`
    : undefined;
}

/** Prometheus scraping `targets` (host:port) every `intervalS` seconds, up and answering when this resolves. */
export async function startPrometheus(targets: string[], intervalS = 1): Promise<RunningPrometheus> {
  const missing = prometheusMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nachfass-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      `global: { scrape_interval: ${intervalS}s, evaluation_interval: ${intervalS}s }`,
      'scrape_configs:',
      '  - job_name: nachfass',
      `    static_configs: [{ targets: [${targets.map((t) => `'${t}'`).join(', ')}] }]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const log = new ProcessOutput();
  child.stderr!.on('data', log.add);
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Prometheus did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
