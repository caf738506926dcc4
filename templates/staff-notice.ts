/** Notices to whoever decides a case: the customer wrote again, or the customer's address bounced. */
import type { Approver } from '../workflows/case.js';
import type { CaseMailContext } from '../workflows/case-mail.js';
import { caseSubject, formatDateTime, salutation } from './format.js';
import { ratingTitle } from './follow-up.js';
import { decideAction, makeDraft, type MailDraft } from './layout.js';

export function customerReplyNotice(c: CaseMailContext, a: Approver, link: string): MailDraft {
  const l = a.language;
  const r = c.reply;
  if (!r) throw new Error(`case ${c.caseId} has no reply to forward`);
  const when = formatDateTime(r.at, l, c.company.timeZone);
  const decided = c.decision !== undefined;
  const survey = c.feedback;
  const rating = survey?.rating ? ratingTitle(survey.rating, l) : undefined;
  const paragraphs = survey
    ? l === 'de'
      ? [
          `zu Fall ${c.caseId} hat ${r.from} am ${when} auf unsere Zufriedenheitsumfrage geantwortet${rating ? ` und mit ${rating} bewertet` : ''}. Die Antwort steht unten und im Fallverlauf.`,
          'Sie ist als Rückmeldung festgehalten, und der Kunde hat ein Dankeschön erhalten. Braucht sie eine Antwort, schreiben Sie ihm bitte direkt.',
        ]
      : [
          `${r.from} answered our satisfaction survey about case ${c.caseId} on ${when}${rating ? `, rating it ${rating}` : ''}. The answer is below and in the case history.`,
          'It is recorded as feedback, and the customer has been thanked. If it needs an answer, please write to them directly.',
        ]
    : l === 'de'
      ? [
          `zu Fall ${c.caseId} hat ${r.from} am ${when} erneut geschrieben. Die Nachricht steht unten und im Fallverlauf.`,
          decided
            ? 'Der Fall ist bereits entschieden. Bitte prüfen Sie, ob die Nachricht eine Antwort braucht.'
            : 'Bitte berücksichtigen Sie sie bei Ihrer Entscheidung.',
        ]
      : [
          `${r.from} wrote again about case ${c.caseId} on ${when}. The message is below and in the case history.`,
          decided
            ? 'The case is already decided. Please check whether the message needs an answer.'
            : 'Please take it into account in your decision.',
        ];
  const prefix = survey
    ? l === 'de'
      ? 'Rückmeldung des Kunden'
      : 'Feedback from the customer'
    : l === 'de'
      ? 'Neue Nachricht des Kunden'
      : 'New message from the customer';
  return makeDraft(caseSubject(c.caseId, c.subject, l, prefix), {
    language: l,
    greeting: salutation(a.name, l),
    paragraphs,
    quote: { label: r.subject, text: r.text },
    ...(decided ? {} : { action: decideAction(l, link) }),
    company: c.company,
  });
}

export function bounceNotice(c: CaseMailContext, a: Approver): MailDraft {
  const l = a.language;
  const status = c.unreachable?.status ? ` (${c.unreachable.status})` : '';
  const paragraphs =
    l === 'de'
      ? [
          `unsere E-Mails an ${c.customer.address} zu Fall ${c.caseId} kommen nicht an: Der Mailserver hat sie zurückgewiesen${status}.`,
          'Wir schreiben diese Adresse nicht mehr an. Bitte erreichen Sie den Kunden auf anderem Weg (Telefon, Post), damit er die Entscheidung erfährt.',
        ]
      : [
          `Our emails to ${c.customer.address} about case ${c.caseId} are not delivered: the mail server refused them${status}.`,
          'We no longer write to this address. Please reach the customer another way (phone, post) so that they learn of the decision.',
        ];
  return makeDraft(
    caseSubject(c.caseId, c.subject, l, l === 'de' ? 'Kunde nicht erreichbar' : 'Customer unreachable'),
    {
      language: l,
      greeting: salutation(a.name, l),
      paragraphs,
      company: c.company,
    },
  );
}

