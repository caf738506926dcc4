/**
 * What follows the customer's feedback: one thank-you, and for a low rating the follow-up its owner (whoever
 * decided) must close: the notice, its reminder, the notice to the level above when it is overdue, and the
 * owner's personal message to the customer.
 */
import { RATING_MAX, type Approver } from '../workflows/case.js';
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, formatDateTime, mailTime, salutation } from './format.js';
import { ratingTitle } from './follow-up.js';
import { makeDraft, type MailDraft } from './layout.js';
import { OUTCOME_DE } from './pages/link-texts.js';

export function feedbackThanks(c: CaseMailContext): MailDraft {
  const l = c.language;
  const de = l === 'de';
  const rating = c.feedback?.rating;
  const low = c.lowRating;
  const due = low ? mailTime(low.dueAt, c) : '';
  const rated =
    rating === undefined
      ? de
        ? `vielen Dank für Ihre Rückmeldung zu Fall ${c.caseId}. Wir haben sie gelesen und an die Person weitergegeben, die über Ihren Fall entschieden hat.`
        : `Thank you for your feedback on case ${c.caseId}. We have read it and passed it on to the person who decided your case.`
      : de
        ? `vielen Dank für Ihre Bewertung zu Fall ${c.caseId}: ${ratingTitle(rating, l)}.`
        : `Thank you for rating case ${c.caseId}: ${ratingTitle(rating, l)}.`;
  const next = low
    ? de
      ? `Es tut uns leid, dass wir Sie nicht überzeugen konnten. ${low.ownerName}, die Person, die über Ihren Fall entschieden hat, kümmert sich persönlich um Ihre Rückmeldung und meldet sich bis spätestens ${due} bei Ihnen.`
      : `We are sorry that we did not convince you. ${low.ownerName}, who decided your case, will look into your feedback personally and get in touch with you by ${due} at the latest.`
    : rating !== undefined && rating >= RATING_MAX - 1
      ? de
        ? 'Es freut uns, dass wir Ihnen helfen konnten.'
        : 'We are glad we could help.'
      : de
        ? 'Ihre Hinweise helfen uns, besser zu werden.'
        : 'Your remarks help us get better.';
  return makeDraft(
    caseSubject(c.caseId, c.subject, l, de ? 'Danke für Ihre Rückmeldung' : 'Thank you for your feedback'),
    {
      language: l,
      greeting: salutation(c.customer.name, l),
      paragraphs: [
        rated,
        next,
        de
          ? 'Möchten Sie noch etwas ergänzen, antworten Sie einfach auf diese E-Mail.'
          : 'If you would like to add anything, simply reply to this email.',
      ],
      company: c.company,
    },
  );
}

export type TLowRatingKind = 'low-rating' | 'low-rating-reminder' | 'low-rating-overdue';

