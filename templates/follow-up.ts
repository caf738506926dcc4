/**
 * Follow-up after the decision: thanks, a 1–5 satisfaction rating as links (each opens a confirmation page;
 * opening it changes nothing) and an invitation to answer in their own words.
 */
import { RATING_MAX, type TLanguage } from '../workflows/case.js';
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, mailTime, salutation } from './format.js';
import { makeDraft, type MailDraft } from './layout.js';

/** What each rating means, as the rating links and the rating page say it. */
export const RATING_WORDS: Record<TLanguage, readonly string[]> = {
  de: ['gar nicht zufrieden', 'eher unzufrieden', 'teils, teils', 'zufrieden', 'sehr zufrieden'],
  en: ['not at all satisfied', 'rather dissatisfied', 'partly satisfied', 'satisfied', 'very satisfied'],
};

export function ratingTitle(value: number, l: TLanguage): string {
  return `${value} ${l === 'de' ? 'von' : 'of'} ${RATING_MAX} (${RATING_WORDS[l][value - 1] ?? ''})`;
}

/** `ratingLinks[i]` rates i + 1; the rating counts until the feedback window closes. */
export function followUp(c: CaseMailContext, ratingLinks: readonly string[]): MailDraft {
  const l = c.language;
  if (ratingLinks.length !== RATING_MAX) throw new Error(`the follow-up needs ${RATING_MAX} rating links`);
  const until = c.feedback ? mailTime(c.feedback.closesAt, c) : undefined;
  const de = l === 'de';
  return makeDraft(caseSubject(c.caseId, c.subject, l, de ? 'Ihre Meinung' : 'Your feedback'), {
    language: l,
    greeting: salutation(c.customer.name, l),
    paragraphs: de
      ? [
          `vor einigen Tagen haben wir über Ihren Fall ${c.caseId} entschieden. Vielen Dank, dass Sie sich die Zeit genommen haben, uns auf das Problem aufmerksam zu machen, und für Ihre Geduld.`,
          'Wir möchten gern wissen, wie zufrieden Sie mit dem Ergebnis sind und damit, wie wir Ihre Beschwerde bearbeitet haben.',
        ]
      : [
          `A few days ago we decided on your case ${c.caseId}. Thank you for taking the time to make us aware of the problem, and for your patience.`,
          'We would like to know how satisfied you are with the outcome and with how we handled your complaint.',
        ],
    choices: {
      question: de
        ? 'Wie zufrieden sind Sie insgesamt? (1 = gar nicht, 5 = sehr)'
        : 'How satisfied are you overall? (1 = not at all, 5 = very)',
      options: ratingLinks.map((url, i) => ({ label: String(i + 1), url, title: ratingTitle(i + 1, l) })),
      caption: de
        ? 'Ein Klick öffnet eine Seite, auf der Sie Ihre Bewertung bestätigen und gern ein paar Worte ergänzen.'
        : 'A click opens a page where you confirm your rating and may add a few words.',
    },
    closing: [
      de
        ? `Was hätten wir besser machen können? Antworten Sie einfach auf diese E-Mail, gern in ein paar Worten. Jede Rückmeldung wird gelesen${until ? `; Ihre Bewertung nehmen wir bis ${until} entgegen` : ''}.`
        : `What could we have done better? Simply reply to this email, a few words are plenty. Every answer is read${until ? `; we take your rating until ${until}` : ''}.`,
    ],
    company: c.company,
  });
}
