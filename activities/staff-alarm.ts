/**
 * The admin alarm for a staff address our own SMTP server refuses for good: nobody would learn of the case,
 * so ADMIN_ADDRESS must.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { ErrorCode } from '../workflows/error-codes.js';
import type { CaseMailRequest } from '../workflows/case-mail.js';
import { domainOf } from './address.js';
import type { TSendMail } from './mail.js';

/** At most one admin alarm per refused staff address within this time. */
const ALARM_EVERY_MS = 3_600_000;

const escapeHtml = (t: string): string => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function staffRefusedText(req: CaseMailRequest, to: string, reason: string): string {
  return [
    `Unser Mailserver weist E-Mails an ${to} dauerhaft ab (Fall ${req.case.caseId}, ${req.kind}):`,
    reason,
    '',
    'Diese Person erfährt nichts von ihren Fällen. Bitte prüfen Sie die Adresse in der Richtlinie (POLICY_FILE) und den Mailserver.',
    '',
    `Our mail server refuses mail to ${to} for good (case ${req.case.caseId}, ${req.kind}). This person learns nothing of their cases: please check the address in the policy and the mail server.`,
  ].join('\n');
}

export interface StaffAlarmDeps {
  /** ADMIN_ADDRESS; without it there is no alarm. */
  adminAddress?: string;
  sendMail: TSendMail;
  supportAddress: string;
}

/** Tells ADMIN_ADDRESS (at most hourly per staff address) that mail to a staff address is refused; rethrows. */
export function createStaffAlarm(deps: StaffAlarmDeps): (req: CaseMailRequest, err: unknown) => Promise<never> {
  const domain = domainOf(deps.supportAddress);
  const alarmed = new Map<string, number>();
  return async (req, err) => {
    const failure = err instanceof ApplicationFailure ? err : undefined;
    const to = req.to === 'customer' ? '' : req.to.address;
    const last = alarmed.get(to) ?? 0;
    if (failure?.type === ErrorCode.SmtpRejected && deps.adminAddress && Date.now() - last > ALARM_EVERY_MS) {
      alarmed.set(to, Date.now());
      log.error('mail to a staff address refused', { caseId: req.case.caseId, kind: req.kind });
      await deps
        .sendMail({
          from: deps.supportAddress,
          to: deps.adminAddress,
          subject: `[Nachfass] Mail an ${to} abgewiesen (Fall ${req.case.caseId})`,
          text: staffRefusedText(req, to, failure.message),
          html: `<pre>${escapeHtml(staffRefusedText(req, to, failure.message))}</pre>`,
          messageId: `<alarm.${req.case.caseId}.${req.seq}.${Date.now()}@${domain}>`,
          headers: {
            'Auto-Submitted': 'auto-generated',
            'X-Nachfass-Case': req.case.caseId,
            'X-Nachfass-Kind': 'admin-alarm',
          },
          envelopeId: 'admin-alarm', // not a case mail: a bounce of it must not count against the case
        })
        .catch((alarmErr: unknown) => log.error('admin alarm not sent', { error: String(alarmErr) }));
    }
    throw err;
  };
}
