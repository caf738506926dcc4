/** The customer withdrew the complaint: a polite confirmation to them, and a notice to whoever was deciding. */
import type { Approver } from '../workflows/case.js';
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, salutation } from './format.js';
import { makeDraft, type MailDraft } from './layout.js';

export function withdrawalConfirmation(c: CaseMailContext): MailDraft {
  const l = c.language;
  const paragraphs =
    l === 'de'
      ? [
          `vielen Dank für Ihre Nachricht. Wie gewünscht haben wir Ihren Fall ${c.caseId} abgeschlossen; es ist nichts weiter zu tun.`,
          'Wir freuen uns, dass sich Ihr Anliegen erledigt hat. Sollte doch noch etwas offen sein, antworten Sie einfach auf diese E-Mail.',
        ]
      : [
          `Thank you for your message. As you asked, we have closed your case ${c.caseId}; nothing more needs to be done.`,
          'We are glad your concern has been settled. If anything is still open after all, simply reply to this email.',
        ];
  return makeDraft(caseSubject(c.caseId, c.subject, l, l === 'de' ? 'Abgeschlossen' : 'Closed'), {
    language: l,
    greeting: salutation(c.customer.name, l),
    paragraphs,
    company: c.company,
  });
}

export function caseWithdrawn(c: CaseMailContext, a: Approver): MailDraft {
  const l = a.language;
  const paragraphs =
    l === 'de'
      ? [
          `der Kunde hat Fall ${c.caseId} zurückgezogen. Sie müssen nicht mehr entscheiden; die Links zu diesem Fall gelten nicht mehr.`,
        ]
      : [
          `The customer withdrew case ${c.caseId}. You no longer need to decide; the links for this case are no longer valid.`,
        ];
  return makeDraft(caseSubject(c.caseId, c.subject, l, l === 'de' ? 'Zurückgezogen' : 'Withdrawn'), {
    language: l,
    greeting: salutation(a.name, l),
    paragraphs,
    company: c.company,
  });
}
