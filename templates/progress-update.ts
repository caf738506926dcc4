/** Progress update when the promised time falls due without a decision: honest, with a new time. */
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, mailTime, salutation } from './format.js';
import { makeDraft, type MailDraft } from './layout.js';

export function progressUpdate(c: CaseMailContext): MailDraft {
  const l = c.language;
  const due = mailTime(c.promisedBy, c);
  const escalated = c.level > 0;
  const paragraphs =
    l === 'de'
      ? [
          `wir hatten Ihnen zugesagt, dass Sie bis heute von uns hören. Eine Entscheidung zu Ihrem Fall ${c.caseId} liegt leider noch nicht vor, und dafür bitten wir um Entschuldigung.`,
          escalated
            ? 'Damit es vorangeht, haben wir Ihren Fall an die nächsthöhere Ebene weitergegeben.'
            : 'Ihr Fall liegt der zuständigen Vorgesetzten bzw. dem zuständigen Vorgesetzten zur Entscheidung vor, und wir haben nachgefasst.',
          `Sie hören spätestens am ${due} wieder von uns. Vielen Dank für Ihre Geduld.`,
        ]
      : [
          `We promised you would hear from us by today. Unfortunately there is no decision on your case ${c.caseId} yet, and we apologise for that.`,
          escalated
            ? 'To move things forward, we have passed your case to the next level.'
            : 'Your case is with the responsible supervisor for a decision, and we have followed up.',
          `You will hear from us again by ${due} at the latest. Thank you for your patience.`,
        ];
  return makeDraft(caseSubject(c.caseId, c.subject, l, l === 'de' ? 'Zwischenstand' : 'Progress update'), {
    language: l,
    greeting: salutation(c.customer.name, l),
    paragraphs,
    company: c.company,
  });
}
