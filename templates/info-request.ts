/** Asking the customer for more information (and reminding them once); telling the approver when no answer came. */
import type { Approver } from '../workflows/case.js';
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, mailTime, salutation } from './format.js';
import { decideAction, makeDraft, type MailDraft } from './layout.js';

export function infoRequest(c: CaseMailContext, reminder: boolean): MailDraft {
  const l = c.language;
  const q = c.infoRequest;
  if (!q) throw new Error(`case ${c.caseId} has no open question`);
  const by = mailTime(q.replyBy, c);
  const paragraphs =
    l === 'de'
      ? [
          reminder
            ? `wir warten noch auf Ihre Antwort zu Fall ${c.caseId}. Ohne sie können wir leider nicht weiter entscheiden.`
            : `um über Ihren Fall ${c.caseId} entscheiden zu können, brauchen wir noch eine Information von Ihnen.`,
          `Unsere Frage:\n${q.question}`,
          `Bitte antworten Sie einfach auf diese E-Mail, möglichst bis ${by}. Sobald Ihre Antwort da ist, geht es weiter.`,
        ]
      : [
          reminder
            ? `We are still waiting for your answer about case ${c.caseId}. Without it we cannot go on deciding.`
            : `To decide on your case ${c.caseId}, we need one more piece of information from you.`,
          `Our question:\n${q.question}`,
          `Please simply reply to this email, if possible by ${by}. As soon as your answer arrives, we carry on.`,
        ];
  const prefix =
    l === 'de' ? (reminder ? 'Erinnerung: Rückfrage' : 'Rückfrage') : reminder ? 'Reminder: question' : 'Question';
  return makeDraft(caseSubject(c.caseId, c.subject, l, prefix), {
    language: l,
    greeting: salutation(c.customer.name, l),
    paragraphs,
    company: c.company,
  });
}

export function infoTimeout(c: CaseMailContext, a: Approver, link: string): MailDraft {
  const l = a.language;
  const q = c.infoRequest;
  const paragraphs =
    l === 'de'
      ? [
          `der Kunde hat auf Ihre Rückfrage zu Fall ${c.caseId} bis zur Frist nicht geantwortet (auch nicht auf eine Erinnerung).`,
          ...(q ? [`Ihre Frage war:\n${q.question}`] : []),
          'Bitte entscheiden Sie mit den Informationen, die vorliegen.',
        ]
      : [
          `The customer did not answer your question about case ${c.caseId} by the deadline (nor after a reminder).`,
          ...(q ? [`Your question was:\n${q.question}`] : []),
          'Please decide with the information at hand.',
        ];
  return makeDraft(
    caseSubject(c.caseId, c.subject, l, l === 'de' ? 'Keine Antwort des Kunden' : 'No answer from the customer'),
    {
      language: l,
      greeting: salutation(a.name, l),
      paragraphs,
      action: decideAction(l, link),
      company: c.company,
    },
  );
}
