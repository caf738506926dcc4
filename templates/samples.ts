/**
 * Sample data for every mail template in both languages: what `npm run preview` renders and the golden-file
 * tests compare; the link server's pages likewise. Fixed dates and links, so the output only changes when a template does. Pure.
 */
import type { CaseMailContext, CaseMailRequest } from '../workflows/case-mail.js';
import type { MailLinks } from './index.js';
import { context, decision, LINKS, PEOPLE, TEXT } from './sample-case.js';

export { pageSamples, type PageSample } from './page-samples.js';

export interface MailSample {
  /** File name stem, e.g. "acknowledgment.de" or "decision-rejected.en". */
  name: string;
  request: CaseMailRequest;
  links: MailLinks;
}

/** Every template, in German and English. */
export function mailSamples(): MailSample[] {
  const samples: MailSample[] = [];
  for (const l of ['de', 'en'] as const) {
    const c = context(l);
    const { supervisor, manager } = PEOPLE[l];
    const approved = decision(l, 'approved', supervisor);
    const reply = {
      at: '2026-11-24T10:05:00.000Z',
      from: 'kunde@example.test',
      subject: `Re: ${c.subject}`,
      text: TEXT[l].reply,
    };
    const info = {
      byName: supervisor.name,
      question: l === 'de' ? 'Wie lautet die Seriennummer des Geräts?' : 'What is the serial number of the machine?',
      replyBy: '2026-11-26T16:00:00.000Z',
    };
    const feedback = (rating?: number, comment?: string) => ({
      closesAt: '2026-12-04T14:30:00.000Z',
      ...(rating ? { rating } : {}),
      ...(comment ? { comment } : {}),
      comments: [],
    });
    const lowRating = { ownerName: supervisor.name, dueAt: '2026-12-02T10:00:00.000Z' };
    const slow = l === 'de' ? 'Es hat viel zu lange gedauert.' : 'It took far too long.';
    const add = (
      name: string,
      kind: CaseMailRequest['kind'],
      to: CaseMailRequest['to'],
      extra: Partial<CaseMailContext> = {},
    ) =>
      samples.push({
        name: `${name}.${l}`,
        request: { kind, seq: samples.length + 1, to, case: { ...c, ...extra } },
        links: LINKS,
      });
    const staff = { text: TEXT[l].complaint };

    // To the customer.
    add('acknowledgment', 'acknowledgment', 'customer');
    add('progress-update', 'progress-update', 'customer');
    add('info-request', 'info-request', 'customer', { infoRequest: info });
    add('info-reminder', 'info-reminder', 'customer', { infoRequest: info });
    add('decision-approved', 'decision', 'customer', { decision: approved });
    add('decision-rejected', 'decision', 'customer', { decision: decision(l, 'rejected', supervisor) });
    add('decision-alternative', 'decision', 'customer', { decision: decision(l, 'alternative', supervisor) });
    add('review-outcome', 'decision', 'customer', {
      decision: decision(l, 'approved', manager),
      review: { original: decision(l, 'rejected', supervisor) },
    });
    add('withdrawal-confirmation', 'withdrawal-confirmation', 'customer');
    add('follow-up', 'follow-up', 'customer', { decision: approved, feedback: feedback() });
    add('feedback-thanks', 'feedback-thanks', 'customer', { decision: approved, feedback: feedback(5) });
    add('feedback-thanks-low', 'feedback-thanks', 'customer', {
      decision: approved,
      feedback: feedback(2, slow),
      lowRating,
    });
    add('feedback-thanks-reply', 'feedback-thanks', 'customer', {
      decision: approved,
      feedback: { ...feedback(), comments: [slow] },
    });
    add('low-rating-message', 'low-rating-message', 'customer', {
      decision: approved,
      lowRating: {
        ...lowRating,
        messageToCustomer:
          l === 'de'
            ? 'Es tut mir leid, dass es so lange gedauert hat. Als kleine Entschuldigung erhalten Sie einen Gutschein über 20 €.'
            : 'I am sorry it took so long. As a small apology, please accept a voucher for €20.',
      },
    });

    // To staff.
    add('approval-request', 'approval-request', supervisor, staff);
    add('reminder', 'reminder', supervisor, staff);
    add('escalation', 'escalation', manager, { ...staff, level: 1 });
    // The supervisor is away (their out-of-office reply): the deputy is asked in their place.
    const deputy = { ...supervisor, name: l === 'de' ? 'Thomas Vogel' : 'Pat Miller', address: 'deputy@example.test' };
    add('approval-request-delegated', 'approval-request', deputy, {
      ...staff,
      delegated: { fromName: supervisor.name, reason: 'auto-reply', at: '2026-11-24T08:40:00.000Z' },
    });
    add('review-request', 'review-request', manager, {
      ...staff,
      level: 1,
      review: { original: decision(l, 'rejected', supervisor) },
      reply: { ...reply, text: l === 'de' ? 'Ich lege Widerspruch ein.' : 'I appeal against this decision.' },
    });
    add('customer-reply', 'customer-reply', supervisor, { ...staff, reply });
    add('customer-reply-feedback', 'customer-reply', supervisor, {
      ...staff,
      decision: approved,
      reply: { ...reply, text: slow },
      feedback: feedback(4),
    });
    add('bounce-notice', 'bounce-notice', supervisor, {
      ...staff,
      unreachable: { at: '2026-11-24T08:13:00.000Z', status: '5.1.1' },
    });
    add('mail-decision-unclear', 'mail-decision-unclear', supervisor, {
      ...staff,
      unclear: l === 'de' ? 'die erste Zeile nennt keine Entscheidung' : 'the first line names no decision',
    });
    add('info-timeout', 'info-timeout', supervisor, { ...staff, infoRequest: info });
    add('decision-receipt', 'decision-receipt', supervisor, {
      ...staff,
      decision: {
        ...decision(l, 'approved', supervisor),
        channel: 'mail',
        evidence: {
          method: 'reply-address',
          seq: 2,
          messageId: '<m-4711@kunden.example.test>',
        },
      },
    });
    add('decision-receipt-pending', 'decision-receipt', supervisor, {
      ...staff,
      decision: {
        ...decision(l, 'approved', supervisor),
        channel: 'link',
        evidence: { method: 'link', client: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' } },
        pendingUntil: '2026-11-24T14:32:00.000Z',
      },
    });
    add('case-withdrawn', 'case-withdrawn', supervisor, staff);
    const lowFeedback = { ...staff, decision: approved, feedback: feedback(2, slow), lowRating };
    add('low-rating', 'low-rating', supervisor, lowFeedback);
    add('low-rating-reminder', 'low-rating-reminder', supervisor, lowFeedback);
    add('low-rating-overdue', 'low-rating-overdue', manager, lowFeedback);
  }
  return samples;
}
