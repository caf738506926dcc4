/** The confirmation page a decision link opens. Showing it changes nothing; only its form POST decides. */
import type { Approver, CaseState, TLanguage, TLevel, TimelineEntry } from '../../workflows/case.js';
import { formatDateTime, reasonsText } from '../format.js';
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

/** Timeline events in words; an event not listed here is shown as recorded. */
const EVENTS: Record<TLanguage, Record<string, string>> = {
  de: {
    assessed: 'Eingestuft',
    'follows-up-case': 'Folgefall zu',
    'mail:acknowledgment': 'Eingangsbestätigung an den Kunden',
    'mail:approval-request': 'Freigabe erbeten bei',
    'mail:reminder': 'Erinnerung an',
    'mail:escalation': 'Eskaliert an',
    'mail:progress-update': 'Zwischenstand an den Kunden',
    'mail:customer-reply': 'Antwort des Kunden weitergeleitet an',
    'mail:bounce-notice': 'Unzustellbarkeit gemeldet an',
    'customer-replied': 'Der Kunde hat erneut geschrieben',
    'auto-reply-received': 'Automatische Antwort erhalten',
    'delivery-failed': 'E-Mail nicht zustellbar',
    'decision-refused': 'Entscheidung abgewiesen',
    decided: 'Entschieden',
  },
  en: {
    assessed: 'Assessed',
    'follows-up-case': 'Follows up case',
    'mail:acknowledgment': 'Acknowledgment to the customer',
    'mail:approval-request': 'Approval requested from',
    'mail:reminder': 'Reminder to',
    'mail:escalation': 'Escalated to',
    'mail:progress-update': 'Progress update to the customer',
    'mail:customer-reply': 'Customer reply forwarded to',
    'mail:bounce-notice': 'Undeliverable address reported to',
    'customer-replied': 'The customer wrote again',
    'auto-reply-received': 'Automatic reply received',
    'delivery-failed': 'Mail could not be delivered',
    'decision-refused': 'Decision refused',
    decided: 'Decided',
  },
};

/** Short date and time for the timeline ("24.11., 10:12"); the full form is in `datetime`. */
function shortTime(iso: string, l: TLanguage, timeZone: string): string {
  const locale = l === 'de' ? 'de-DE' : 'en-GB';
  const opts = { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', timeZone } as const;
  return new Intl.DateTimeFormat(locale, opts).format(new Date(iso));
}

function TimelineItem({ e, l, timeZone }: { e: TimelineEntry; l: TLanguage; timeZone: string }) {
  const label = EVENTS[l][e.event];
  // Mail to the customer says so in its label; the recorded detail "customer" would only repeat it.
  const detail = label && e.detail === 'customer' ? undefined : e.detail;
  return (
    <li>
      <time dateTime={e.at}>{shortTime(e.at, l, timeZone)}</time> {label ?? e.event}
      {detail ? ` (${detail})` : ''}
    </li>
  );
}

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
  const who = s.customer.name ? `${s.customer.name} <${s.customer.address}>` : s.customer.address;
  const level = (v: TLevel): string => t.level[v];
  const canForward = p.approver.level === s.level && s.ladder[s.level + 1] !== undefined;
  const asking = s.infoRequest !== undefined && !s.infoRequest.closed;
  return page(
    l,
    `${t.title} ${s.caseId}`,
    <>
      <section>
        <h1>
          {t.title} {s.caseId}
        </h1>
        <dl>
          <dt>{t.customer}</dt>
          <dd>{who}</dd>
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
        </dl>
      </section>
      <section>
        <h2>{t.complaint}</h2>
        <blockquote>{p.complaintText}</blockquote>
      </section>
      {s.replies.length > 0 && (
        <section>
          <h2>{t.replies}</h2>
          {s.replies.map((r, i) => (
            <div key={i}>
              <p className="muted">
                {shortTime(r.at, l, p.timeZone)}, {r.from}: {r.subject}
              </p>
              <blockquote>{r.text}</blockquote>
            </div>
          ))}
        </section>
      )}
      <section>
        <h2>{t.done}</h2>
        <ol className="timeline">
          {s.timeline.map((e, i) => (
            <TimelineItem key={i} e={e} l={l} timeZone={p.timeZone} />
          ))}
        </ol>
      </section>
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
    </>,
  );
}
