/**
 * What a benchmark runs on: a private Dovecot + Postfix (scripts/stack.sh in a directory of its own), a Temporal
 * backend (a private dev server, or the PostgreSQL-backed server of scripts/postgres.sh when BENCH_BACKEND=postgres),
 * and the worker as operators run it, `node dist/worker/main.js` (what `npm start` runs; `npm run build` first).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../worker/config.js';
import { startDevServer } from '../../worker/dev-server.js';
import { freePort } from '../../scripts/lib/ports.js';
import { startPrivateMailStack, type PrivateMailStack } from '../../test/helpers/private-stack.js';
import { killWorker, spawnWorker, startCommand, type WorkerProcess } from '../../test/helpers/worker-process.js';
import { benchEnv } from '../bench-env.js';

export type TBackend = 'dev' | 'postgres';

export interface Backend {
  kind: TBackend;
  address: string;
  /** The server process, when this benchmark started it (its memory is reported). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export const backendKind = (): TBackend => (process.env.BENCH_BACKEND === 'postgres' ? 'postgres' : 'dev');

/** The dev server (private, SQLite in memory with WAL pragmas), or the running PostgreSQL-backed server. */
export async function startBackend(kind: TBackend = backendKind()): Promise<Backend> {
  if (kind === 'postgres') {
    // What `eval "$(bash scripts/postgres.sh env)"` exports (bench/run.sh does).
    const address = process.env.TEMPORAL_ADDRESS;
    if (!address)
      throw new Error('BENCH_BACKEND=postgres needs TEMPORAL_ADDRESS: eval "$(bash scripts/postgres.sh env)" first');
    const pidFile = process.env.NACHFASS_PG_TEMPORAL_PID_FILE;
    const pid = pidFile && existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
    return { kind, address, pid, stop: async () => undefined };
  }
  const dev = await startDevServer({ port: await freePort(), uiPort: await freePort() });
  return { kind, address: dev.address, pid: dev.pid, stop: () => dev.stop() };
}

export const startMail = (): Promise<PrivateMailStack> => startPrivateMailStack('nfb-');

/** A policy file for one benchmark: its own ladder addresses; `durations` overrides single durations. */
export function benchPolicyFile(tag: string, durations: Record<string, string> = {}): string {
  const d = { answerPromise: '1h', reminderAfter: '1h', escalateAfter: '2h', followUpAfter: '1h', linkValidity: '1d' };
  const all = Object.entries({ ...d, ...durations })
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const file = path.join(os.tmpdir(), `nachfass-bench-policy-${tag}.yaml`);
  writeFileSync(
    file,
    `company: { name: Bench GmbH, address: "Weg 1, Berlin", phone: "+49 30 1", hours: "Mo–Fr 9–18", timeZone: Europe/Berlin }
ladder: [{ role: Teamleitung, name: Sup, address: bench-sup-${tag}@example.test }, { role: GL, name: Man, address: bench-man-${tag}@example.test }]
durations: { ${all} }
decisionUndoWindow: 0
rules: { urgencyKeywords: [sofort], impactKeywords: [Erstattung] }
`,
  );
  return file;
}

export const WORKER_MAIN = path.join(PROJECT_ROOT, 'dist', 'worker', 'main.js');

export interface BenchWorker {
  w: WorkerProcess;
  support: string;
  taskQueue: string;
  httpUrl: string;
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export interface WorkerSetup {
  backend: Backend;
  mail: PrivateMailStack;
  support: string;
  taskQueue: string;
  policyFile: string;
}

/**
 * BENCH_WORKER_ENV: a JSON object of worker settings to try, e.g. '{"WORKER_MAX_CACHED_WORKFLOWS":"100"}'; anything
 * else stops the benchmark with a message naming the variable.
 */
function triedSettings(): Record<string, string> {
  const raw = process.env.BENCH_WORKER_ENV;
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`BENCH_WORKER_ENV is not JSON (${(err as Error).message}): ${raw}`, { cause: err });
  }
  const ok = z.record(z.string(), z.string()).safeParse(parsed);
  if (!ok.success) throw new Error(`BENCH_WORKER_ENV must be a JSON object of strings, e.g. '{"LOG_LEVEL":"info"}'`);
  return ok.data;
}

