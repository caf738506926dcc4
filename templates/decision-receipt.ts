/**
 * The approver's receipt for every decision made in their name: what, when, by which channel, and the evidence
 * that was checked. A decision someone forged in their name cannot go unnoticed.
 */
import type { Approver, DecisionEvidence, DecisionRecord, TLanguage } from '../workflows/case.js';
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, formatDateTime, formatTime, salutation } from './format.js';
import { makeDraft, type MailDraft } from './layout.js';
import { OUTCOME_DE } from './pages/link-texts.js';

const CHANNEL = {
  de: { link: 'über den Entscheidungslink', mail: 'per Antwort-E-Mail', admin: 'über Temporal (Web UI, CLI oder API)' },
  en: { link: 'through the decision link', mail: 'by reply mail', admin: 'through Temporal (Web UI, CLI or API)' },
} as const;

const OUTCOME_EN = { approved: 'approved', rejected: 'rejected', alternative: 'alternative offered' } as const;

/** How a decision was made and proven, in a few words (the receipt, and the page of a decided case). */
export function decidedVia(d: DecisionRecord, l: TLanguage): string {
  return `${CHANNEL[l][d.channel]}; ${l === 'de' ? 'Nachweis' : 'evidence'}: ${evidenceText(d.evidence, l)}`;
}

function evidenceText(e: DecisionEvidence | undefined, l: TLanguage): string {
  if (e?.method === 'reply-address')
    return l === 'de'
      ? `Antwort über die persönliche Antwortadresse der Anfrage Nr. ${e.seq ?? '?'}`
      : `a reply through the personal reply address of request no. ${e.seq ?? '?'}`;
  if (e?.method === 'link') return l === 'de' ? 'der persönliche Entscheidungslink' : 'the personal decision link';
  return l === 'de'
    ? 'Zugang zu Temporal (die Person wurde nicht geprüft)'
    : 'access to Temporal (the person was not checked)';
}

/** The button of a pending decision's receipt. */
export function undoAction(language: TLanguage, url: string): { label: string; url: string } {
  return { label: language === 'de' ? 'Entscheidung rückgängig machen' : 'Undo the decision', url };
}

/**
 * The receipt; for a pending decision (policy decisionUndoWindow) with `undoUrl`, the undo page, valid until the
 * window closes, before which the customer hears nothing.
 */
export function decisionReceipt(c: CaseMailContext, a: Approver, undoUrl?: string): MailDraft {
  const l = a.language;
  const d = c.decision;
  if (!d) throw new Error(`case ${c.caseId} has no decision to confirm`);
  const when = formatDateTime(d.at, l, c.company.timeZone);
  const e = d.evidence;
  const where = [
    evidenceText(e, l),
    e?.messageId ? (l === 'de' ? `Nachricht ${e.messageId}` : `message ${e.messageId}`) : undefined,
    e?.client?.ip ? (l === 'de' ? `Adresse ${e.client.ip}` : `address ${e.client.ip}`) : undefined,
    e?.client?.userAgent ? (l === 'de' ? `Browser ${e.client.userAgent}` : `browser ${e.client.userAgent}`) : undefined,
  ].filter(Boolean);
  const until = d.pendingUntil ? formatTime(d.pendingUntil, l, c.company.timeZone) : undefined;
  const pending = until
    ? l === 'de'
      ? [
          `Die Entscheidung ist bis ${until} vorläufig: Erst dann erfährt der Kunde davon. Bis dahin können Sie sie rückgängig machen; der Fall wartet dann wieder auf eine Entscheidung, mit allen Erinnerungen und der Zusage an den Kunden.`,
        ]
      : [
          `The decision is pending until ${until}: only then does the customer hear of it. Until then you can undo it; the case then waits for a decision again, with its reminders and the promise to the customer.`,
        ]
    : [];
  const paragraphs =
    l === 'de'
      ? [
          `in Ihrem Namen wurde Fall ${c.caseId} am ${when} entschieden: ${OUTCOME_DE[d.outcome]}, ${CHANNEL.de[d.channel]}.`,
          `Geprüfter Nachweis: ${where.join('; ') || 'keiner'}.`,
          d.noteToCustomer
            ? `Ihre Nachricht an den Kunden: „${d.noteToCustomer}“`
            : 'Der Kunde erhält die Entscheidung ohne persönliche Nachricht.',
          ...pending,
          'Haben Sie das nicht selbst entschieden, melden Sie es bitte sofort der Administration: Dann hat jemand in Ihrem Namen gehandelt.',
        ]
      : [
          `Case ${c.caseId} was decided in your name on ${when}: ${OUTCOME_EN[d.outcome]}, ${CHANNEL.en[d.channel]}.`,
          `Evidence checked: ${where.join('; ') || 'none'}.`,
          d.noteToCustomer
            ? `Your note to the customer: "${d.noteToCustomer}"`
            : 'The customer receives the decision without a personal note.',
          ...pending,
          'If you did not make this decision yourself, please tell your administrator at once: someone acted in your name.',
        ];
  return makeDraft(
    caseSubject(
      c.caseId,
      c.subject,
      l,
      until
        ? l === 'de'
          ? `Entscheidung erfasst, rückgängig bis ${until}`
          : `Decision recorded, undo until ${until}`
        : l === 'de'
          ? 'Entscheidung erfasst'
          : 'Decision recorded',
    ),
    {
      language: l,
      greeting: salutation(a.name, l),
      paragraphs,
      ...(until && undoUrl ? { action: undoAction(l, undoUrl) } : {}),
      company: c.company,
    },
  );
}
