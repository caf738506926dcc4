/**
 * The reminder digest: one mail listing every case of this person that is due for a reminder, each with its
 * decision link, and their queue. Replaces a mail per case per reminder (workflows/digest.ts). Pure.
 */
import type { DigestEntry, DigestMailRequest } from '../workflows/digest-model.js';
import { formatDateTime, salutation } from './format.js';
import type { MailDraft } from './layout.js';

export interface DigestLinks {
  /** Decision link per case id. */
  decide: Record<string, string>;
  queue: string;
}

const T = {
  de: {
    subject: (n: number) =>
      n === 1
        ? 'Erinnerung: 1 Fall wartet auf Ihre Entscheidung'
        : `Erinnerung: ${n} Fälle warten auf Ihre Entscheidung`,
    intro: (n: number) =>
      n === 1
        ? 'zur Erinnerung: Dieser Fall wartet weiterhin auf Ihre Entscheidung.'
        : `zur Erinnerung: Diese ${n} Fälle warten weiterhin auf Ihre Entscheidung. Sie erhalten höchstens eine solche Sammel-Erinnerung je Erinnerungsintervall.`,
    line: (e: DigestEntry, due: string, link: string) =>
      `Fall ${e.caseId} · ${e.priority} · ${e.subject}\nKunde: ${e.customer}\nZugesagt bis: ${due}${e.reminder > 1 ? `\nErinnerung Nr. ${e.reminder}` : ''}\nEntscheiden: ${link}`,
    last: 'Letzte Erinnerung zu diesem Fall; danach gilt er als liegen geblieben und erscheint so in Ihrer Liste.',
    action: 'Alle wartenden Fälle ansehen',
    closing: 'Die Links öffnen zuerst eine Bestätigungsseite; erst Ihr Klick dort entscheidet.',
  },
  en: {
    subject: (n: number) =>
      n === 1 ? 'Reminder: 1 case is waiting for your decision' : `Reminder: ${n} cases are waiting for your decision`,
    intro: (n: number) =>
      n === 1
        ? 'A reminder: this case is still waiting for your decision.'
        : `A reminder: these ${n} cases are still waiting for your decision. You get at most one such digest per reminder interval.`,
    line: (e: DigestEntry, due: string, link: string) =>
      `Case ${e.caseId} · ${e.priority} · ${e.subject}\nCustomer: ${e.customer}\nPromised by: ${due}${e.reminder > 1 ? `\nReminder no. ${e.reminder}` : ''}\nDecide: ${link}`,
    last: 'Last reminder for this case; after it the case counts as stalled and shows so in your list.',
    action: 'See every waiting case',
    closing: 'The links open a confirmation page first; only your click there decides.',
  },
} as const;

/** Soonest promise first, as on the queue page. */
const byDue = (a: DigestEntry, b: DigestEntry): number =>
  Date.parse(a.promisedBy) - Date.parse(b.promisedBy) || a.caseId.localeCompare(b.caseId);

export function reminderDigest(req: DigestMailRequest, links: DigestLinks): MailDraft {
  const a = req.approver;
  const l = a.language;
  const t = T[l];
  const entries = [...req.entries].sort(byDue);
  const tz = req.company.timeZone;
  return {
    subject: `[${req.company.name}] ${t.subject(entries.length)}`,
    body: {
      language: l,
      greeting: salutation(a.name, l),
      paragraphs: [
        t.intro(entries.length),
        ...entries.map((e) => {
          const line = t.line(e, formatDateTime(e.promisedBy, l, tz), links.decide[e.caseId] ?? links.queue);
          return e.last ? `${line}\n${t.last}` : line;
        }),
      ],
      action: { label: t.action, url: links.queue },
      closing: [t.closing],
      company: req.company,
    },
  };
}
