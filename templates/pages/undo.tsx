/**
 * A pending decision (policy decisionUndoWindow) on the link server: what the case link shows while it is pending
 * ("pending until 14:05 (undo)"), and the undo page. Showing either changes nothing; only the undo page's form
 * POST takes the decision back.
 */
import type { Approver, CaseState, DecisionRecord, TLanguage } from '../../workflows/case.js';
import { decidedVia } from '../decision-receipt.js';
import { formatDateTime, formatTime } from '../format.js';
import { CaseHeader } from './case-header.js';
import { CsrfField, page } from './layout.js';
import { OUTCOME_DE } from './link-texts.js';

const outcome = (d: DecisionRecord, l: TLanguage): string =>
  l === 'de' ? OUTCOME_DE[d.outcome] : d.outcome === 'alternative' ? 'alternative offered' : d.outcome;

export const UNDO_TEXT = {
  de: {
    pending: 'Entscheidung vorläufig',
    title: 'Entscheidung rückgängig machen',
    decided: (d: DecisionRecord, tz: string) =>
      `${d.decidedByName} hat am ${formatDateTime(d.at, 'de', tz)} entschieden: ${outcome(d, 'de')} (${decidedVia(d, 'de')}).`,
    until: (d: DecisionRecord, tz: string) => `Vorläufig bis ${formatTime(d.pendingUntil ?? d.at, 'de', tz)}`,
    undoLink: 'rückgängig machen',
    customer: 'Erst dann erfährt der Kunde davon; bis dahin hat er nichts gehört.',
    explain:
      'Machen Sie die Entscheidung rückgängig, wartet der Fall wieder auf eine Entscheidung, mit allen Erinnerungen und der Zusage an den Kunden. Beides steht im Fallverlauf.',
    note: 'Nachricht an den Kunden',
    submit: 'Entscheidung rückgängig machen',
    undone: 'Entscheidung zurückgenommen',
    undoneLine: (caseId: string) =>
      `Fall ${caseId} wartet wieder auf eine Entscheidung; der Kunde hat von der zurückgenommenen nichts erfahren. Neu entscheiden Sie über den Link aus der Anfrage.`,
    closed: [
      'Nicht mehr rückgängig zu machen',
      'Das Zeitfenster ist abgelaufen: Die Entscheidung steht, und der Kunde wurde informiert.',
    ],
    nothing: ['Nichts rückgängig zu machen', 'Zu diesem Fall liegt keine vorläufige Entscheidung vor.'],
    notPermitted: [
      'Keine Berechtigung',
      'Nur wer entschieden hat, oder eine höhere Ebene, kann diese Entscheidung rückgängig machen.',
    ],
  },
  en: {
    pending: 'Decision pending',
    title: 'Undo the decision',
    decided: (d: DecisionRecord, tz: string) =>
      `${d.decidedByName} decided on ${formatDateTime(d.at, 'en', tz)}: ${outcome(d, 'en')} (${decidedVia(d, 'en')}).`,
    until: (d: DecisionRecord, tz: string) => `Pending until ${formatTime(d.pendingUntil ?? d.at, 'en', tz)}`,
    undoLink: 'undo',
    customer: 'Only then does the customer hear of it; until then they have heard nothing.',
    explain:
      'If you undo the decision, the case waits for a decision again, with its reminders and the promise to the customer. The case history records both.',
    note: 'Note to the customer',
    submit: 'Undo the decision',
    undone: 'Decision undone',
    undoneLine: (caseId: string) =>
      `Case ${caseId} waits for a decision again; the customer heard nothing of the decision you took back. Decide anew through the link in the request.`,
    closed: ['Can no longer be undone', 'The window has closed: the decision stands, and the customer has been told.'],
    nothing: ['Nothing to undo', 'This case has no pending decision.'],
    notPermitted: ['Not permitted', 'Only whoever decided, or a higher level, may undo this decision.'],
  },
} as const;

/** What the case link shows while the decision is pending: who decided what, until when, and the undo link. */
export function pendingPage(p: { state: CaseState; language: TLanguage; timeZone: string; undoUrl?: string }): string {
  const t = UNDO_TEXT[p.language];
  const d = p.state.decision;
  if (!d?.pendingUntil) throw new Error(`case ${p.state.caseId} has no pending decision`);
  return page(
    p.language,
    `${t.pending}: ${p.state.caseId}`,
    <section className="notice" role="status">
      <h1>{t.pending}</h1>
      <p>{t.decided(d, p.timeZone)}</p>
      <p>
        <strong>{t.until(d, p.timeZone)}</strong>
        {p.undoUrl && (
          <>
            {' ('}
            <a href={p.undoUrl}>{t.undoLink}</a>
            {')'}
          </>
        )}
        . {t.customer}
      </p>
    </section>,
  );
}

export interface UndoPageProps {
  state: CaseState;
  approver: Approver;
  timeZone: string;
  csrfToken: string;
  action: string;
}

/** The undo page: the pending decision, and the one button that takes it back (POST, CSRF). */
export function undoPage(p: UndoPageProps): string {
  const l = p.approver.language;
  const t = UNDO_TEXT[l];
  const d = p.state.decision;
  if (!d?.pendingUntil) throw new Error(`case ${p.state.caseId} has no pending decision`);
  return page(
    l,
    `${t.title}: ${p.state.caseId}`,
    <>
      <CaseHeader title={t.title} caseId={p.state.caseId}>
        <dt>{t.pending}</dt>
        <dd>{t.decided(d, p.timeZone)}</dd>
        <dt>{t.until(d, p.timeZone)}</dt>
        <dd>{t.customer}</dd>
        {d.noteToCustomer && (
          <>
            <dt>{t.note}</dt>
            <dd>{d.noteToCustomer}</dd>
          </>
        )}
      </CaseHeader>
      <section>
        <p>{t.explain}</p>
        <form method="post" action={p.action}>
          <CsrfField token={p.csrfToken} />
          <button type="submit">{t.submit}</button>
        </form>
      </section>
    </>,
  );
}