/** To the owner (notice, reminder) or the level above (overdue), with the link to the follow-up page. */
export function lowRatingNotice(c: CaseMailContext, a: Approver, kind: TLowRatingKind, link: string): MailDraft {
  const l = a.language;
  const de = l === 'de';
  const fb = c.feedback;
  const low = c.lowRating;
  if (!fb?.rating || !low) throw new Error(`case ${c.caseId} has no low rating to follow up`);
  const due = formatDateTime(low.dueAt, l, c.company.timeZone);
  const rating = ratingTitle(fb.rating, l);
  const who = c.customer.name ? `${c.customer.name} <${c.customer.address}>` : c.customer.address;
  const opening = {
    'low-rating': de
      ? `der Kunde hat Fall ${c.caseId} mit ${rating} bewertet. Sie haben über den Fall entschieden, deshalb liegt die Nachbereitung bei Ihnen.`
      : `The customer rated case ${c.caseId} ${rating}. You decided the case, so the follow-up is yours.`,
    'low-rating-reminder': de
      ? `zur Erinnerung: Die Nachbereitung von Fall ${c.caseId} (Bewertung ${rating}) ist noch offen.`
      : `A reminder: the follow-up of case ${c.caseId} (rated ${rating}) is still open.`,
    'low-rating-overdue': de
      ? `die Nachbereitung von Fall ${c.caseId} (Bewertung ${rating}) durch ${low.ownerName} ist seit ${due} überfällig. Zur Information: Sie können sie selbst abschließen oder ${low.ownerName} ansprechen.`
      : `The follow-up of case ${c.caseId} (rated ${rating}) by ${low.ownerName} has been overdue since ${due}. For your information: you can close it yourself or talk to ${low.ownerName}.`,
  }[kind];
  const decided = c.decision
    ? de
      ? `Entscheidung: ${OUTCOME_DE[c.decision.outcome]} durch ${c.decision.decidedByName}${c.decision.noteToCustomer ? ` („${c.decision.noteToCustomer}“)` : ''}`
      : `Decision: ${c.decision.outcome} by ${c.decision.decidedByName}${c.decision.noteToCustomer ? ` ("${c.decision.noteToCustomer}")` : ''}`
    : '';
  const words = [fb.comment, ...fb.comments].filter((t): t is string => Boolean(t?.trim()));
  const prefix = {
    'low-rating': de ? 'Niedrige Bewertung: Nachbereitung' : 'Low rating: follow-up',
    'low-rating-reminder': de ? 'Erinnerung: Nachbereitung' : 'Reminder: follow-up',
    'low-rating-overdue': de ? 'Überfällig: Nachbereitung' : 'Overdue: follow-up',
  }[kind];
  return makeDraft(caseSubject(c.caseId, c.subject, l, prefix), {
    language: l,
    greeting: salutation(a.name, l),
    paragraphs: [
      opening,
      `${de ? 'Kunde' : 'Customer'}: ${who}\n${decided}\n${de ? 'Fällig' : 'Due'}: ${due}`,
      kind === 'low-rating-overdue'
        ? de
          ? `Von Ihnen erwartet: Sorgen Sie dafür, dass sich jemand beim Kunden meldet; zugesagt war das bis ${due}. Wer die Nachbereitung abschließt, hält auf der Seite hinter dem Link fest, was getan wurde und was wir daraus lernen; erst dann wird der Fall abgeschlossen.`
          : `Expected from you: make sure someone gets in touch with the customer; we promised that by ${due}. Whoever closes the follow-up records on the page behind the link what was done and what we learn; only then is the case completed.`
        : de
          ? 'Von Ihnen erwartet: Nehmen Sie Kontakt mit dem Kunden auf, klären Sie, was ihn unzufrieden macht, und halten Sie auf der Seite hinter dem Link fest, was getan wurde und was wir daraus lernen. Dort können Sie dem Kunden auch eine Nachricht senden. Erst dann wird der Fall abgeschlossen.'
          : 'Expected from you: get in touch with the customer, find out what left them dissatisfied, and record on the page behind the link what was done and what we learn. You can also send the customer a message there. Only then is the case completed.',
    ],
    ...(words.length > 0
      ? { quote: { label: de ? 'Die Worte des Kunden:' : 'In the customer’s words:', text: words.join('\n\n') } }
      : {}),
    action: { label: de ? 'Nachbereitung öffnen' : 'Open the follow-up', url: link },
    company: c.company,
  });
}

/** The owner's personal message closing the loop with the customer. */
export function lowRatingMessage(c: CaseMailContext): MailDraft {
  const l = c.language;
  const de = l === 'de';
  const low = c.lowRating;
  if (!low?.messageToCustomer) throw new Error(`case ${c.caseId} has no follow-up message to send`);
  return makeDraft(caseSubject(c.caseId, c.subject, l, de ? 'Ihre Rückmeldung' : 'Your feedback'), {
    language: l,
    greeting: salutation(c.customer.name, l),
    paragraphs: [
      de
        ? `wir haben Ihre Rückmeldung zu Fall ${c.caseId} besprochen. ${low.ownerName} schreibt Ihnen:`
        : `We have discussed your feedback on case ${c.caseId}. ${low.ownerName} writes:`,
    ],
    quote: { label: low.ownerName, text: low.messageToCustomer },
    closing: [
      de
        ? 'Vielen Dank, dass Sie uns geholfen haben, besser zu werden. Haben Sie noch Fragen, antworten Sie einfach auf diese E-Mail.'
        : 'Thank you for helping us get better. If you have any questions, simply reply to this email.',
    ],
    company: c.company,
  });
}
