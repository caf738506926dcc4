/** Wording of the link server's pages (German and English). Pure. */
import { decidedVia } from '../decision-receipt.js';
import { formatDateTime } from '../format.js';
import type { Approver, CaseState } from '../../workflows/case.js';
import type { TDecisionOutcome } from '../../workflows/messages.js';

export const OUTCOME_DE: Record<TDecisionOutcome, string> = {
  approved: 'genehmigt',
  rejected: 'abgelehnt',
  alternative: 'anderes Angebot',
};

export const LINK_TEXT = {
  de: {
    invalid: [
      'Dieser Link ist ungültig',
      'Der Link ist beschädigt oder wurde verändert. Bitte verwenden Sie den Link aus der E-Mail unverändert.',
    ],
    expired: [
      'Dieser Link ist abgelaufen',
      'Bitte wenden Sie sich an den Kundenservice, wenn der Fall noch offen ist.',
    ],
    notFound: ['Fall nicht gefunden', 'Zu diesem Link gibt es keinen Fall (mehr).'],
    noPage: [
      'Seite nicht gefunden',
      'Unter dieser Adresse gibt es nichts. Bitte verwenden Sie den Link aus der E-Mail.',
    ],
    notApprover: [
      'Keine Berechtigung',
      'Dieser Link ist keiner entscheidungsberechtigten Person dieses Falls zugeordnet.',
    ],
    superseded: 'Dieser Link gilt nicht mehr',
    supersededLine: (a: Approver) =>
      `Der Fall wurde inzwischen an die nächste Ebene weitergegeben und liegt jetzt bei ${a.name} (${a.role}), die oder der ihn entscheidet.`,
    decided: 'Bereits entschieden',
    decidedLine: (s: CaseState, tz: string) =>
      `Fall ${s.caseId} wurde bereits von ${s.decision?.decidedByName} am ${formatDateTime(s.decision?.at ?? '', 'de', tz)} entschieden (${OUTCOME_DE[s.decision?.outcome ?? 'approved']}${s.decision ? `, ${decidedVia(s.decision, 'de')}` : ''}).`,
    done: 'Entscheidung gespeichert',
    doneLines: (s: CaseState) => [
      `Fall ${s.caseId}: ${OUTCOME_DE[s.decision?.outcome ?? 'approved']}.`,
      'Der Kunde erhält jetzt eine E-Mail mit der Entscheidung und Ihrer Nachricht. Einige Tage später fragen wir ihn, wie zufrieden er ist.',
    ],
    withdrawn: [
      'Beschwerde zurückgezogen',
      'Der Kunde hat die Beschwerde zurückgezogen; es ist nichts mehr zu entscheiden.',
    ],
    asked: [
      'Rückfrage an den Kunden gesendet',
      (by: string) =>
        `Der Kunde wird gebeten, bis ${by} zu antworten. Seine Antwort erhalten Sie per E-Mail; dann entscheiden Sie über denselben Link.`,
    ] as const,
    forwarded: 'An die nächste Ebene weitergegeben',
    forwardedLine: (a: Approver) =>
      `Der Fall liegt jetzt bei ${a.name} (${a.role}), die oder der eine E-Mail mit Ihrer Begründung erhält.`,
    badForm: [
      'Unvollständiges Formular',
      'Bitte wählen Sie eine Entscheidung. Für ein anderes Angebot beschreiben Sie es in der Nachricht an den Kunden.',
    ],
    badRequest: ['Ungültige Anfrage', 'Bitte öffnen Sie den Link aus der E-Mail und verwenden Sie das Formular dort.'],
    csrf: [
      'Formular abgelaufen',
      'Bitte öffnen Sie den Link aus der E-Mail erneut und senden Sie das Formular noch einmal.',
    ],
    failed: [
      'Das hat nicht geklappt',
      'Die Entscheidung konnte gerade nicht gespeichert werden. Bitte versuchen Sie es in einer Minute erneut.',
    ],
    tooMany: [
      'Zu viele Versuche',
      'Von Ihrem Anschluss kamen gerade zu viele Anfragen an diese Seiten. Bitte warten Sie einige Minuten und öffnen Sie dann den Link aus der E-Mail erneut.',
    ],
    notSaved: [
      'Das hat nicht geklappt',
      'Ihre Eingabe konnte gerade nicht gespeichert werden. Bitte versuchen Sie es in einer Minute erneut.',
    ],
    forwarding: [
      'Bereits weitergegeben',
      'Der Fall ist schon auf dem Weg zur nächsten Ebene; sie erhält eine E-Mail dazu.',
    ],
    cannotForward: [
      'Weitergeben nicht möglich',
      'Von Ihrer Ebene aus gibt es niemanden, an den der Fall gehen könnte. Bitte entscheiden Sie ihn selbst.',
    ],
    questionOpen: [
      'Rückfrage bereits offen',
      'An den Kunden ist schon eine Frage unterwegs. Seine Antwort erhalten Sie per E-Mail; dann entscheiden Sie über denselben Link.',
    ],
  },
  en: {
    invalid: [
      'This link is not valid',
      'The link is damaged or was altered. Please use the link from the email unchanged.',
    ],
    expired: ['This link has expired', 'Please contact customer service if the case is still open.'],
    notFound: ['Case not found', 'There is no case (any more) for this link.'],
    noPage: ['Page not found', 'There is nothing at this address. Please use the link from the email.'],
    notApprover: ['Not permitted', 'This link does not belong to a person who may decide this case.'],
    superseded: 'This link is no longer valid',
    supersededLine: (a: Approver) =>
      `The case has since moved to the next level and is now with ${a.name} (${a.role}), who decides it.`,
    decided: 'Already decided',
    decidedLine: (s: CaseState, tz: string) =>
      `Case ${s.caseId} was already decided by ${s.decision?.decidedByName} at ${formatDateTime(s.decision?.at ?? '', 'en', tz)} (${s.decision?.outcome}${s.decision ? `, ${decidedVia(s.decision, 'en')}` : ''}).`,
    done: 'Decision saved',
    doneLines: (s: CaseState) => [
      `Case ${s.caseId}: ${s.decision?.outcome}.`,
      'The customer now receives an email with the decision and your note. A few days later we ask them how satisfied they are.',
    ],
    withdrawn: ['Complaint withdrawn', 'The customer withdrew the complaint; there is nothing left to decide.'],
    asked: [
      'Question sent to the customer',
      (by: string) =>
        `The customer is asked to answer by ${by}. You receive the answer by email, then decide through the same link.`,
    ] as const,
    forwarded: 'Forwarded to the next level',
    forwardedLine: (a: Approver) =>
      `The case is now with ${a.name} (${a.role}), who receives an email with your reason.`,
    badForm: [
      'Incomplete form',
      'Please choose a decision. For another offer, describe it in the note to the customer.',
    ],
    badRequest: ['Invalid request', 'Please open the link from the email and use the form there.'],
    csrf: ['Form expired', 'Please open the link from the email again and submit the form once more.'],
    failed: ['That did not work', 'The decision could not be saved just now. Please try again in a minute.'],
    tooMany: [
      'Too many attempts',
      'Too many requests to these pages came from your connection just now. Please wait a few minutes, then open the link from the email again.',
    ],
    notSaved: ['That did not work', 'Your entry could not be saved just now. Please try again in a minute.'],
    forwarding: ['Already forwarded', 'The case is already on its way to the next level, who receives an email.'],
    cannotForward: [
      'Forwarding not possible',
      'There is nobody above your level to take this case. Please decide it yourself.',
    ],
    questionOpen: [
      'Question already open',
      'A question to the customer is already on its way. You receive the answer by email, then decide through the same link.',
    ],
  },
} as const;

/** The follow-up page's notices: no follow-up, already closed, closed now, an incomplete form. */
export const FOLLOW_UP_NOTICE = {
  de: {
    none: ['Keine offene Nachbereitung', 'Zu diesem Fall gibt es keine Nachbereitung.'],
    closed: (by: string, at: string) =>
      ['Bereits abgeschlossen', `${by} hat die Nachbereitung am ${at} abgeschlossen.`] as const,
    done: ['Nachbereitung abgeschlossen', 'Danke. Der Fall ist damit abgeschlossen.'],
    doneMessage: 'Ihre Nachricht geht jetzt per E-Mail an den Kunden.',
    badForm: ['Unvollständiges Formular', 'Bitte halten Sie fest, was getan wurde und was wir daraus lernen.'],
  },
  en: {
    none: ['No open follow-up', 'This case has no follow-up.'],
    closed: (by: string, at: string) => ['Already closed', `${by} closed the follow-up at ${at}.`] as const,
    done: ['Follow-up closed', 'Thank you. The case is now completed.'],
    doneMessage: 'Your message is now sent to the customer by email.',
    badForm: ['Incomplete form', 'Please record what was done and what we learn from it.'],
  },
} as const;
