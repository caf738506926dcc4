/**
 * Nachfass's own metrics (prom-client), process-wide like the activities that count them (they run in the
 * worker process). worker/metrics.ts serves them on METRICS_PORT together with the Temporal SDK's.
 * Labels never carry a customer address, a subject or a case number: only mailbox keys, kinds and classes.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CaseMailRequest } from '../workflows/case-mail.js';
import { intakeHealth } from './intake/health.js';

export const registry = new Registry();

export const mailsTakenIn = new Counter({
  name: 'nachfass_mails_taken_in_total',
  help: 'Mails intake took out of a watched folder, by verdict (complaint, reply, auto-reply, bounce, mailing-list, bulk, own, quarantine)',
  labelNames: ['mailbox', 'verdict'] as const,
  registers: [registry],
});

export const acknowledgmentsSent = new Counter({
  name: 'nachfass_acknowledgments_sent_total',
  help: 'Acknowledgments to customers accepted by the SMTP server',
  registers: [registry],
});

export const acknowledgmentLatency = new Histogram({
  name: 'nachfass_acknowledgment_latency_seconds',
  help: "From the complaint's arrival (its Date, capped at intake time) to the SMTP server accepting the acknowledgment",
  buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
  registers: [registry],
});

export const mailsSent = new Counter({
  name: 'nachfass_mails_sent_total',
  help: 'Case mails accepted by the SMTP server, by kind (acknowledgment, approval-request, reminder, escalation, …) and recipient (customer, staff)',
  labelNames: ['kind', 'to'] as const,
  registers: [registry],
});

export const decisions = new Counter({
  name: 'nachfass_decisions_total',
  help: 'Decisions mailed to the customer, by channel (link, mail, admin: Web UI or CLI) and outcome',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

export const escalations = new Counter({
  name: 'nachfass_escalations_total',
  help: 'Escalation mails to the next level accepted by the SMTP server',
  registers: [registry],
});

export const promiseUpdates = new Counter({
  name: 'nachfass_promise_updates_total',
  help: 'Progress updates to customers when a promised answer time fell due',
  registers: [registry],
});

// Intake, from the session registry (activities/intake/health.ts), read at each scrape.
new Gauge({
  name: 'nachfass_intake_session_live',
  help: 'Whether the watched folder has a live IMAP session in this process (1) or not (0)',
  labelNames: ['mailbox'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const h of intakeHealth.all()) this.set({ mailbox: h.mailbox }, h.active && h.live ? 1 : 0);
  },
});

new Gauge({
  name: 'nachfass_intake_seconds_since_last_pass',
  help: 'Seconds since the last pass over the watched folder ended (IDLE notice or re-check), for folders watched in this process',
  labelNames: ['mailbox'] as const,
  registers: [registry],
  collect() {
    this.reset();
    const now = Date.now();
    for (const h of intakeHealth.all())
      if (h.active) this.set({ mailbox: h.mailbox }, (now - (h.lastPassAt ?? h.since)) / 1000);
  },
});

new Gauge({
  name: 'nachfass_intake_messages_waiting',
  help: 'Messages in the watched folder after the last pass (mail not yet taken in, e.g. failed attempts)',
  labelNames: ['mailbox'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const h of intakeHealth.all())
      if (h.active && h.waiting !== undefined) this.set({ mailbox: h.mailbox }, h.waiting);
  },
});

new Gauge({
  name: 'nachfass_intake_stalled',
  help: 'Whether the watched folder is stalled (1): mail waiting or no working IMAP session for INTAKE_STALL_AFTER',
  labelNames: ['mailbox'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const h of intakeHealth.all()) if (h.active || h.stalled) this.set({ mailbox: h.mailbox }, h.stalled ? 1 : 0);
  },
});

new Counter({
  name: 'nachfass_intake_reconnects_total',
  help: 'IMAP sessions opened again after one was lost, in this process',
  labelNames: ['mailbox'] as const,
  registers: [registry],
  collect() {
    // A count kept by the session registry, monotonic within the process: reported as it stands.
    this.reset();
    for (const h of intakeHealth.all()) this.inc({ mailbox: h.mailbox }, h.reconnects);
  },
});

/** Open cases from Temporal visibility (worker/case-gauges.ts sets the source; none: the gauges stay empty). */
export interface CaseCounts {
  open: Array<{ status: string; priority: string; count: number }>;
  overdue: number;
}
export const caseGauges: { source?: () => Promise<CaseCounts> } = {};

new Gauge({
  name: 'nachfass_open_cases',
  help: 'Running cases of this task queue by status and priority, from Temporal visibility (cached 30 s)',
  labelNames: ['status', 'priority'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    const counts = await caseGauges.source?.().catch(() => undefined);
    for (const c of counts?.open ?? []) this.set({ status: c.status, priority: c.priority }, c.count);
  },
});

new Gauge({
  name: 'nachfass_overdue_cases',
  help: 'Running cases past their promised time (DueAt), from Temporal visibility (cached 30 s)',
  registers: [registry],
  async collect() {
    const counts = await caseGauges.source?.().catch(() => undefined);
    if (counts) this.set(counts.overdue);
  },
});

/** Counts a case mail the SMTP server accepted. */
export function countCaseMail(req: CaseMailRequest, now = Date.now()): void {
  const to = req.to === 'customer' ? 'customer' : 'staff';
  mailsSent.inc({ kind: req.kind, to });
  if (req.kind === 'acknowledgment') {
    acknowledgmentsSent.inc();
    const arrived = Date.parse(req.case.receivedAt);
    if (Number.isFinite(arrived)) acknowledgmentLatency.observe(Math.max(0, now - arrived) / 1000);
  }
  if (req.kind === 'escalation') escalations.inc();
  if (req.kind === 'progress-update') promiseUpdates.inc();
  if (req.kind === 'decision' && to === 'customer' && req.case.decision)
    decisions.inc({ channel: req.case.decision.channel, outcome: req.case.decision.outcome });
}
