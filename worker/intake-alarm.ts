/**
 * Intake must never die silently. A watched folder whose watcher runs in this process is stalled when
 *  - it has had no working IMAP session for INTAKE_STALL_AFTER (server down, login refused), or
 *  - its session is up but no pass over the folder has ended for INTAKE_STALL_AFTER beyond the re-check interval
 *    (the watcher is wedged: a pass hangs), or
 *  - every pass for INTAKE_STALL_AFTER has ended with mail still in the folder (it is not being taken in, e.g.
 *    Temporal refuses the starts).
 * Then: `nachfass_intake_stalled{mailbox} 1`, one error line in the log, and one mail to ADMIN_ADDRESS (at most one
 * per hour per mailbox); when it recovers, the gauge returns to 0, an info line, and an all-clear mail when an
 * alarm mail went out. The state is the session registry's (activities/intake/health.ts).
 */
import { createHash } from 'node:crypto';
import { adminMail } from '../activities/admin-mail.js';
import { intakeHealth, type IntakeHealth } from '../activities/intake/health.js';
import type { TSendMail } from '../activities/mail.js';

const MAIL_EVERY_MS = 3_600_000;

export interface IntakeAlarmDeps {
  /** The folders this process may watch (`user/folder`). */
  mailboxes: string[];
  stallAfterMs: number;
  recheckMs: number;
  adminAddress?: string;
  supportAddress: string;
  sendMail: TSendMail;
  log: (line: string) => void;
}

/** Why `h` is stalled at `now`, or undefined while it is well. Pure. */
export function stallReason(h: IntakeHealth, now: number, stallAfterMs: number, recheckMs: number): string | undefined {
  const s = (ms: number): string => `${Math.round(ms / 1000)} s`;
  if (!h.active) return undefined;
  if (!h.live && now - h.since >= stallAfterMs)
    return `no working IMAP session for ${s(now - h.since)}${h.error ? ` (${h.error})` : ''}`;
  const lastPass = h.lastPassAt ?? h.since;
  if (h.live && now - lastPass >= stallAfterMs + recheckMs)
    return `no pass over the folder has ended for ${s(now - lastPass)}: the watcher hangs`;
  if (h.waitingSince !== undefined && now - h.waitingSince >= stallAfterMs)
    return `${h.waiting ?? '?'} mail(s) waiting in the folder, not taken in for ${s(now - h.waitingSince)}`;
  return undefined;
}

function alarmText(mailbox: string, reason: string | undefined): { subject: string; text: string } {
  if (reason === undefined)
    return {
      subject: `[Nachfass] Posteingang ${mailbox} läuft wieder`,
      text: [
        `Der Posteingang ${mailbox} wird wieder gelesen; neue Beschwerden werden wieder zu Fällen.`,
        '',
        `The mailbox ${mailbox} is read again; new complaints become cases again.`,
      ].join('\n'),
    };
  return {
    subject: `[Nachfass] Posteingang ${mailbox} steht still`,
    text: [
      `Der Posteingang ${mailbox} wird nicht mehr gelesen: ${reason}.`,
      'Beschwerden, die dort ankommen, werden erst zu Fällen, wenn er wieder läuft. Bitte prüfen Sie den IMAP-Server',
      'und die Protokolle des Workers (GET /readyz nennt, was fehlt).',
      '',
      `The mailbox ${mailbox} is not being read: ${reason}. Complaints arriving there become cases only once it runs`,
      "again. Please check the IMAP server and the worker's log (GET /readyz names what fails).",
    ].join('\n'),
  };
}

/** Checks every `everyMs` (a quarter of INTAKE_STALL_AFTER, 250 ms to 15 s); stop() ends it. */
export function startIntakeAlarm(deps: IntakeAlarmDeps): { check(): Promise<void>; stop(): void } {
  const mailedAt = new Map<string, number>();
  const alarmMailed = new Set<string>();

  const mail = async (mailbox: string, reason: string | undefined): Promise<void> => {
    if (!deps.adminAddress) return;
    const { subject, text } = alarmText(mailbox, reason);
    const tag = createHash('sha256').update(mailbox).digest('hex').slice(0, 12);
    await deps
      .sendMail(
        adminMail({
          supportAddress: deps.supportAddress,
          adminAddress: deps.adminAddress,
          kind: 'intake-alarm', // not a case mail
          subject,
          text,
          id: `intake-${reason === undefined ? 'ok' : 'stalled'}.${tag}.${Date.now()}`,
        }),
      )
      .catch((err: unknown) => deps.log(`intake alarm mail for ${mailbox} not sent: ${String(err)}`));
  };

  const check = async (): Promise<void> => {
    const now = Date.now();
    for (const mailbox of deps.mailboxes) {
      const h = intakeHealth.get(mailbox);
      if (!h) continue;
      const reason = stallReason(h, now, deps.stallAfterMs, deps.recheckMs);
      if (reason !== undefined && !h.stalled) {
        intakeHealth.stalled(mailbox, { since: now, reason });
        deps.log(`error: intake stalled: ${mailbox}: ${reason}`);
        if (now - (mailedAt.get(mailbox) ?? -Infinity) >= MAIL_EVERY_MS) {
          mailedAt.set(mailbox, now);
          alarmMailed.add(mailbox);
          await mail(mailbox, reason);
        }
      } else if (reason === undefined && h.stalled) {
        intakeHealth.stalled(mailbox, undefined);
        deps.log(`intake recovered: ${mailbox} (stalled since ${new Date(h.stalled.since).toISOString()})`);
        if (alarmMailed.delete(mailbox)) await mail(mailbox, undefined);
      }
    }
  };

  const everyMs = Math.min(15_000, Math.max(250, Math.floor(deps.stallAfterMs / 4)));
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void check()
      .catch((err: unknown) => deps.log(`intake alarm check failed: ${String(err)}`))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
