/**
 * Start-up and crash recovery (issue 15, point 5), on a private mail stack and a private Temporal dev server
 * (bench/lib/setup.ts), the worker as `npm start` runs it (`node dist/worker/main.js`; `npm run build` first):
 *
 *  - start-up: from the spawn of the worker, on a mailbox of its own, until /readyz answers 200 and until the
 *    acknowledgment of a complaint submitted right after the spawn is stored in the customer's Maildir (Dovecot's
 *    delivery time in the file name, bench/lib/maildir.ts);
 *  - crash recovery: a running worker (one complaint acknowledged, then a random wait within one heartbeat
 *    timeout, so that the kill falls anywhere in the heartbeat cycle) is SIGKILLed, the same worker (same
 *    environment) spawned again at once and a complaint submitted right after the kill; from the kill until the new
 *    process's /readyz answers 200 and until the acknowledgment is stored. The intake workflow's pending watcher
 *    activity (describe) says where the time goes: when the new worker started the next attempt (it ends its dead
 *    predecessor's attempt at start-up, worker/dead-holder.ts; without that, the attempt would time out one
 *    INTAKE_HEARTBEAT_TIMEOUT after its last heartbeat), and from there to the acknowledgment;
 *  - a restart after a graceful stop (SIGTERM, the new process spawned once the old one exited);
 *  - unless --no-compare: the start-up also from the sources through tsx and compiled without the prebuilt
 *    workflow bundle (both bundle the workflows with webpack at start).
 *
 *   npx tsx bench/startup.ts [RUNS] [--no-compare]      (default 3 runs each; results in bench/results/startup.json)
 *
 * Figures, not assertions: the machine is shared (each row says the 1-minute load average after it).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
// A CommonJS module: only its default export can be imported under ESM (as worker/readiness.ts does).
import proto from '@temporalio/proto';
import { timestampMs } from '../activities/timestamps.js';
import { PROJECT_ROOT } from '../worker/config.js';
import { intakeWorkflowId } from '../worker/intakes.js';
import { waitForReply } from './lib/maildir.js';
import { quantile, recordRun, round3 } from './lib/results.js';
import {
  backendKind,
  benchPolicyFile,
  complaintMail,
  customerSmtp,
  spawnBenchWorker,
  startBackend,
  startMail,
  tagOf,
  waitReady,
  workerEnv,
  WORKER_MAIN,
  type BenchWorker,
} from './lib/setup.js';

const cli = process.argv.slice(2);
const runs = Number(cli.find((a) => /^\d+$/.test(a)) ?? 3) || 3;
const compare = !cli.includes('--no-compare');
/** The worker's default INTAKE_HEARTBEAT_TIMEOUT (worker/config-schema.ts). */
const DEFAULT_HEARTBEAT_MS = 30_000;
const ACK_TIMEOUT_MS = 120_000;

type TRow = Record<string, number | string>;
interface Timing {
  readyMs: number;
  ackMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const s = (ms: number): number => round3(ms / 1000);
const median = (xs: readonly number[]): number =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const list = (xs: readonly number[]): string => xs.map((x) => x.toFixed(2)).join(', ');

// Every worker this benchmark spawned; stopped at the end should one still run (an error on the way).
const spawned: BenchWorker[] = [];
function spawn(env: Record<string, string>, args?: string[]): BenchWorker {
  const w = spawnBenchWorker(env, args);
  spawned.push(w);
  return w;
}

/** What the server records of the intake's watcher activity (the intake workflow's pending activity). */
interface Watcher {
  activityId: string;
  state: string;
  attempt: number;
  identity?: string;
  /** The attempt's last heartbeat as the server recorded it. */
  beatAt?: number;
  /** When the attempt was (or is to be) dispatched: for a retry, the end of the previous attempt plus the backoff. */
  scheduledAt?: number;
  startedAt?: number;
  failure?: string;
}

async function watcherOf(client: Client, workflowId: string): Promise<Watcher | undefined> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const a = d.raw.pendingActivities?.find((p) => p.activityType?.name === 'watchMailbox');
  if (!a) return undefined;
  const w: Watcher = {
    activityId: a.activityId ?? '',
    state: proto.temporal.api.enums.v1.PendingActivityState[a.state ?? 0] ?? String(a.state),
    attempt: a.attempt ?? 0,
  };
  if (a.lastWorkerIdentity) w.identity = a.lastWorkerIdentity;
  const beatAt = timestampMs(a.lastHeartbeatTime);
  const scheduledAt = timestampMs(a.nextAttemptScheduleTime) ?? timestampMs(a.scheduledTime);
  const startedAt = timestampMs(a.lastStartedTime);
  if (beatAt !== undefined) w.beatAt = beatAt;
  if (scheduledAt !== undefined) w.scheduledAt = scheduledAt;
  if (startedAt !== undefined) w.startedAt = startedAt;
  if (a.lastFailure?.message) w.failure = a.lastFailure.message;
  return w;
}

