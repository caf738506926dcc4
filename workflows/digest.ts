/**
 * DigestWorkflow: one per staff member (`digest-<approverKey>`), started by signal-with-start from the first case
 * that reminds through it. It bundles every case due for a reminder into one mail per reminder window, sent only
 * in staff business hours, so that a person with 200 waiting cases gets one reminder mail per window, not 200.
 * Durable and apart from the cases: a case's history records only its own signal. Deterministic.
 */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { Absence, DigestArgs, DigestEntry } from './digest-model.js';
import { addBusinessTime, dueAt } from './rules/calendar.js';

/** A case due for a reminder: listed in the next digest (a later signal of the same case replaces its entry). */
export const remindSignal = defineSignal<[DigestEntry]>('remind');

/** The person is away (their out-of-office reply, learnt by a case): kept until `until`. */
export const awaySignal = defineSignal<[Absence]>('away');
/** The person's absence now, if any: cases ask it before asking the person (their deputy decides meanwhile). */
export const absenceQuery = defineQuery<Absence | null>('absence');

const { sendDigestMail } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Mails per run before continuing as new (keeps the history small). */
const MAILS_PER_RUN = 100;
/** A digest with nothing to send for this long ends; the next reminder starts it again. */
const IDLE_MS = 3 * 24 * 3_600_000;

export async function DigestWorkflow(args: DigestArgs): Promise<void> {
  const pending = new Map<string, DigestEntry>((args.pending ?? []).map((e) => [e.caseId, e]));
  setHandler(remindSignal, (e) => {
    pending.set(e.caseId, e);
  });
  let away = args.away;
  const absent = (): Absence | undefined => (away && Date.parse(away.until) > Date.now() ? away : undefined);
  setHandler(awaySignal, (a) => {
    if (typeof a?.until === 'string' && !Number.isNaN(Date.parse(a.until)))
      away = { until: a.until, reason: String(a.reason) };
  });
  setHandler(absenceQuery, () => absent() ?? null);
  let lastSentAt = args.lastSentAt;
  let sent = args.sent ?? 0;
  for (let mails = 0; mails < MAILS_PER_RUN;) {
    // Idle long after the last mail (longer than any window): end; a new reminder signal-with-starts a new run.
    // Idle, but remembering an absence: it stays until the absence ends.
    const idle = Math.max(
      IDLE_MS,
      2 * (dueAt(Date.now(), args.window, args.calendar) - Date.now()),
      (absent() ? Date.parse(absent()!.until) : 0) - Date.now(),
    );
    if (!(await condition(() => pending.size > 0, idle))) {
      if (absent()) continue;
      return;
    }
    // One mail per window, and only while the staff's business is open.
    const allowed = lastSentAt === undefined ? Date.now() : dueAt(lastSentAt, args.window, args.calendar);
    const at = addBusinessTime(Math.max(allowed, Date.now()), 0, args.calendar);
    if (at > Date.now()) await sleep(at - Date.now());
    const entries = [...pending.values()];
    pending.clear();
    const mailId = `${workflowInfo().runId}.${sent + 1}`;
    // The activity drops cases decided meanwhile; when none is left, nothing is sent and the window stays open.
    const { listed } = await sendDigestMail({
      approver: args.approver,
      key: args.key,
      mailId,
      entries,
      company: args.company,
    });
    if (listed === 0) continue;
    sent += 1;
    mails += 1;
    // Counted from when the mail has gone (the activity's end), so two mails' send times are a window apart.
    lastSentAt = Date.now();
  }
  const still = absent();
  await continueAsNew<typeof DigestWorkflow>({
    ...args,
    lastSentAt,
    sent,
    pending: [...pending.values()],
    ...(still ? { away: still } : {}),
  });
}
