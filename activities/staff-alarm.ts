/**
 * The admin alarm for a staff address our own SMTP server refuses for good: nobody would learn of the case,
 * so ADMIN_ADDRESS must.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { ErrorCode } from '../workflows/error-codes.js';
import type { CaseMailRequest } from '../workflows/case-mail.js';
import { adminMail } from './admin-mail.js';
import type { TSendMail } from './mail.js';

/** At most one admin alarm per refused staff address within this time. */
const ALARM_EVERY_MS = 3_600_000;

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
  const alarmed = new Map<string, number>();
  return async (req, err) => {
    const failure = err instanceof ApplicationFailure ? err : undefined;
    const to = req.to === 'customer' ? '' : req.to.address;
    const last = alarmed.get(to) ?? 0;
    if (failure?.type === ErrorCode.SmtpRejected && deps.adminAddress && Date.now() - last > ALARM_EVERY_MS) {
      alarmed.set(to, Date.now());
      log.error('mail to a staff address refused', { caseId: req.case.caseId, kind: req.kind });
      await deps
        .sendMail(
          adminMail({
            supportAddress: deps.supportAddress,
            adminAddress: deps.adminAddress,
            kind: 'admin-alarm', // not a case mail: a bounce of it must not count against the case
            subject: `[Nachfass] Mail an ${to} abgewiesen (Fall ${req.case.caseId})`,
            text: staffRefusedText(req, to, failure.message),
            id: `alarm.${req.case.caseId}.${req.seq}.${Date.now()}`,
            headers: { 'X-Nachfass-Case': req.case.caseId },
          }),
        )
        .catch((alarmErr: unknown) => log.error('admin alarm not sent', { error: String(alarmErr) }));
    }
    throw err;
  };
}
