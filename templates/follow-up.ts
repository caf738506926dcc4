/** Follow-up after the decision: thanks, and how satisfied the customer is and what we could do better. */
import type { CaseMailContext } from '../workflows/case.js';
import { caseSubject, salutation } from './format.js';
import { renderMail, type MailDraft } from './layout.js';

export function followUp(c: CaseMailContext): MailDraft {
  const l = c.language;
  const paragraphs =
    l === 'de'
      ? [
          `vor einigen Tagen haben wir über Ihren Fall ${c.caseId} entschieden. Vielen Dank, dass Sie sich die Zeit genommen haben, uns auf das Problem aufmerksam zu machen.`,
          'Wir möchten wissen, wie zufrieden Sie sind:\n1. Wie zufrieden sind Sie mit dem Ergebnis (1 = gar nicht, 5 = sehr)?\n2. Wie zufrieden sind Sie damit, wie wir Ihre Beschwerde bearbeitet haben?\n3. Was hätten wir besser machen können?',
          'Antworten Sie einfach auf diese E-Mail, gern in ein paar Worten. Jede Rückmeldung wird gelesen.',
        ]
      : [
          `A few days ago we decided on your case ${c.caseId}. Thank you for taking the time to make us aware of the problem.`,
          'We would like to know how satisfied you are:\n1. How satisfied are you with the outcome (1 = not at all, 5 = very)?\n2. How satisfied are you with how we handled your complaint?\n3. What could we have done better?',
          'Simply reply to this email, a few words are plenty. Every answer is read.',
        ];
  return renderMail(caseSubject(c.caseId, c.subject, l, l === 'de' ? 'Ihre Meinung' : 'Your feedback'), {
    language: l,
    greeting: salutation(c.customer.name, l),
    paragraphs,
    company: c.company,
  });
}
