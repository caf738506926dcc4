/**
 * Where benchmark figures go: bench/results/<name>.json holds every run, newest last, each with the commit it
 * measured and the machine it ran on (bench/report.ts makes the README's table from the newest of each).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { treeCommit } from '../../scripts/lib/commit.js';
import { PROJECT_ROOT } from '../../worker/config.js';

export const RESULTS_DIR = path.join(PROJECT_ROOT, 'bench', 'results');

export interface BenchRun {
  at: string;
  /** The commit measured, with "+changes" when the work tree differed from it. */
  commit: string;
  machine: string;
  /** What was measured, in words. */
  what: string;
  rows: Array<Record<string, number | string>>;
}

/**
 * The commit measured: the compiled worker's (dist/build-info.json, written by `npm run build`), which the
 * benchmarks start; else the work tree's. Edits made while a benchmark runs do not change what it measures.
 */
export function measuredCommit(): string {
  try {
    const info = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'dist', 'build-info.json'), 'utf8')) as {
      commit?: unknown;
    };
    if (typeof info.commit === 'string' && info.commit) return info.commit;
  } catch {
    // no build yet: the work tree's
  }
  return treeCommit() ?? 'unknown';
}

export function machineDescription(): string {
  const cpus = os.cpus();
  const model = (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const gib = Math.round(os.totalmem() / 2 ** 30);
  return `${cpus.length} × ${model}, ${gib} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** Every run recorded in a results file, oldest first (files of a single earlier run count as one). */
export function readRuns(name: string): BenchRun[] {
  const file = path.join(RESULTS_DIR, `${name}.json`);
  if (!existsSync(file)) return [];
  const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  return (Array.isArray(data) ? data : [data]) as BenchRun[];
}

/** Prints the rows and appends the run to bench/results/<name>.json. */
export function recordRun(name: string, what: string, rows: Array<Record<string, number | string>>): void {
  console.table(rows);
  const run: BenchRun = {
    at: new Date().toISOString(),
    commit: measuredCommit(),
    machine: machineDescription(),
    what,
    rows,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify([...readRuns(name), run], null, 2)}\n`);
  console.log(`appended to ${path.relative(PROJECT_ROOT, file)}`);
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export const round3 = (s: number): number => Math.round(s * 1000) / 1000;

/** p50, p95, p99 and max of `values` (seconds), rounded to milliseconds, keys prefixed. */
export function spread(prefix: string, values: readonly number[]): Record<string, number> {
  const s = [...values].sort((a, b) => a - b);
  return {
    [`${prefix}P50`]: round3(quantile(s, 0.5)),
    [`${prefix}P95`]: round3(quantile(s, 0.95)),
    [`${prefix}P99`]: round3(quantile(s, 0.99)),
    [`${prefix}Max`]: round3(s[s.length - 1] ?? Number.NaN),
  };
}
