/**
 * Where the machine's CPU goes during a benchmark: CPU seconds per part (the worker and its threads, the Temporal
 * server, its PostgreSQL, Dovecot, Postfix, the benchmark itself), read from /proc. Every process is sampled while the benchmark
 * runs, so short-lived children (Postfix's smtpd, Dovecot's imap) are counted up to their last sample; a process
 * that lived less than one sampling interval is missed. Linux only; elsewhere the figures are empty.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_S = 0.01; // USER_HZ is 100 on Linux

interface Stat {
  comm: string;
  ppid: number;
  ticks: number;
}

function stat(file: string): Stat | undefined {
  try {
    const s = readFileSync(file, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    // After comm: state ppid ... utime is field 14 of the whole line (index 11 here), stime 15 (index 12).
    return { comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined; // the process ended between the listing and the read
  }
}

const pids = (dir: string): number[] =>
  readdirSync(dir)
    .filter((d) => /^\d+$/.test(d))
    .map(Number);

export interface CpuSampler {
  /** Takes one more sample now (call it at least every second or so while the work runs). */
  sample(): void;
  /** CPU seconds per part since the sampler started, and the worker's per-thread seconds (by thread name). */
  report(): Record<string, number>;
  /** Each part's share of one core (%) per `stepMs` from the sampler's start up to `untilMs`: one line per step. */
  timeline(stepMs: number, untilMs: number): string[];
}

/**
 * @param roots the processes to account for by name: each process is counted under the first root among its
 * ancestors; Dovecot's and Postfix's masters are found by their names.
 */
export function cpuSampler(roots: Record<string, number | undefined>, workerPid: number | undefined): CpuSampler {
  const base = new Map<number, number>(); // ticks of processes that existed at the start
  const last = new Map<number, { part: string; ticks: number }>();
  const threadBase = new Map<number, number>();
  const threadLast = new Map<number, { name: string; ticks: number }>();
  const rootOf = new Map<number, string>(Object.entries(roots).flatMap(([k, v]) => (v ? [[v, k]] : [])));
  const partOf = (pid: number, table: Map<number, Stat>): string => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      const named = rootOf.get(p);
      if (named) return named;
      const s = table.get(p);
      if (!s) break;
      if (s.comm === 'dovecot') return 'dovecot';
      if (s.comm === 'master') return 'postfix';
      if (s.comm === 'postgres') return 'postgresql'; // the PostgreSQL-backed Temporal server's database
      p = s.ppid;
    }
    return 'other';
  };
  const take = (first: boolean): void => {
    const table = new Map<number, Stat>();
    for (const pid of pids('/proc')) {
      const s = stat(`/proc/${pid}/stat`);
      if (s) table.set(pid, s);
    }
    for (const [pid, s] of table) {
      if (first) base.set(pid, s.ticks);
      else if (!last.has(pid) && !base.has(pid)) base.set(pid, 0); // born during the run
      last.set(pid, { part: partOf(pid, table), ticks: s.ticks });
    }
    if (!workerPid) return;
    try {
      for (const tid of pids(`/proc/${workerPid}/task`)) {
        const s = stat(`/proc/${workerPid}/task/${tid}/stat`);
        if (!s) continue;
        if (first) threadBase.set(tid, s.ticks);
        else if (!threadBase.has(tid)) threadBase.set(tid, 0);
        threadLast.set(tid, { name: tid === workerPid ? 'main' : s.comm, ticks: s.ticks });
      }
    } catch {
      // the worker ended
    }
  };
  const t0 = Date.now();
  const history: Array<{ at: number; totals: Record<string, number> }> = [];
  if (process.platform === 'linux') take(true);
  const sampler: CpuSampler = {
    sample: () => {
      if (process.platform !== 'linux') return;
      take(false);
      history.push({ at: Date.now() - t0, totals: sampler.report() });
    },
    timeline: (stepMs, untilMs) => {
      const lines: string[] = [];
      let prev = { at: 0, totals: {} as Record<string, number> };
      for (const h of history) {
        if (h.at > untilMs) break;
        if (h.at - prev.at < stepMs) continue;
        const span = (h.at - prev.at) / 1000;
        const share = Object.keys(h.totals)
          .filter((k) => !k.startsWith('cpuS_thread_') || k === 'cpuS_thread_main')
          .map((k) => `${k.slice(5)} ${Math.round((((h.totals[k] ?? 0) - (prev.totals[k] ?? 0)) / span) * 100)}`);
        lines.push(`${(prev.at / 1000).toFixed(1)}-${(h.at / 1000).toFixed(1)} s: ${share.join(', ')}`);
        prev = h;
      }
      return lines;
    },
    report: () => {
      const out: Record<string, number> = {};
      for (const [pid, { part, ticks }] of last) {
        const d = ticks - (base.get(pid) ?? 0);
        if (d > 0) out[`cpuS_${part}`] = (out[`cpuS_${part}`] ?? 0) + d * TICK_S;
      }
      for (const [tid, { name, ticks }] of threadLast) {
        const d = ticks - (threadBase.get(tid) ?? 0);
        const key = `cpuS_thread_${name.replace(/[^A-Za-z0-9]+/g, '_')}`;
        if (d > 0) out[key] = (out[key] ?? 0) + d * TICK_S;
      }
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 100) / 100]));
    },
  };
  return sampler;
}
