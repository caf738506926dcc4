/**
 * What operators watch, started with the app: /readyz's checks (worker/readiness.ts), the intake stall alarm
 * (worker/intake-alarm.ts) and, with METRICS_PORT, /metrics (worker/metrics.ts).
 */
import type { Client } from '@temporalio/client';
import type { MailboxSettings } from '../activities/intake/mailbox.js';
import { createMailSender, createSmtpTransport } from '../activities/mail.js';
import type { TConfig } from './config.js';
import { installCaseGauges } from './case-gauges.js';
import { startIntakeAlarm } from './intake-alarm.js';
import { startMetricsServer } from './metrics.js';
import { createReadiness, type ReadyReport } from './readiness.js';
import type { TCleanup } from './temporal-connection.js';

export async function startOps(
  config: TConfig,
  { client, boxes, intakeIds }: { client: Client; boxes: MailboxSettings[]; intakeIds: string[] },
  log: (line: string) => void,
  cleanup: TCleanup,
): Promise<{ readiness: () => Promise<ReadyReport> }> {
  const readiness = createReadiness({
    client,
    intakes: boxes.map((b, i) => ({ mailbox: b.key, workflowId: intakeIds[i]! })),
    heartbeatTimeoutMs: config.intake.heartbeatTimeout,
    smtp: config.smtp,
  });
  cleanup(() => readiness.close());
  // The alarm's mail goes out on a transport of its own: a stalled intake must not wait behind case mail.
  const transport = createSmtpTransport(config.smtp);
  cleanup(() => transport.close());
  const alarm = startIntakeAlarm({
    mailboxes: boxes.map((b) => b.key),
    stallAfterMs: config.intake.stallAfter,
    recheckMs: config.intake.recheck,
    ...(config.adminAddress ? { adminAddress: config.adminAddress } : {}),
    supportAddress: config.supportAddress,
    sendMail: createMailSender(transport),
    log,
  });
  cleanup(() => alarm.stop());
  if (config.metrics) {
    installCaseGauges(client, config.temporal.taskQueue);
    const metrics = await startMetricsServer(config.metrics.host, config.metrics.port);
    cleanup(() => metrics.close());
    log(`metrics (Prometheus) on ${metrics.url}`);
  }
  return { readiness: readiness.check };
}
