/**
 * Approval request to the approver at the case's current level; the same message, with its own opening,
 * serves as reminder and as escalation. It says why the case was escalated, what was done, what is expected.
 */
import type { Approver } from '../workflows/case.js';
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, formatDateTime, reasonsText, salutation } from './format.js';
import { decideAction, makeDraft, type MailDraft } from './layout.js';
import { trimReply } from '../activities/text.js';

export type TApprovalReason = 'approval-request' | 'reminder' | 'escalation' | 'review-request';

const PREFIX = {
  de: {
    'approval-request': 'Freigabe erbeten',
    reminder: 'Erinnerung: Freigabe erbeten',
    escalation: 'Eskalation: Freigabe erbeten',
    'review-request': 'Überprüfung erbeten',
  },
  en: {
    'approval-request': 'Approval needed',
    reminder: 'Reminder: approval needed',
    escalation: 'Escalation: approval needed',
    'review-request': 'Review requested',
  },
} as const;

function opening(reason: TApprovalReason, c: CaseMailContext, a: Approver): string {
  const de = a.language === 'de';
  if (reason === 'reminder')
    return de
      ? `zur Erinnerung: Fall ${c.caseId} wartet weiterhin auf Ihre Entscheidung.`
      : `A reminder: case ${c.caseId} is still waiting for your decision.`;
  if (reason === 'review-request' && c.review) {
    const o = c.review.original;
    const said = c.reply ? (de ? ` Seine Nachricht: „${c.reply.text}“` : ` Their message: "${c.reply.text}"`) : '';
    return de
      ? `der Kunde bittet um Überprüfung der Entscheidung zu Fall ${c.caseId}: ${o.decidedByName} hat abgelehnt${o.noteToCustomer ? ` („${o.noteToCustomer}“)` : ''}.${said} Bitte entscheiden Sie neu.`
      : `The customer asks for a review of the decision on case ${c.caseId}: ${o.decidedByName} rejected it${o.noteToCustomer ? ` ("${o.noteToCustomer}")` : ''}.${said} Please decide anew.`;
  }
  if (reason === 'escalation' && c.forwarded) {
    const why = c.forwarded.note ? (de ? ` Begründung: ${c.forwarded.note}` : ` Reason: ${c.forwarded.note}`) : '';
    return de
      ? `${c.forwarded.byName} hat Fall ${c.caseId} an Sie weitergegeben, weil die Entscheidung bei Ihnen liegt.${why}`
      : `${c.forwarded.byName} forwarded case ${c.caseId} to you because the decision is yours to make.${why}`;
  }
  // A deputy asked in the place of an absent approver (also when the case escalates to that approver's level).
  if ((reason === 'approval-request' || reason === 'escalation') && c.delegated) {
    const when = formatDateTime(c.delegated.at, a.language, c.company.timeZone);
    return de
      ? `${c.delegated.fromName} ist abwesend (automatische Antwort vom ${when}). Sie vertreten ${c.delegated.fromName} und entscheiden Fall ${c.caseId} an ihrer oder seiner Stelle.`
      : `${c.delegated.fromName} is away (automatic reply of ${when}). You stand in and decide case ${c.caseId} in their place.`;
  }
  if (reason === 'escalation')
    return de
      ? `Fall ${c.caseId} wird an Sie eskaliert, weil auf der vorigen Ebene nicht rechtzeitig entschieden wurde. Sie können jetzt entscheiden.`
      : `Case ${c.caseId} is escalated to you because no decision was made in time at the previous level. You can decide now.`;
  return de
    ? `eine Beschwerde braucht Ihre Freigabe (Fall ${c.caseId}).`
    : `A complaint needs your approval (case ${c.caseId}).`;
}

export function approvalRequest(c: CaseMailContext, a: Approver, reason: TApprovalReason, link: string): MailDraft {
  const l = a.language;
  const tz = c.company.timeZone;
  const who = c.customer.name ? `${c.customer.name} <${c.customer.address}>` : c.customer.address;
  const why = reasonsText(c.assessment.reasons, l);
  const due = formatDateTime(c.promisedBy, l, tz);
  const paragraphs =
    l === 'de'
      ? [
          opening(reason, c, a),
          `Kunde: ${who}\nEingegangen: ${formatDateTime(c.receivedAt, l, tz)}\nPriorität: ${c.assessment.priority} (Dringlichkeit ${c.assessment.urgency}, Auswirkung ${c.assessment.impact})\nWarum eskaliert: ${why}`,
          `Bisher getan: Der Kunde hat eine Eingangsbestätigung erhalten. Wir haben ihm zugesagt, dass er spätestens am ${due} von uns hört.`,
          'Von Ihnen erwartet: Bitte prüfen Sie den Fall und entscheiden Sie über den Link unten (genehmigen oder ablehnen, mit einer Nachricht an den Kunden). Der Link öffnet zuerst eine Bestätigungsseite; erst Ihr Klick dort entscheidet.',
        ]
      : [
          opening(reason, c, a),
          `Customer: ${who}\nReceived: ${formatDateTime(c.receivedAt, l, tz)}\nPriority: ${c.assessment.priority} (urgency ${c.assessment.urgency}, impact ${c.assessment.impact})\nWhy escalated: ${why}`,
          `Done so far: the customer has received an acknowledgment. We promised they will hear from us by ${due}.`,
          'Expected from you: please review the case and decide through the link below (approve or reject, with a note to the customer). The link opens a confirmation page first; only your click there decides.',
        ];
  return makeDraft(caseSubject(c.caseId, c.subject, l, PREFIX[l][reason]), {
    language: l,
    greeting: salutation(a.name, l),
    paragraphs,
    quote: { label: l === 'de' ? 'Die Beschwerde:' : 'The complaint:', text: summary(c.text ?? '', l) },
    action: decideAction(l, link),
    company: c.company,
  });
}

/** The complaint as supervisors read it in mail: quoted history and signature cut, with a note saying so. */
function summary(text: string, l: 'de' | 'en'): string {
  const trimmed = trimReply(text);
  if (trimmed === text.trim()) return trimmed;
  return `${trimmed}\n\n${l === 'de' ? '[Zitierter Verlauf und Signatur gekürzt; der volle Text steht auf der Entscheidungsseite.]' : '[Quoted history and signature cut; the full text is on the decision page.]'}`;
}