/** Answer to an approver's mail that could not be taken as a decision: why, and how to decide. */
export function mailDecisionUnclear(c: CaseMailContext, a: Approver, link: string): MailDraft {
  const l = a.language;
  const reason = l === 'de' ? germanReason(c.unclear ?? '') : (c.unclear ?? '');
  const mode = c.mailDecisions ?? 'on';
  const how =
    mode === 'off'
      ? []
      : l === 'de'
        ? [
            `So entscheiden Sie per E-Mail: Antworten Sie auf die Freigabe-Anfrage (Ihr Mailprogramm antwortet an Ihre persönliche Antwortadresse) und schreiben Sie in die erste Zeile nur ${mode === 'on' ? 'GENEHMIGT oder ABGELEHNT' : 'ABGELEHNT (genehmigen können Sie nur über den Link)'}. Was danach folgt, geht als Nachricht an den Kunden.`,
          ]
        : [
            `To decide by email, reply to the approval request (your mail program answers to your personal reply address) with only ${mode === 'on' ? 'APPROVED or REJECTED' : 'REJECTED (approvals only through the link)'} on the first line. Whatever follows is sent to the customer as your note.`,
          ];
  const paragraphs =
    l === 'de'
      ? [
          `Ihre E-Mail zu Fall ${c.caseId} konnten wir nicht als Entscheidung werten: ${reason}.`,
          ...how,
          mode === 'off' ? 'Bitte entscheiden Sie über den Link unten.' : 'Oder entscheiden Sie über den Link unten.',
        ]
      : [
          `We could not take your email about case ${c.caseId} as a decision: ${reason}.`,
          ...how,
          mode === 'off' ? 'Please decide through the link below.' : 'Or decide through the link below.',
        ];
  return makeDraft(
    caseSubject(c.caseId, c.subject, l, l === 'de' ? 'Keine Entscheidung erkannt' : 'No decision recognised'),
    {
      language: l,
      greeting: salutation(a.name, l),
      paragraphs,
      ...(c.decision ? {} : { action: decideAction(l, link) }),
      company: c.company,
    },
  );
}

/** The workflow records its reasons in English (the audit trail); German approvers read them in German. */
function germanReason(reason: string): string {
  const firstLine = reason.match(/^the first line \("(.*)"\) is not/);
  if (firstLine) return `Die erste Zeile („${firstLine[1]}“) ist weder GENEHMIGT noch ABGELEHNT`;
  const superseded = reason.match(/^superseded: the case has moved on to (.+)$/);
  if (superseded) return `Der Fall liegt inzwischen bei ${superseded[1]}`;
  const decided = reason.match(/^already decided by (.+) at (.+)$/);
  if (decided) return `Der Fall wurde bereits von ${decided[1]} entschieden`;
  const known: Record<string, string> = {
    'the reply is empty': 'Die Antwort ist leer',
    'the reply names both approval and rejection': 'Die Antwort nennt Genehmigung und Ablehnung zugleich',
    'it does not answer a request that was sent to you': 'Sie beantwortet keine Anfrage, die an Sie ging',
    'decisions by mail are turned off for this team': 'Entscheidungen per E-Mail sind für dieses Team abgeschaltet',
    'it did not come through the personal reply address of a request to you':
      'Sie kam nicht über die persönliche Antwortadresse einer Anfrage an Sie',
    'its reply address was not issued by us for your address':
      'Ihre Antwortadresse wurde nicht von uns für Ihre Adresse ausgestellt',
    'the reply address of that request has expired': 'Die Antwortadresse dieser Anfrage ist abgelaufen',
    'its reply address belongs to another case': 'Ihre Antwortadresse gehört zu einem anderen Fall',
    'only a rejection can be sent by mail for this team; approve through the link':
      'Per E-Mail kann in diesem Team nur abgelehnt werden; genehmigen Sie bitte über den Link',
  };
  return known[reason] ?? reason;
}
