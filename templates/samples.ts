/**
 * Sample data for every mail template in both languages: what `npm run preview` renders and the golden-file
 * tests compare; the link server's pages likewise. Fixed dates and links, so the output only changes when a template does. Pure.
 */
import type { Approver, CaseState, DecisionRecord, TLanguage } from '../workflows/case.js';
import type { CaseMailContext, CaseMailRequest } from '../workflows/case-mail.js';
import type { MailLinks } from './index.js';
import { decidePage } from './pages/decide.js';
import { FEEDBACK_TEXT, followUpPage, ratingPage } from './pages/feedback.js';
import { standalone } from './pages/layout.js';
import { noticePage } from './pages/notice.js';

export interface MailSample {
  /** File name stem, e.g. "acknowledgment.de" or "decision-rejected.en". */
  name: string;
  request: CaseMailRequest;
  links: MailLinks;
}

const COMPANY = {
  name: 'Muster Versand GmbH',
  address: 'Musterstraße 12, 10115 Berlin',
  phone: '+49 30 1234567',
  hours: 'Mo–Fr 09:00–18:00',
  timeZone: 'Europe/Berlin',
};

const PEOPLE: Record<TLanguage, { customer: string; supervisor: Approver; manager: Approver }> = {
  de: {
    customer: 'Erika Müller',
    supervisor: {
      level: 0,
      role: 'Teamleitung',
      name: 'Sabine Schulz',
      address: 'supervisor@example.test',
      language: 'de',
    },
    manager: {
      level: 1,
      role: 'Geschäftsleitung',
      name: 'Markus Weber',
      address: 'manager@example.test',
      language: 'de',
    },
  },
  en: {
    customer: 'Jane Doe',
    supervisor: { level: 0, role: 'Team Lead', name: 'Alex Smith', address: 'lead@example.test', language: 'en' },
    manager: { level: 1, role: 'Head of Service', name: 'Sam Taylor', address: 'head@example.test', language: 'en' },
  },
};

const TEXT: Record<TLanguage, { subject: string; complaint: string; reply: string; note: string; offer: string }> = {
  de: {
    subject: 'Waschmaschine nach zwei Wochen defekt',
    complaint:
      'Guten Tag,\n\nmeine Waschmaschine „AquaPro 7“ (Bestellung 2026-48113) zeigt seit gestern den Fehler E21. Ich möchte den Kaufpreis von 499 € sofort erstattet bekommen.\n\nMit freundlichen Grüßen\nErika Müller',
    reply: 'Die Seriennummer ist AP7-22-0815. Die Maschine steht im Keller, Sie können sie jederzeit abholen lassen.',
    note: 'Wir erstatten Ihnen den vollen Kaufpreis von 499 € und holen das Gerät kostenlos ab.',
    offer: 'Wir tauschen das Gerät innerhalb von drei Werktagen gegen ein neues aus.',
  },
  en: {
    subject: 'Washing machine broken after two weeks',
    complaint:
      'Hello,\n\nmy washing machine "AquaPro 7" (order 2026-48113) has shown error E21 since yesterday. I want the price of €499 refunded immediately.\n\nBest regards\nJane Doe',
    reply: 'The serial number is AP7-22-0815. The machine is in the basement; you can collect it any time.',
    note: 'We refund the full price of €499 and collect the machine free of charge.',
    offer: 'We will replace the machine with a new one within three working days.',
  },
};

const LINKS: MailLinks = {
  decide: 'https://nachfass.example.test/decide/SAMPLE.TOKEN',
  followUp: 'https://nachfass.example.test/follow-up/SAMPLE.TOKEN',
  rating: [1, 2, 3, 4, 5].map((r) => `https://nachfass.example.test/feedback/SAMPLE-${r}.TOKEN`),
};

function context(l: TLanguage): CaseMailContext {
  return {
    caseId: 'M8TTV16PCN',
    subject: TEXT[l].subject,
    customer: { name: PEOPLE[l].customer, address: 'kunde@example.test' },
    language: l,
    receivedAt: '2026-11-24T08:12:04.000Z',
    messageId: '<complaint@kunden.example.test>',
    references: [],
    company: COMPANY,
    assessment: {
      urgency: 'high',
      impact: 'high',
      priority: 'P1',
      reasons:
        l === 'de' ? ['urgency: "sofort"', 'impact: "Erstattung"'] : ['urgency: "immediately"', 'impact: "refund"'],
    },
    level: 0,
    promisedBy: '2026-11-25T16:00:00.000Z',
  };
}

