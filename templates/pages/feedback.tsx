/**
 * The customer's rating page (a follow-up's rating link opens it; showing it records nothing, only its form
 * POST does) and the follow-up page a low rating's owner closes. Both answer in their reader's language.
 */
import { RATING_MAX, type Approver, type CaseState, type TLanguage } from '../../workflows/case.js';
import { formatDateTime } from '../format.js';
import { RATING_WORDS, ratingTitle } from '../follow-up.js';
import { CaseHeader, customerLine } from './case-header.js';
import { CsrfField, page } from './layout.js';
import { OUTCOME_DE } from './link-texts.js';

export const FEEDBACK_TEXT = {
  de: {
    title: 'Wie zufrieden sind Sie?',
    intro: (caseId: string) =>
      `Ihre Bewertung zu Fall ${caseId}. Sie zählt erst, wenn Sie unten eine Zahl wählen und absenden.`,
    clicked: (title: string) => `In der E-Mail haben Sie ${title} angeklickt. Bitte wählen Sie sie hier noch einmal.`,
    legend: 'Ihre Bewertung (1 = gar nicht zufrieden, 5 = sehr zufrieden)',
    comment: 'Was hätten wir besser machen können? (freiwillig)',
    submit: 'Bewertung senden',
    thanks: ['Vielen Dank!', 'Ihre Bewertung ist gespeichert. Sie erhalten gleich eine kurze Bestätigung per E-Mail.'],
    thanksLow: (owner: string, due: string) =>
      `Es tut uns leid, dass wir Sie nicht überzeugen konnten. ${owner} kümmert sich persönlich darum und meldet sich bis ${due} bei Ihnen.`,
    already: (v: number) =>
      ['Bereits bewertet', `Sie haben diesen Fall bereits mit ${ratingTitle(v, 'de')} bewertet. Vielen Dank!`] as const,
    closed: [
      'Die Umfrage ist geschlossen',
      'Für diesen Fall nehmen wir keine Bewertung mehr entgegen. Möchten Sie uns etwas sagen, antworten Sie gern auf unsere E-Mail.',
    ],
    badForm: [
      'Bitte wählen Sie eine Zahl',
      'Bitte wählen Sie eine Bewertung von 1 bis 5 und senden Sie das Formular erneut.',
    ],
    failed: [
      'Das hat nicht geklappt',
      'Ihre Bewertung konnte gerade nicht gespeichert werden. Bitte versuchen Sie es in einer Minute erneut.',
    ],
  },
  en: {
    title: 'How satisfied are you?',
    intro: (caseId: string) =>
      `Your rating of case ${caseId}. It counts only once you choose a number below and send it.`,
    clicked: (title: string) => `In the email you clicked ${title}. Please choose it here once more.`,
    legend: 'Your rating (1 = not at all satisfied, 5 = very satisfied)',
    comment: 'What could we have done better? (optional)',
    submit: 'Send rating',
    thanks: ['Thank you!', 'Your rating is saved. You will receive a short confirmation by email.'],
    thanksLow: (owner: string, due: string) =>
      `We are sorry that we did not convince you. ${owner} will look into it personally and get in touch with you by ${due}.`,
    already: (v: number) =>
      ['Already rated', `You already rated this case ${ratingTitle(v, 'en')}. Thank you!`] as const,
    closed: [
      'The survey is closed',
      'We no longer take ratings for this case. If you would like to tell us something, simply reply to our email.',
    ],
    badForm: ['Please choose a number', 'Please choose a rating from 1 to 5 and send the form again.'],
    failed: ['That did not work', 'Your rating could not be saved just now. Please try again in a minute.'],
  },
} as const;

export interface RatingPageProps {
  state: CaseState;
  /**
   * The number the customer clicked in the mail (0: none): named on the page, never preselected, so that a mail
   * scanner that opens the link and submits the form as it stands records nothing.
   */
  clicked: number;
  csrfToken: string;
  action: string;
}

