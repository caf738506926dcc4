/** The decision, sent to the customer with the approver's note. */
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, salutation } from './format.js';
import { makeDraft, type MailDraft } from './layout.js';

export function decision(c: CaseMailContext): MailDraft {
  const l = c.language;
  const d = c.decision;
  if (!d) throw new Error(`case ${c.caseId} has no decision to send`);
  const approved = d.outcome === 'approved';
  const alternative = d.outcome === 'alternative';
  const note = d.noteToCustomer?.trim();
  const reviewed = c.review
    ? [
        l === 'de'
          ? `wie gewünscht haben wir die Entscheidung zu Ihrem Fall ${c.caseId} noch einmal geprüft, diesmal durch ${d.decidedByName}. Das Ergebnis:`
          : `As you asked, the decision on your case ${c.caseId} has been reviewed, this time by ${d.decidedByName}. The outcome:`,
      ]
    : [];
  const paragraphs =
    l === 'de'
      ? [
          ...reviewed,
          approved
            ? `gute Nachrichten zu Ihrem Fall ${c.caseId}: Ihrem Anliegen wurde stattgegeben.`
            : alternative
              ? `zu Ihrem Fall ${c.caseId} liegt jetzt eine Entscheidung vor. Ihrem Anliegen können wir so nicht entsprechen, aber wir möchten Ihnen eine andere Lösung anbieten.`
              : `zu Ihrem Fall ${c.caseId} liegt jetzt eine Entscheidung vor. Wir haben Ihr Anliegen sorgfältig geprüft, können ihm aber leider nicht entsprechen.`,
          ...(note
            ? [`${alternative ? 'Unser Angebot' : 'Die Nachricht der entscheidenden Person an Sie'}:\n${note}`]
            : []),
          ...(alternative ? ['Antworten Sie einfach auf diese E-Mail, ob Sie das Angebot annehmen möchten.'] : []),
          approved || alternative
            ? 'Wir danken Ihnen für Ihre Geduld. Haben Sie Fragen dazu, antworten Sie einfach auf diese E-Mail.'
            : 'Wir bedauern, dass wir Ihnen keine andere Antwort geben können. Wenn Sie Fragen haben oder die Entscheidung prüfen lassen möchten, antworten Sie einfach auf diese E-Mail.',
        ]
      : [
          ...reviewed,
          approved
            ? `Good news about your case ${c.caseId}: your request has been approved.`
            : alternative
              ? `There is now a decision on your case ${c.caseId}. We cannot grant your request as it stands, but we would like to offer you another solution.`
              : `There is now a decision on your case ${c.caseId}. We have reviewed your request carefully but unfortunately cannot grant it.`,
          ...(note ? [`${alternative ? 'Our offer' : "The decision maker's message to you"}:\n${note}`] : []),
          ...(alternative ? ['Simply reply to this email to tell us whether you accept the offer.'] : []),
          approved || alternative
            ? 'Thank you for your patience. If you have any questions, simply reply to this email.'
            : 'We regret that we cannot give you a different answer. If you have questions or would like the decision reviewed, simply reply to this email.',
        ];
  const prefix = c.review ? (l === 'de' ? 'Überprüfung' : 'Review') : l === 'de' ? 'Entscheidung' : 'Decision';
  return makeDraft(caseSubject(c.caseId, c.subject, l, prefix), {
    language: l,
    greeting: salutation(c.customer.name, l),
    paragraphs,
    company: c.company,
  });
}