/** /readyz's own words on the intake (its `imap:…` check) at this moment. */
async function readyzSays(worker: BenchWorker): Promise<string> {
  const r = (await (await fetch(`${worker.httpUrl}/readyz`)).json()) as {
    checks?: Record<string, { detail?: string }>;
  };
  const imap = Object.entries(r.checks ?? {}).find(([k]) => k.startsWith('imap:'));
  return imap?.[1]?.detail ?? '?';
}

if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`npm run build\` first`);
const backend = await startBackend(backendKind());
const mail = await startMail();
const smtp = customerSmtp(mail);
const connection = await Connection.connect({ address: backend.address });
const client = new Client({ connection });
const policyFile = benchPolicyFile('startup');

/** A new complaint to `support` from a customer of its own, submitted now. */
function complain(support: string, tag: string): { customer: string; id: string; accepted: Promise<number> } {
  const customer = `kunde-${tag}@example.test`;
  const m = complaintMail(0, customer, support, tag);
  const accepted = smtp.sendMail({ envelope: { from: customer, to: support }, raw: m.raw }).then(() => Date.now());
  accepted.catch(() => undefined); // awaited later; not an unhandled rejection meanwhile
  return { customer, id: m.id, accepted };
}

/** The worker's environment on a mailbox and task queue of its own. */
async function freshEnv(extra: Record<string, string> = {}): Promise<{ tag: string; env: Record<string, string> }> {
  const tag = tagOf();
  const support = `support-${tag}@example.test`;
  return { tag, env: await workerEnv({ backend, mail, support, taskQueue: `startup-${tag}`, policyFile }, extra) };
}

/** Start-up on a new mailbox: spawn → /readyz 200, spawn → acknowledgment stored. `args`: another way to run it. */
async function startOnce(args?: string[]): Promise<Timing> {
  const { tag, env } = await freshEnv();
  const t0 = Date.now();
  const worker = spawn(env, args);
  try {
    const c = complain(env.IMAP_USER!, tag);
    await waitReady(worker.httpUrl, worker.w, 90_000);
    const readyAt = Date.now();
    await c.accepted;
    const ackAt = await waitForReply(mail.dir, c.customer, c.id, ACK_TIMEOUT_MS);
    return { readyMs: readyAt - t0, ackMs: ackAt - t0 };
  } finally {
    await worker.stop();
  }
}

/** A worker on a new mailbox, steady: ready, and one complaint acknowledged. */
async function steadyWorker(
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; worker: BenchWorker }> {
  const { tag, env } = await freshEnv(extra);
  const worker = spawn(env);
  await waitReady(worker.httpUrl, worker.w);
  const warm = complain(env.IMAP_USER!, `${tag}w`);
  await warm.accepted;
  await waitForReply(mail.dir, warm.customer, warm.id, ACK_TIMEOUT_MS);
  return { env, worker };
}

interface Crash extends Timing {
  /** What the new process's /readyz said of the intake at its first 200. */
  readySaid: string;
  /** Whether that 200 came while the killed process's attempt still counted as the holder. */
  readyOnDeadHolder: boolean;
  /** The kill after the dead attempt's last recorded heartbeat. */
  beatAgeAtKillMs?: number;
  /** The kill to the end of the dead attempt: its heartbeat timeout (last beat + timeout), or our fail call. */
  deadAttemptEndedMs?: number;
  /** The end of the dead attempt to the retry's scheduled time (the retry policy's backoff, or nextRetryDelay). */
  retryBackoffMs?: number;
  /** The retry's scheduled time to its start on the new worker (waiting for the new process to poll). */
  pickupMs?: number;
  /** The kill to the new attempt's start on the new worker. */
  takenOverMs?: number;
  /** The new attempt's start to the acknowledgment stored (IMAP login, the pass, the case, its mail). */
  takeoverToAckMs?: number;
  failure?: string;
  /** Times the server recorded a heartbeat of the old attempt (ms), seen while waiting for the kill. */
  beats: number[];
}

interface CrashOptions {
  /** The worker's INTAKE_HEARTBEAT_TIMEOUT (ms). */
  heartbeatMs: number;
  extra?: Record<string, string>;
  /** Kill within a random phase of this length (ms) after the worker is steady. */
  phaseMs: number;
}