export function ratingPage(p: RatingPageProps): string {
  const l = p.state.language;
  const t = FEEDBACK_TEXT[l];
  const options = Array.from({ length: RATING_MAX }, (_, i) => i + 1);
  return page(
    l,
    t.title,
    <section>
      <h1>{t.title}</h1>
      <p>{t.intro(p.state.caseId)}</p>
      {p.clicked > 0 ? <p>{t.clicked(ratingTitle(p.clicked, l))}</p> : null}
      <form method="post" action={p.action}>
        <CsrfField token={p.csrfToken} />
        <fieldset>
          <legend>{t.legend}</legend>
          {options.map((v) => (
            <label key={v} className="choice">
              <input type="radio" name="rating" value={v} required /> {v}: {RATING_WORDS[l][v - 1]}
            </label>
          ))}
        </fieldset>
        <label htmlFor="comment">{t.comment}</label>
        <textarea id="comment" name="comment" maxLength={4000} />
        <button type="submit">{t.submit}</button>
      </form>
    </section>,
  );
}

const FOLLOW_UP_TEXT = {
  de: {
    title: 'Nachbereitung zu Fall',
    customer: 'Kunde',
    decision: 'Entscheidung',
    rating: 'Bewertung',
    due: 'Fällig',
    owner: 'Verantwortlich',
    words: 'Die Worte des Kunden',
    none: 'Der Kunde hat nichts dazu geschrieben.',
    close: 'Nachbereitung abschließen',
    note: 'Was wurde getan, was lernen wir daraus? (intern, Pflicht)',
    message: 'Nachricht an den Kunden (freiwillig; wird ihm per E-Mail geschickt)',
    submit: 'Nachbereitung abschließen',
    hint: 'Sie schließen ab als',
  },
  en: {
    title: 'Follow-up of case',
    customer: 'Customer',
    decision: 'Decision',
    rating: 'Rating',
    due: 'Due',
    owner: 'Owner',
    words: 'In the customer’s words',
    none: 'The customer wrote nothing about it.',
    close: 'Close the follow-up',
    note: 'What was done, what do we learn? (internal, required)',
    message: 'Message to the customer (optional; sent to them by email)',
    submit: 'Close the follow-up',
    hint: 'You close it as',
  },
} as const;

export interface FollowUpPageProps {
  state: CaseState;
  approver: Approver;
  timeZone: string;
  csrfToken: string;
  action: string;
}

export function followUpPage(p: FollowUpPageProps): string {
  const l: TLanguage = p.approver.language;
  const t = FOLLOW_UP_TEXT[l];
  const s = p.state;
  const lr = s.lowRating;
  const fb = s.feedback;
  if (!lr || !fb?.rating) throw new Error(`case ${s.caseId} has no low rating to follow up`);
  const d = s.decision;
  const outcome = d ? (l === 'de' ? OUTCOME_DE[d.outcome] : d.outcome) : '';
  const words = [fb.rating.comment, ...fb.comments.map((c) => c.text)].filter((w): w is string => Boolean(w));
  return page(
    l,
    `${t.title} ${s.caseId}`,
    <>
      <CaseHeader title={t.title} caseId={s.caseId}>
        <dt>{t.customer}</dt>
        <dd>{customerLine(s.customer)}</dd>
        <dt>{t.decision}</dt>
        <dd>
          {outcome}
          {d ? ` (${d.decidedByName})` : ''}
          {d?.noteToCustomer ? `: ${d.noteToCustomer}` : ''}
        </dd>
        <dt>{t.rating}</dt>
        <dd>{ratingTitle(fb.rating.value, l)}</dd>
        <dt>{t.owner}</dt>
        <dd>{lr.ownerName}</dd>
        <dt>{t.due}</dt>
        <dd>{formatDateTime(lr.dueAt, l, p.timeZone)}</dd>
      </CaseHeader>
      <section>
        <h2>{t.words}</h2>
        {words.length > 0 ? words.map((w, i) => <blockquote key={i}>{w}</blockquote>) : <p>{t.none}</p>}
      </section>
      <section>
        <h2>{t.close}</h2>
        <form method="post" action={p.action}>
          <CsrfField token={p.csrfToken} />
          <p className="muted">
            {t.hint} {p.approver.name} ({p.approver.role})
          </p>
          <label htmlFor="note">{t.note}</label>
          <textarea id="note" name="note" maxLength={4000} required />
          <label htmlFor="messageToCustomer">{t.message}</label>
          <textarea id="messageToCustomer" name="messageToCustomer" maxLength={4000} />
          <button type="submit">{t.submit}</button>
        </form>
      </section>
    </>,
  );
}
