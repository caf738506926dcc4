/** The confirmation page a decision link opens. Showing it changes nothing; only its form POST decides. */
import type { Approver, CaseState, TLevel } from '../../workflows/case.js';
import { formatDateTime, reasonsText } from '../format.js';
import { CaseHeader, customerLine } from './case-header.js';
import { Replies, Timeline } from './case-history.js';
import { CsrfField, page } from './layout.js';

export interface DecidePageProps {
  state: CaseState;
  complaintText: string;
  approver: Approver;
  timeZone: string;
  csrfToken: string;
  action: string;
}

const T = {
  de: {
    title: 'Entscheidung zu Fall',
    customer: 'Kunde',
    subject: 'Betreff',
    priority: 'Priorität',
    why: 'Warum eskaliert',
    promised: 'Zugesagt bis',
    complaint: 'Die Beschwerde',
    replies: 'Weitere Nachrichten des Kunden',
    done: 'Bisher getan',
    decide: 'Ihre Entscheidung',
    choose: 'Wie entscheiden Sie?',
    approve: 'Genehmigen',
    reject: 'Ablehnen',
    alternative: 'Anderes Angebot machen (in der Nachricht an den Kunden beschreiben)',
    forward: 'An die nächste Ebene weitergeben (Begründung als interne Notiz)',
    info: 'Beim Kunden nachfragen (Frage in der Nachricht an den Kunden)',
    noteCustomer: 'Nachricht an den Kunden (wird ihm geschickt)',
    noteInternal: 'Interne Notiz (nur im Fallverlauf)',
    submit: 'Entscheidung absenden',
    hint: 'Sie entscheiden als',
    level: { high: 'hoch', low: 'niedrig' },
    urgency: 'Dringlichkeit',
    impact: 'Auswirkung',
  },
  en: {
    title: 'Decision on case',
    customer: 'Customer',
    subject: 'Subject',
    priority: 'Priority',
    why: 'Why escalated',
    promised: 'Promised by',
    complaint: 'The complaint',
    replies: 'Further messages from the customer',
    done: 'Done so far',
    decide: 'Your decision',
    choose: 'What is your decision?',
    approve: 'Approve',
    reject: 'Reject',
    alternative: 'Offer an alternative (describe it in the note to the customer)',
    forward: 'Forward to the next level (reason as internal note)',
    info: 'Ask the customer for more information (question in the note to the customer)',
    noteCustomer: 'Note to the customer (sent to them)',
    noteInternal: 'Internal note (case history only)',
    submit: 'Send decision',
    hint: 'You decide as',
    level: { high: 'high', low: 'low' },
    urgency: 'urgency',
    impact: 'impact',
  },
} as const;

function Choice({ value, label, required }: { value: string; label: string; required?: boolean }) {
  return (
    <label className="choice">
      <input type="radio" name="outcome" value={value} required={required} /> {label}
    </label>
  );
}

export function decidePage(p: DecidePageProps): string {
  const l = p.approver.language;
  const t = T[l];
  const s = p.state;
  const level = (v: TLevel): string => t.level[v];
  return page(
    l,
    `${t.title} ${s.caseId}`,
    <>
      <CaseHeader title={t.title} caseId={s.caseId}>
        <dt>{t.customer}</dt>
        <dd>{customerLine(s.customer)}</dd>
        <dt>{t.subject}</dt>
        <dd>{s.subject}</dd>
        <dt>{t.priority}</dt>
        <dd>
          {s.assessment.priority} ({t.urgency} {level(s.assessment.urgency)}, {t.impact} {level(s.assessment.impact)})
        </dd>
        <dt>{t.why}</dt>
        <dd>{reasonsText(s.assessment.reasons, l)}</dd>
        <dt>{t.promised}</dt>
        <dd>{formatDateTime(s.promisedBy, l, p.timeZone)}</dd>
      </CaseHeader>
      <section>
        <h2>{t.complaint}</h2>
        <blockquote>{p.complaintText}</blockquote>
      </section>
      <Replies title={t.replies} replies={s.replies} l={l} timeZone={p.timeZone} />
      <Timeline title={t.done} entries={s.timeline} l={l} timeZone={p.timeZone} />
      <DecisionForm {...p} />
    </>,
  );
}

/** The form that decides: the choices this approver has now, the two notes and the button. */
function DecisionForm(p: DecidePageProps) {
  const t = T[p.approver.language];
  const s = p.state;
  const canForward = p.approver.level === s.level && s.ladder[s.level + 1] !== undefined;
  const asking = s.infoRequest !== undefined && !s.infoRequest.closed;
  return (
    <section>
      <h2>{t.decide}</h2>
      <form method="post" action={p.action}>
        <CsrfField token={p.csrfToken} />
        <fieldset>
          <legend>
            {t.choose}{' '}
            <span className="muted">
              {t.hint} {p.approver.name} ({p.approver.role})
            </span>
          </legend>
          <Choice value="approved" label={t.approve} required />
          <Choice value="rejected" label={t.reject} />
          <Choice value="alternative" label={t.alternative} />
          {!asking && <Choice value="info" label={t.info} />}
          {canForward && <Choice value="forward" label={t.forward} />}
        </fieldset>
        <label htmlFor="noteToCustomer">{t.noteCustomer}</label>
        <textarea id="noteToCustomer" name="noteToCustomer" maxLength={4000} />
        <label htmlFor="internalNote">{t.noteInternal}</label>
        <textarea id="internalNote" name="internalNote" maxLength={4000} />
        <button type="submit">{t.submit}</button>
      </form>
    </section>
  );
}