/** SIGKILL of a steady worker, the same worker spawned again at once, a complaint right after the kill. */
async function crashOnce(o: CrashOptions): Promise<Crash> {
  const { env, worker: first } = await steadyWorker(o.extra);
  const intake = intakeWorkflowId(`${env.IMAP_USER!}/INBOX`);
  const beats = new Set<number>();
  let before: Watcher | undefined;
  const killAt = Date.now() + Math.random() * o.phaseMs;
  for (;;) {
    before = await watcherOf(client, intake);
    if (before?.beatAt !== undefined) beats.add(before.beatAt);
    if (Date.now() >= killAt) break;
    await sleep(Math.min(250, Math.max(0, killAt - Date.now())));
  }
  if (!before || !before.state.endsWith('STARTED'))
    throw new Error(`the intake's watcher is not running: ${before?.state}`);
  const killed = before.identity ?? '?';
  const t0 = Date.now();
  first.w.child.kill('SIGKILL');
  const second = spawn(env);
  const c = complain(env.IMAP_USER!, tagOf());
  // The handover as the server sees it, polled until the acknowledgment is stored.
  let retry: Watcher | undefined; // the next attempt, scheduled (the dead attempt's last heartbeat still on it)
  let taken: Watcher | undefined; // the next attempt, started on the new worker
  let done = false;
  const watching = (async () => {
    while (!done) {
      const w = await watcherOf(client, intake).catch(() => undefined);
      if (w && w.attempt > before.attempt) {
        if (!retry && w.state.endsWith('SCHEDULED')) retry = w;
        if (!taken && w.state.endsWith('STARTED') && w.identity !== killed) taken = w;
      }
      await sleep(50);
    }
  })();
  try {
    await first.w.exit;
    await waitReady(second.httpUrl, second.w, 90_000);
    const readyAt = Date.now();
    const readySaid = await readyzSays(second);
    await c.accepted;
    const ackAt = await waitForReply(mail.dir, c.customer, c.id, ACK_TIMEOUT_MS);
    done = true;
    await watching;
    const crash: Crash = {
      readyMs: readyAt - t0,
      ackMs: ackAt - t0,
      readySaid: readySaid.replace(killed, `${killed}, the killed process`),
      readyOnDeadHolder: readySaid.includes(killed),
      beats: [...beats],
    };
    const lastBeat = retry?.beatAt ?? before.beatAt;
    if (lastBeat !== undefined) crash.beatAgeAtKillMs = t0 - lastBeat;
    const failure = retry?.failure ?? taken?.failure;
    // Ended by the heartbeat timeout, unless the new worker took over before it (worker/dead-holder.ts; the reason
    // it recorded is sealed by the failure converter, so the times tell).
    const timedOutAt = lastBeat !== undefined ? lastBeat + o.heartbeatMs : undefined;
    const endedAt =
      timedOutAt !== undefined && (taken?.startedAt === undefined || taken.startedAt >= timedOutAt)
        ? timedOutAt
        : undefined;
    if (endedAt !== undefined) crash.deadAttemptEndedMs = endedAt - t0;
    const due = taken?.scheduledAt ?? retry?.scheduledAt;
    if (due !== undefined && endedAt !== undefined) crash.retryBackoffMs = due - endedAt;
    if (taken?.startedAt !== undefined) {
      crash.takenOverMs = taken.startedAt - t0;
      if (due !== undefined) crash.pickupMs = taken.startedAt - due;
      crash.takeoverToAckMs = ackAt - taken.startedAt;
    }
    if (failure) crash.failure = failure;
    return crash;
  } finally {
    done = true;
    await watching;
    await second.stop();
  }
}

/** SIGTERM of a steady worker, a complaint right after the signal, the same worker spawned once the old one exited. */
async function restartOnce(): Promise<Timing & { exitMs: number }> {
  const { env, worker: first } = await steadyWorker();
  const t0 = Date.now();
  first.w.child.kill('SIGTERM');
  const c = complain(env.IMAP_USER!, tagOf());
  await first.w.exit;
  const exitMs = Date.now() - t0;
  const second = spawn(env);
  try {
    await waitReady(second.httpUrl, second.w, 90_000);
    const readyAt = Date.now();
    await c.accepted;
    const ackAt = await waitForReply(mail.dir, c.customer, c.id, ACK_TIMEOUT_MS);
    return { exitMs, readyMs: readyAt - t0, ackMs: ackAt - t0 };
  } finally {
    await second.stop();
  }
}

/** Median, max and every run of `label`'s values (ms in, seconds out). */
function figures(label: string, values: ReadonlyArray<number | undefined>): TRow {
  const xs = values.filter((x): x is number => x !== undefined).map(s);
  if (!xs.length) return {};
  return { [`${label}P50S`]: median(xs), [`${label}MaxS`]: Math.max(...xs), [`${label}RunsS`]: list(xs) };
}

