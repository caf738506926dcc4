/**
 * The reconciler as an activity of the worker: it heartbeats per message read, logs the counts (and each
 * problem without its subject: subjects are the customers' words), sets `nachfass_reconcile_problems`, and tells
 * ADMIN_ADDRESS when there are problems: once when they appear or change, then at most once a day while they stay.
 */
import { Context, log } from '@temporalio/activity';
import { Gauge } from 'prom-client';
import { registry } from '../metrics.js';
import type { TSendMail } from '../mail.js';
import { adminMail } from '../admin-mail.js';
import { formatReport, type ReconcileReport } from './account.js';
import { reconcileMailbox, type ReconcileArgs, type ReconcileDeps } from './scan.js';

const problemsGauge = new Gauge({
  name: 'nachfass_reconcile_problems',
  help: 'Problems the last reconciler run found (unaccounted mail, mail left waiting, doubled copies, cases without their original), by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const REPEAT_ALARM_MS = 86_400_000;

export interface ReconcileActivityDeps extends Omit<ReconcileDeps, 'progress'> {
  sendMail: TSendMail;
  supportAddress: string;
  adminAddress?: string;
}

export function createReconcileActivity(
  deps: ReconcileActivityDeps,
): (args: ReconcileArgs) => Promise<ReconcileReport> {
  let alarmed = { fingerprint: '', at: 0 };
  return async function reconcileMailboxActivity(args) {
    const ctx = Context.current();
    const report = await reconcileMailbox({ ...deps, progress: () => ctx.heartbeat() }, args);
    for (const kind of ['unaccounted', 'waiting', 'no-reason', 'twice', 'original-gone'] as const) {
      problemsGauge.set({ kind }, report.problems.filter((p) => p.kind === kind).length);
    }
    const summary = { since: report.since, folders: report.folders, counts: report.counts };
    if (report.problems.length === 0) {
      log.info('reconciled: every mail accounted for', summary);
      alarmed = { fingerprint: '', at: 0 };
      return report;
    }
    log.warn('reconciled: problems found', {
      ...summary,
      problems: report.problems.map((p) => ({ kind: p.kind, folder: p.folder, uid: p.uid, caseId: p.caseId })),
    });
    const fingerprint = report.problems.map((p) => `${p.kind}:${p.folder ?? ''}:${p.uid ?? p.caseId}`).join('|');
    const now = Date.now();
    if (deps.adminAddress && (fingerprint !== alarmed.fingerprint || now - alarmed.at > REPEAT_ALARM_MS)) {
      alarmed = { fingerprint, at: now };
      const text = [
        `Der Abgleich des Postfachs hat ${report.problems.length} Problem(e) gefunden / the mailbox reconciliation found ${report.problems.length} problem(s):`,
        '',
        formatReport(report),
        '',
        'Erneut prüfen / check again: npx nachfass reconcile',
      ].join('\n');
      await deps
        .sendMail(
          adminMail({
            supportAddress: deps.supportAddress,
            adminAddress: deps.adminAddress,
            kind: 'admin-alarm',
            subject: `[Nachfass] Postfachabgleich: ${report.problems.length} Problem(e)`,
            text,
            id: `reconcile.${now}`,
          }),
        )
        .catch((err: unknown) => log.error('reconciliation alarm not sent', { error: String(err) }));
    }
    return report;
  };
}
