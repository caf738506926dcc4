/**
 * The SMTP side of Nachfass's metrics (registered with activities/metrics.ts): failed submissions by class, and the
 * time a mail's send takes by part, so that an operator sees which server is slow when case mail lags.
 */
import { Counter, Histogram } from 'prom-client';
import { ErrorCode } from '../workflows/error-codes.js';
import { registry } from './metrics.js';

export const smtpFailures = new Counter({
  name: 'nachfass_smtp_failures_total',
  help: 'Failed SMTP submissions, by class: 5xx (permanent, not retried), 4xx (temporary), connection (no answer)',
  labelNames: ['class'] as const,
  registers: [registry],
});

// Every class from the start at 0, so that a rate over it exists before the first failure.
for (const c of ['5xx', '4xx', 'connection'] as const) smtpFailures.inc({ class: c }, 0);

export const mailSendSeconds = new Histogram({
  name: 'nachfass_mail_send_seconds',
  help: "A mail's send by part: smtp (the submission until the server's answer), ledger (the claim in Sent and the flag)",
  labelNames: ['part'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

/** The class of a failed submission: 5xx, 4xx, connection; undefined for what is not SMTP's (e.g. the mail budget). */
export function smtpFailureClass(err: unknown): '5xx' | '4xx' | 'connection' | undefined {
  const e = err as { responseCode?: number; type?: string; code?: string; message?: string } | undefined;
  if (e?.type === ErrorCode.SmtpRejected) return '5xx';
  if (e?.type !== undefined) return undefined; // another ApplicationFailure of ours (budget, …)
  if (typeof e?.responseCode === 'number') return e.responseCode >= 500 ? '5xx' : '4xx';
  return /^E(CONNECTION|TIMEDOUT|SOCKET|DNS|CONNREFUSED|CONNRESET|HOSTUNREACH)$/.test(e?.code ?? '')
    ? 'connection'
    : undefined;
}

/** `send`, with its failures counted by class (nachfass_smtp_failures_total). */
export function countSmtpFailures<A extends unknown[]>(send: (...a: A) => Promise<void>): (...a: A) => Promise<void> {
  return async (...a) => {
    try {
      await send(...a);
    } catch (err) {
      const c = smtpFailureClass(err);
      if (c) smtpFailures.inc({ class: c });
      throw err;
    }
  };
}