function startRow(scenario: string, times: Timing[]): TRow {
  return {
    scenario,
    runs: times.length,
    ...figures(
      'ready',
      times.map((t) => t.readyMs),
    ),
    ...figures(
      'ack',
      times.map((t) => t.ackMs),
    ),
  };
}

function crashRow(scenario: string, crashes: Crash[]): TRow {
  const row: TRow = {
    ...startRow(scenario, crashes),
    readyWhileDeadHolder: `${crashes.filter((c) => c.readyOnDeadHolder).length} of ${crashes.length}`,
    readyzSaid: crashes.find((c) => c.readyOnDeadHolder)?.readySaid ?? crashes[0]?.readySaid ?? '',
  };
  for (const [label, pick] of [
    ['beatAgeAtKill', (c: Crash) => c.beatAgeAtKillMs],
    ['deadAttemptEnded', (c: Crash) => c.deadAttemptEndedMs],
    ['retryBackoff', (c: Crash) => c.retryBackoffMs],
    ['pickup', (c: Crash) => c.pickupMs],
    ['takenOver', (c: Crash) => c.takenOverMs],
    ['takeoverToAck', (c: Crash) => c.takeoverToAckMs],
  ] as const) {
    const f = figures(label, crashes.map(pick));
    delete f[`${label}MaxS`];
    Object.assign(row, f);
  }
  const gaps = crashes.flatMap((c) => {
    const b = [...c.beats].sort((x, y) => x - y);
    return b.slice(1).map((t, i) => t - b[i]!);
  });
  if (gaps.length) row.heartbeatRecordedEveryS = s(median(gaps));
  const failure = crashes.find((c) => c.failure)?.failure;
  if (failure) row.deadAttemptFailure = failure;
  return row;
}

/** A copy of dist/ laid out like the Docker image's runtime stage, without the prebuilt bundle (webpack at start). */
function unbundledInstall(): { main: string; remove: () => void } {
  const install = mkdtempSync(path.join(os.tmpdir(), 'nachfass-startup-'));
  writeFileSync(path.join(install, 'package.json'), readFileSync(path.join(PROJECT_ROOT, 'package.json')));
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(install, 'node_modules'));
  cpSync(path.join(PROJECT_ROOT, 'dist'), path.join(install, 'dist'), { recursive: true });
  rmSync(path.join(install, 'dist', 'workflow-bundle.js'));
  return {
    main: path.join(install, 'dist', 'worker', 'main.js'),
    remove: () => rmSync(install, { recursive: true, force: true }), // the node_modules symlink is unlinked
  };
}

const rows: TRow[] = [];
async function scenario(make: () => Promise<TRow>): Promise<void> {
  const row = { ...(await make()), backend: backend.kind, load1: round3(os.loadavg()[0] ?? Number.NaN) };
  console.log(JSON.stringify(row));
  rows.push(row);
}
async function times<T>(f: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await f());
  return out;
}

try {
  // A fresh Postfix's first delivery is slow: one mail through the stack before anything is timed.
  const warm = complain(`warm-${tagOf()}@example.test`, tagOf());
  await warm.accepted;

  await scenario(async () =>
    startRow('start-up: compiled, prebuilt bundle (npm start)', await times(() => startOnce())),
  );
  await scenario(async () =>
    crashRow(
      'crash: SIGKILL + restart at once (INTAKE_HEARTBEAT_TIMEOUT 30s, the default)',
      await times(() => crashOnce({ heartbeatMs: DEFAULT_HEARTBEAT_MS, phaseMs: DEFAULT_HEARTBEAT_MS })),
    ),
  );
  await scenario(async () => {
    const r = await times(restartOnce);
    return {
      ...startRow('restart: SIGTERM, spawned again once exited', r),
      ...figures(
        'exit',
        r.map((x) => x.exitMs),
      ),
    };
  });
  if (compare) {
    const tsx = ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker', 'main.ts')];
    await scenario(async () =>
      startRow(
        'start-up: sources through tsx, bundled at start (npm run start:dev)',
        await times(() => startOnce(tsx)),
      ),
    );
    const install = unbundledInstall();
    try {
      await scenario(async () =>
        startRow(
          'start-up: compiled, bundled at start (no dist/workflow-bundle.js)',
          await times(() => startOnce([install.main])),
        ),
      );
    } finally {
      install.remove();
    }
  }
} finally {
  for (const w of spawned) await w.stop().catch(() => undefined);
  smtp.close();
  await connection.close();
  await mail.destroy();
  await backend.stop();
}
recordRun(
  'startup',
  'Worker start-up and crash recovery (seconds): from the spawn (start-up) or the SIGKILL/SIGTERM (crash, restart) to the new process answering /readyz 200 and to the acknowledgment of a complaint submitted right then stored in the customer Maildir; crash rows break the handover down from the intake workflow pending watcher activity',
  rows,
);
