/** Acknowledgment to the customer: received, why a supervisor must approve, how we proceed, and when they hear from us. */
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, mailTime, salutation } from './format.js';
import { makeDraft, type MailDraft } from './layout.js';

export function acknowledgment(c: CaseMailContext): MailDraft {
  const l = c.language;
  const received = mailTime(c.receivedAt, c);
  const due = mailTime(c.promisedBy, c);
  const paragraphs =
    l === 'de'
      ? [
          `vielen Dank für Ihre Nachricht vom ${received}. Es tut uns leid, dass Sie Grund zur Beschwerde haben, und wir nehmen Ihr Anliegen ernst.`,
          `Wir haben es unter der Fallnummer ${c.caseId} aufgenommen. Die Lösung, die Ihr Anliegen verdient, muss eine Vorgesetzte oder ein Vorgesetzter freigeben. Deshalb haben wir Ihren Fall soeben an die zuständige Stelle weitergegeben.`,
          `So gehen wir vor:\n1. Die zuständige Vorgesetzte oder der zuständige Vorgesetzte prüft Ihren Fall und entscheidet.\n2. Kommt die Entscheidung nicht rechtzeitig, geht Ihr Fall an die nächste Ebene.\n3. Sie erhalten die Entscheidung per E-Mail, mit einer Begründung.`,
          `Sie hören spätestens am ${due} von uns: mit der Entscheidung oder mit einem ehrlichen Zwischenstand.`,
          'Möchten Sie noch etwas ergänzen, antworten Sie einfach auf diese E-Mail. Die Fallnummer im Betreff hilft uns, Ihre Nachricht sofort zuzuordnen.',
        ]
      : [
          `Thank you for your message of ${received}. We are sorry that you have reason to complain, and we take your concern seriously.`,
          `We have recorded it as case ${c.caseId}. The solution your concern deserves must be approved by a supervisor, so we have just passed your case on to the person responsible.`,
          `This is how we proceed:\n1. The responsible supervisor reviews your case and decides.\n2. If no decision is made in time, your case goes to the next level.\n3. You receive the decision by email, with the reasons.`,
          `You will hear from us by ${due} at the latest: with the decision or with an honest progress update.`,
          'If you would like to add anything, simply reply to this email. The case number in the subject helps us match your message at once.',
        ];
  return makeDraft(caseSubject(c.caseId, c.subject, l), {
    language: l,
    greeting: salutation(c.customer.name, l),
    paragraphs,
    company: c.company,
  });
}
