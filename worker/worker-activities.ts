/**
 * The Worker's activities, wired from the configuration: intake's hands on Temporal (the case gateway, shared by
 * the IMAP and the LMTP intake), mail through SMTP and the Sent ledger, and the reconciler.
 */
import type { Client } from '@temporalio/client';
import { createActivities } from '../activities/index.js';
import { classifyContextFor, createCaseGateway } from '../activities/intake/case-gateway.js';
import { imapOptions, type MailboxSettings } from '../activities/intake/mailbox.js';
import type { RouterDeps } from '../activities/intake/route.js';
import { createMailSender, createSmtpTransport } from '../activities/mail.js';
import { countSmtpFailures } from '../activities/mail-metrics.js';
import { countCaseMail } from '../activities/metrics.js';
import { createReconcileActivity } from '../activities/reconcile/activity.js';
import { SentLedger } from '../activities/sent-ledger.js';
import type { ReconcileActivities } from '../workflows/reconcile.js';
import type { AppOptions } from './app.js';
import type { TConfig } from './config.js';
import { policySnapshot, type TPolicy } from './policy.js';
import type { TCleanup, TemporalConnection } from './temporal-connection.js';

/** A claim in the Sent ledger counts as a send in progress this long: above the send activity's 1-minute timeout. */
const SEND_CLAIM_MS = 2 * 60_000;

function wrapRouter(
  wrap: AppOptions['wrapRouter'],
  make: (box: MailboxSettings) => RouterDeps,
): (box: MailboxSettings) => RouterDeps {
  return wrap ? (box) => wrap(make(box)) : make;
}

/** Intake's hands on Temporal (the case gateway), shared by the IMAP intake and the LMTP intake. */
export function intakeRouter(
  config: TConfig,
  policy: TPolicy,
  opts: AppOptions,
  { client, starter, searchAttributes }: Pick<TemporalConnection, 'client' | 'searchAttributes'> & { starter?: Client },
): (box: MailboxSettings) => RouterDeps {
  return wrapRouter(
    opts.wrapRouter,
    createCaseGateway({
      client,
      ...(starter ? { starter } : {}),
      taskQueue: config.temporal.taskQueue,
      supportAddress: config.supportAddress,
      linkSecret: config.linkSecret,
      linkSecrets: [config.linkSecret, ...config.previousLinkSecrets],
      policyFor: (b) => policySnapshot(policy, b.team, new Date(), b.folder),
      searchAttributes,
      ackRateLimit: config.ackRateLimit,
      ackGlobalRateLimit: config.ackGlobalRateLimit,
    }),
  );
}

export type TWorkerActivities = ReturnType<typeof createActivities> & ReconcileActivities;

/**
 * The Worker's activities: mail through SMTP (and the Sent ledger, when on), intake through the case gateway; and
 * the ledger, for the warm-up before the Worker polls (warm-up.ts).
 */
export function workerActivities(
  config: TConfig,
  policy: TPolicy,
  { client, router, stopping }: { client: Client; router: (box: MailboxSettings) => RouterDeps; stopping: AbortSignal },
  boxes: MailboxSettings[],
  cleanup: TCleanup,
): { activities: TWorkerActivities; ledger: SentLedger | undefined } {
  const transport = createSmtpTransport(config.smtp);
  cleanup(() => transport.close());
  // The support mailbox's Sent folder as the send ledger: a retried send is skipped once it went out.
  const ledger = config.sendLedger
    ? new SentLedger({ imap: imapOptions(boxes[0]!), folder: config.mailbox.sentFolder, claimMs: SEND_CLAIM_MS })
    : undefined;
  if (ledger) cleanup(() => ledger.close());
  const sendMail = countSmtpFailures(createMailSender(transport, ledger, config.mailBudget));
  const activities = createActivities({
    sendMail,
    supportAddress: config.supportAddress,
    ...(config.adminAddress ? { adminAddress: config.adminAddress } : {}),
    publicUrl: config.http.publicUrl,
    linkSecret: config.linkSecret,
    linkValidity: policy.durations.linkValidity,
    intake: {
      mailboxes: new Map(boxes.map((b) => [b.key, b])),
      recheckMs: config.intake.recheck,
      noopEveryMs: config.intake.noopEvery,
      maxAttempts: config.intake.maxAttempts,
      router,
      stopping,
    },
  });
  // Every case mail the SMTP server accepted is counted by kind (activities/metrics.ts).
  const { sendCaseMail } = activities;
  const all: TWorkerActivities = {
    ...activities,
    // The ReconcileWorkflow's (workflows/reconcile.ts), on its Temporal Schedule (reconcile-schedule.ts).
    reconcileMailbox: createReconcileActivity({
      client,
      taskQueue: config.temporal.taskQueue,
      boxes,
      classifyContext: classifyContextFor(config.supportAddress, [config.linkSecret, ...config.previousLinkSecrets])(
        boxes[0]!,
      ),
      sendMail,
      supportAddress: config.supportAddress,
      ...(config.adminAddress ? { adminAddress: config.adminAddress } : {}),
    }),
    sendCaseMail: async (req) => {
      const sent = await sendCaseMail(req);
      countCaseMail(req);
      return sent;
    },
  };
  return { activities: all, ledger };
}
