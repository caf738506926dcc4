/**
 * What a staff page shows of a case's history: the customer's further messages and what was done so far (the
 * timeline), each under a heading in the reader's language.
 */
import type { CaseState, TLanguage, TimelineEntry } from '../../workflows/case.js';

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
    'reminder-digested': 'Erinnerung in der Sammel-Erinnerung an',
    stalled: 'Keine Erinnerungen mehr',
    delegated: 'Vertretung',
    decided: 'Entschieden',
    'mail:decision-receipt': 'Entscheidungsbeleg an',
    'decision-undone': 'Entscheidung rückgängig gemacht',
    'decision-final': 'Entscheidung endgültig',
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
    'reminder-digested': 'Reminder in the reminder digest to',
    stalled: 'No more reminders',
    delegated: 'Delegated',
    decided: 'Decided',
    'mail:decision-receipt': 'Decision receipt to',
    'decision-undone': 'Decision undone',
    'decision-final': 'Decision final',
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

/** The customer's further messages; nothing when there are none. */
export function Replies(p: { title: string; replies: CaseState['replies']; l: TLanguage; timeZone: string }) {
  if (p.replies.length === 0) return null;
  return (
    <section>
      <h2>{p.title}</h2>
      {p.replies.map((r, i) => (
        <div key={i}>
          <p className="muted">
            {shortTime(r.at, p.l, p.timeZone)}, {r.from}: {r.subject}
          </p>
          <blockquote>{r.text}</blockquote>
        </div>
      ))}
    </section>
  );
}

/** What was done so far, in the order it happened. */
export function Timeline(p: { title: string; entries: TimelineEntry[]; l: TLanguage; timeZone: string }) {
  return (
    <section>
      <h2>{p.title}</h2>
      <ol className="timeline">
        {p.entries.map((e, i) => (
          <TimelineItem key={i} e={e} l={p.l} timeZone={p.timeZone} />
        ))}
      </ol>
    </section>
  );
}