function decision(l: TLanguage, outcome: DecisionRecord['outcome'], by: Approver): DecisionRecord {
  return {
    outcome,
    decidedBy: by.address,
    decidedByName: by.name,
    level: by.level,
    at: '2026-11-24T14:30:00.000Z',
    channel: 'link',
    noteToCustomer: outcome === 'alternative' ? TEXT[l].offer : TEXT[l].note,
  };
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
    add('case-withdrawn', 'case-withdrawn', supervisor, staff);
    const lowFeedback = { ...staff, decision: approved, feedback: feedback(2, slow), lowRating };
    add('low-rating', 'low-rating', supervisor, lowFeedback);
    add('low-rating-reminder', 'low-rating-reminder', supervisor, lowFeedback);
    add('low-rating-overdue', 'low-rating-overdue', manager, lowFeedback);
  }
  return samples;
}

/** A case as the link server sees it after a low rating, in the customer's and approvers' language. */
function sampleState(l: TLanguage): CaseState {
  const c = context(l);
  const { supervisor, manager } = PEOPLE[l];
  const slow = l === 'de' ? 'Es hat viel zu lange gedauert.' : 'It took far too long.';
  return {
    caseId: c.caseId,
    status: 'awaiting-decision',
    subject: c.subject,
    text: TEXT[l].complaint,
    customer: c.customer,
    language: l,
    assessment: c.assessment,
    ladder: [supervisor, manager],
    level: 0,
    promisedBy: c.promisedBy,
    replies: [],
    sent: [
      { seq: 1, kind: 'acknowledgment', to: c.customer.address },
      { seq: 2, kind: 'approval-request', to: supervisor.address },
    ],
    timeline: [
      { at: '2026-11-24T08:12:04.000Z', event: 'assessed', detail: `P1: ${c.assessment.reasons.join('; ')}` },
      { at: '2026-11-24T08:12:05.000Z', event: 'mail:acknowledgment', detail: 'customer' },
      {
        at: '2026-11-24T08:12:05.000Z',
        event: 'mail:approval-request',
        detail: `${supervisor.role} ${supervisor.name}`,
      },
    ],
    feedback: {
      askedAt: '2026-11-27T14:30:00.000Z',
      closesAt: '2026-12-04T14:30:00.000Z',
      rating: { value: 2, at: '2026-11-27T18:02:00.000Z', channel: 'link', comment: slow },
      comments: [],
      thankedAt: '2026-11-27T18:02:01.000Z',
    },
    lowRating: {
      owner: supervisor.address,
      ownerName: supervisor.name,
      rating: 2,
      openedAt: '2026-11-27T18:02:00.000Z',
      dueAt: '2026-12-01T17:02:00.000Z',
      reminders: 0,
    },
  };
}

export interface PageSample {
  name: string;
  html: string;
}

/** The link server's pages with sample data, stylesheet inlined (there is no server to fetch it from). */
export function pageSamples(): PageSample[] {
  const pages: PageSample[] = [];
  for (const l of ['de', 'en'] as const) {
    const open = sampleState(l);
    const decided = { ...open, decision: decision(l, 'approved', PEOPLE[l].supervisor) };
    const approver = PEOPLE[l].supervisor;
    const form = { csrfToken: 'sample-csrf-token', action: '/sample' };
    pages.push(
      {
        name: `page-decide.${l}`,
        html: decidePage({ state: open, complaintText: open.text, approver, timeZone: COMPANY.timeZone, ...form }),
      },
      { name: `page-rating.${l}`, html: ratingPage({ state: open, clicked: 2, ...form }) },
      {
        name: `page-follow-up.${l}`,
        html: followUpPage({ state: decided, approver, timeZone: COMPANY.timeZone, ...form }),
      },
      {
        name: `page-rating-thanks.${l}`,
        html: noticePage(l, FEEDBACK_TEXT[l].thanks[0], [FEEDBACK_TEXT[l].thanks[1]], 'notice'),
      },
    );
  }
  return pages.map((p) => ({ ...p, html: standalone(p.html) }));
}
