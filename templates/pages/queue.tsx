/**
 * An approver's queue: every case now waiting for their decision, soonest due first, each with a link to its
 * decision page. Showing it changes nothing. Pure: the link server reads the cases from Temporal and passes
 * them in, with the time the page is rendered at (so the golden files stay fixed).
 */
import type { TLanguage, TPriority } from '../../workflows/case.js';
import { formatDateTime, reasonsText } from '../format.js';
import { page } from './layout.js';

/** One waiting case as the queue shows it. */
export interface QueueEntry {
  caseId: string;
  priority: TPriority;
  reasons: string[];
  subject: string;
  /** The customer's name, or their address when the mail gave no name. */
  customer: string;
  /** When the customer was promised to hear from us (ISO). */
  promisedBy: string;
  /** When the complaint arrived (ISO): the wait is counted from here. */
  receivedAt: string;
  /** Reached this person by escalation (or forwarding) from a level below. */
  escalated: boolean;
  /** The reminders ran out: nobody is mailed about it any more. */
  stalled: boolean;
  /** A question to the customer is open: the approver's clock stands still meanwhile. */
  asking: boolean;
  /** A freshly signed link to the case's decision page. */
  decideUrl: string;
}

export interface QueuePageProps {
  language: TLanguage;
  /** Whose queue: the name when a case names the person, else the address. */
  person: string;
  entries: QueueEntry[];
  timeZone: string;
  /** The time the page is rendered at (ms since the epoch). */
  now: number;
  /** Set when more cases wait than the page lists. */
  truncated?: boolean;
}

const T = {
  de: {
    title: 'Wartet auf Ihre Entscheidung',
    intro: (n: number) =>
      n === 1 ? 'Ein Fall wartet auf Ihre Entscheidung.' : `${n} Fälle warten auf Ihre Entscheidung.`,
    none: 'Zurzeit wartet kein Fall auf Ihre Entscheidung.',
    order: 'Die am frühesten fälligen zuerst. Ein Klick öffnet die Entscheidungsseite; erst dort wird entschieden.',
    for: 'Für',
    case: 'Fall',
    subject: 'Betreff',
    customer: 'Kunde',
    priority: 'Priorität',
    promised: 'Zugesagt bis',
    waited: 'Wartet seit',
    overdue: 'Überfällig',
    escalated: 'Eskaliert',
    stalled: 'Keine Erinnerungen mehr',
    asking: 'Rückfrage beim Kunden offen',
    open: 'Fall prüfen und entscheiden',
    truncated: 'Es warten weitere Fälle; sie erscheinen, sobald diese entschieden sind.',
  },
  en: {
    title: 'Waiting for your decision',
    intro: (n: number) =>
      n === 1 ? 'One case is waiting for your decision.' : `${n} cases are waiting for your decision.`,
    none: 'No case is waiting for your decision right now.',
    order: 'Soonest due first. A click opens the decision page; only a decision there counts.',
    for: 'For',
    case: 'Case',
    subject: 'Subject',
    customer: 'Customer',
    priority: 'Priority',
    promised: 'Promised by',
    waited: 'Waiting for',
    overdue: 'Overdue',
    escalated: 'Escalated',
    stalled: 'No more reminders',
    asking: 'Question to the customer open',
    open: 'Review and decide',
    truncated: 'More cases are waiting; they appear as these are decided.',
  },
} as const;

/** How long something has waited, in the largest two units that matter ("2 Std. 5 Min.", "3 days 4 h"). */
export function waitedFor(ms: number, l: TLanguage): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const de = l === 'de';
  const d = (n: number) => (de ? `${n} ${n === 1 ? 'Tag' : 'Tage'}` : `${n} ${n === 1 ? 'day' : 'days'}`);
  const h = (n: number) => (de ? `${n} Std.` : `${n} h`);
  const m = (n: number) => (de ? `${n} Min.` : `${n} min`);
  if (days > 0) return hours > 0 ? `${d(days)} ${h(hours)}` : d(days);
  if (hours > 0) return mins > 0 ? `${h(hours)} ${m(mins)}` : h(hours);
  return minutes > 0 ? m(mins) : de ? 'weniger als 1 Min.' : 'less than 1 min';
}

/** Soonest due first; ties by arrival, then case number, so the order is stable. */
export function queueOrder(a: QueueEntry, b: QueueEntry): number {
  return (
    Date.parse(a.promisedBy) - Date.parse(b.promisedBy) ||
    Date.parse(a.receivedAt) - Date.parse(b.receivedAt) ||
    a.caseId.localeCompare(b.caseId)
  );
}

function Entry({ e, p }: { e: QueueEntry; p: QueuePageProps }) {
  const t = T[p.language];
  const overdue = Date.parse(e.promisedBy) <= p.now;
  const markers = (
    [
      overdue ? t.overdue : undefined,
      e.escalated ? t.escalated : undefined,
      e.stalled ? t.stalled : undefined,
      e.asking ? t.asking : undefined,
    ] as Array<string | undefined>
  ).filter((m): m is string => m !== undefined);
  return (
    <li>
      <section className={overdue ? 'error queue-case' : 'queue-case'} data-case={e.caseId}>
        <h2>
          {t.case} {e.caseId} · {e.priority}
        </h2>
        {markers.length > 0 && (
          <p>
            <strong className="markers">{markers.join(' · ')}</strong>
          </p>
        )}
        <dl>
          <dt>{t.subject}</dt>
          <dd>{e.subject}</dd>
          <dt>{t.customer}</dt>
          <dd>{e.customer}</dd>
          <dt>{t.priority}</dt>
          <dd>
            {e.priority}: {reasonsText(e.reasons, p.language)}
          </dd>
          <dt>{t.promised}</dt>
          <dd>
            <time dateTime={e.promisedBy}>{formatDateTime(e.promisedBy, p.language, p.timeZone)}</time>
          </dd>
          <dt>{t.waited}</dt>
          <dd>{waitedFor(p.now - Date.parse(e.receivedAt), p.language)}</dd>
        </dl>
        <p>
          <a href={e.decideUrl}>{t.open}</a>
        </p>
      </section>
    </li>
  );
}

export function queuePage(p: QueuePageProps): string {
  const t = T[p.language];
  const entries = [...p.entries].sort(queueOrder);
  return page(
    p.language,
    t.title,
    <>
      <section className="notice">
        <h1>{t.title}</h1>
        <p className="muted">
          {t.for} {p.person}
        </p>
        <p role="status">{entries.length > 0 ? t.intro(entries.length) : t.none}</p>
        {entries.length > 0 && <p className="muted">{t.order}</p>}
      </section>
      {entries.length > 0 && (
        <ol className="queue">
          {entries.map((e) => (
            <Entry key={e.caseId} e={e} p={p} />
          ))}
        </ol>
      )}
      {p.truncated && <p className="muted">{t.truncated}</p>}
    </>,
  );
}
