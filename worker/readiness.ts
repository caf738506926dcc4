/**
 * /readyz: whether this process can do its job now. Three parts, each named in the answer when it fails:
 *  - temporal: the frontend answers (GetSystemInfo within 3 s, through the client's connection and its TLS);
 *  - imap:<mailbox>: each watched folder's intake holds a live IMAP session. When the watcher runs in this process,
 *    its own state says so (activities/intake/health.ts); when it runs in another worker replica, the intake
 *    workflow's running watcher activity with a heartbeat younger than INTAKE_HEARTBEAT_TIMEOUT stands for it
 *    (the session state is that replica's /readyz);
 *  - smtp: the SMTP server answered (connection, EHLO, login: nodemailer's verify) within the last minute; asked
 *    again when the last answer is older, at most every 5 s while it fails.
 * /healthz stays pure liveness (the process answers HTTP).
 */
import type { Client } from '@temporalio/client';
// A CommonJS module: under plain Node (npm start) only its default export can be imported by name-less ESM.
import proto from '@temporalio/proto';
import { intakeHealth } from '../activities/intake/health.js';
import { createSmtpTransport, type SmtpSettings } from '../activities/mail.js';

const SMTP_FRESH_MS = 60_000;
const SMTP_RETRY_MS = 5_000;
const CHECK_TIMEOUT_MS = 3_000;

export interface Check {
  ok: boolean;
  /** What was found, in words (an error, who holds the session, since when). */
  detail: string;
}

export interface ReadyReport {
  ready: boolean;
  /** The failing parts: `temporal`, `imap:<mailbox>`, `smtp`. */
  failing: string[];
  checks: Record<string, Check>;
}

export interface ReadinessDeps {
  client: Client;
  /** Each watched folder's key (`user/folder`) and intake workflow id. */
  intakes: Array<{ mailbox: string; workflowId: string }>;
  heartbeatTimeoutMs: number;
  smtp: SmtpSettings;
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
const iso = (ms: number): string => new Date(ms).toISOString();

export function createReadiness(deps: ReadinessDeps): { check(): Promise<ReadyReport>; close(): void } {
  // A transport of its own, unpooled: verify() opens a connection, says EHLO, logs in and quits.
  const transport = createSmtpTransport(deps.smtp);
  let smtpOkAt: number | undefined;
  let smtpTriedAt = 0;
  let smtpError = 'not asked yet';

  async function temporalCheck(): Promise<Check> {
    try {
      const conn = deps.client.connection;
      await conn.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => conn.workflowService.getSystemInfo({}));
      return { ok: true, detail: 'the frontend answers' };
    } catch (err) {
      return { ok: false, detail: message(err) };
    }
  }

  async function intakeCheck(mailbox: string, workflowId: string): Promise<Check> {
    const here = intakeHealth.get(mailbox);
    if (here?.active) {
      return here.live
        ? { ok: true, detail: `live session in this process since ${iso(here.since)}` }
        : { ok: false, detail: `no IMAP session since ${iso(here.since)}: ${here.error ?? 'connecting'}` };
    }
    try {
      const d = await within(CHECK_TIMEOUT_MS, 'describe', deps.client.workflow.getHandle(workflowId).describe());
      if (d.status.name !== 'RUNNING') return { ok: false, detail: `the intake workflow is ${d.status.name}` };
      const watcher = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'watchMailbox');
      const started =
        watcher?.state === proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
      const beat = watcher?.lastHeartbeatTime?.seconds;
      const beatAgeMs = beat != null ? Date.now() - Number(beat) * 1000 : Infinity;
      if (started && beatAgeMs <= deps.heartbeatTimeoutMs)
        return { ok: true, detail: `held by worker ${watcher?.lastWorkerIdentity ?? '?'}` };
      return { ok: false, detail: 'no worker holds the mailbox (its watcher is not running or its heartbeat is late)' };
    } catch (err) {
      return { ok: false, detail: `intake workflow ${workflowId}: ${message(err)}` };
    }
  }

  async function smtpCheck(): Promise<Check> {
    const now = Date.now();
    if (smtpOkAt !== undefined && now - smtpOkAt < SMTP_FRESH_MS)
      return { ok: true, detail: `answered at ${iso(smtpOkAt)}` };
    if (now - smtpTriedAt >= SMTP_RETRY_MS) {
      smtpTriedAt = now;
      try {
        await within(CHECK_TIMEOUT_MS, 'SMTP', transport.verify());
        smtpOkAt = Date.now();
        return { ok: true, detail: `answered at ${iso(smtpOkAt)}` };
      } catch (err) {
        smtpError = message(err);
      }
    }
    const last = smtpOkAt !== undefined ? `; last answer at ${iso(smtpOkAt)}` : '';
    return { ok: false, detail: `${smtpError}${last}` };
  }

  return {
    async check(): Promise<ReadyReport> {
      const [t, s, ...boxes] = await Promise.all([
        temporalCheck(),
        smtpCheck(),
        ...deps.intakes.map((i) => intakeCheck(i.mailbox, i.workflowId)),
      ]);
      const checks: Record<string, Check> = { temporal: t, smtp: s };
      deps.intakes.forEach((i, n) => (checks[`imap:${i.mailbox}`] = boxes[n]!));
      const failing = Object.entries(checks)
        .filter(([, c]) => !c.ok)
        .map(([name]) => name);
      return { ready: failing.length === 0, failing, checks };
    },
    close: () => transport.close(),
  };
}