/** The environment startWorker gives the worker (fresh HTTP and metrics ports); `extra` adds or overrides. */
export async function workerEnv(o: WorkerSetup, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const metricsPort = extra.METRICS_PORT ?? String(await freePort());
  return benchEnv(
    {
      temporal: o.backend.address,
      taskQueue: o.taskQueue,
      support: o.support,
      imapPort: o.mail.ports.imap,
      smtpPort: o.mail.ports.smtp,
    },
    {
      RECONCILE_EVERY: 'off',
      POLICY_FILE: o.policyFile,
      METRICS_PORT: metricsPort,
      LOG_LEVEL: 'warn',
      ACK_GLOBAL_RATE_LIMIT: '100000/1h',
      ...extra,
      ...triedSettings(),
    },
  );
}

/**
 * Spawns a worker with `env` (from workerEnv) and returns at once, before it is ready (startWorker waits): the
 * compiled one by default, as `npm start` runs it; `args` (node's arguments) for another way, e.g. the sources.
 */
export function spawnBenchWorker(env: Record<string, string>, args?: string[]): BenchWorker {
  if (!args && !existsSync(WORKER_MAIN))
    throw new Error(`${WORKER_MAIN} is missing: run \`npm run build\` first (npm run bench does)`);
  // BENCH_NODE_ARGS: extra node flags for the worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // The compiled worker as `npm start` runs it, with its node flags.
  const start = args ? { env: {}, flags: [] } : startCommand();
  const w = spawnWorker({ ...start.env, ...env }, [...nodeArgs, ...(args ?? [...start.flags, WORKER_MAIN])]);
  return {
    w,
    support: env.IMAP_USER!,
    taskQueue: env.TEMPORAL_TASK_QUEUE!,
    httpUrl: env.PUBLIC_URL!,
    metricsUrl: env.METRICS_PORT ? `http://127.0.0.1:${env.METRICS_PORT}/metrics` : undefined,
    stop: async () => {
      w.child.kill('SIGTERM');
      await Promise.race([w.exit, new Promise((r) => setTimeout(r, 15_000))]);
      await killWorker(w);
    },
  };
}

/** The compiled worker on `support`'s mailbox, started as `npm start` does; resolves once its intake is live. */
export async function startWorker(o: WorkerSetup, extra: Record<string, string> = {}): Promise<BenchWorker> {
  const worker = spawnBenchWorker(await workerEnv(o, extra));
  try {
    await waitReady(worker.httpUrl, worker.w);
  } catch (err) {
    await worker.stop();
    throw err;
  }
  return worker;
}

/** Until /readyz answers 200 (Temporal reachable, the intake's IMAP session live, SMTP answered). */
export async function waitReady(httpUrl: string, w: WorkerProcess, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  const exited = w.exit.then(({ code, signal }) => {
    throw new Error(`worker exited (${code ?? signal}) before it was ready:\n${w.lines.slice(-30).join('\n')}`);
  });
  for (;;) {
    const ok = await Promise.race([
      fetch(`${httpUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (ok) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`worker not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const tagOf = (): string => randomBytes(3).toString('hex');

/** A complaint from `customer` to `support` (plain text, or with a PDF attached), with its Message-ID. */
export function complaintMail(
  i: number,
  customer: string,
  support: string,
  tag: string,
  /** A PDF's content, base64 in lines of 76: the mail becomes multipart with it as an attachment. */
  attachment?: string,
): { id: string; raw: string } {
  const id = `<bench-${i}-${tag}@kunden.example.test>`;
  const head = [
    `From: Kunde ${i} <${customer}>`,
    `To: ${support}`,
    `Subject: Beschwerde Nr. ${i}: Gerät defekt`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
  ];
  const text = `Guten Tag,\r\n\r\nmein Gerät (Bestellung ${i}) ist defekt. Ich bitte um Erstattung.\r\n\r\nGrüße`;
  const plain = ['Content-Type: text/plain; charset=utf-8', '', text];
  const raw = attachment
    ? [
        ...head,
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        ...plain,
        '--b',
        'Content-Type: application/pdf; name="rechnung.pdf"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="rechnung.pdf"',
        '',
        attachment,
        '--b--',
        '',
      ]
    : [...head, ...plain, ''];
  return { id, raw: raw.join('\r\n') };
}

/** An SMTP client to the private Postfix, as a customer's mail server would submit. */
export function customerSmtp(mail: PrivateMailStack, pool = false): Transporter {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: mail.ports.smtp,
    secure: false,
    ignoreTLS: true,
    ...(pool ? { pool: true, maxConnections: 10, maxMessages: Infinity } : {}),
  });
}

/** Resident memory (MB) and CPU time (s) of a process, from /proc. */
export function processUsage(pid: number | undefined): { rssMb: number; cpuS: number } | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return { rssMb: Math.round(rssKb / 1024), cpuS: ticks / 100 };
  } catch {
    return undefined;
  }
}
