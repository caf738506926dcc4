/** Sample data for the link server's pages in both languages (preview and golden files). Pure. */
import type { CaseState, TLanguage } from '../workflows/case.js';
import { decidePage } from './pages/decide.js';
import { FEEDBACK_TEXT, followUpPage, ratingPage } from './pages/feedback.js';
import { standalone } from './pages/layout.js';
import { noticePage } from './pages/notice.js';
import { queuePage, type QueueEntry } from './pages/queue.js';
import { pendingPage, undoPage } from './pages/undo.js';
import { COMPANY, context, decision, PEOPLE, TEXT } from './sample-case.js';

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

/** The moment the queue samples are rendered at: the sample case's promise has just passed. */
const QUEUE_NOW = Date.parse('2026-11-25T17:00:00.000Z');

/** Three cases waiting for the supervisor: one overdue and escalated, one with a question open, one in time. */
function sampleQueue(l: TLanguage): QueueEntry[] {
  const c = context(l);
  const de = l === 'de';
  const base = { reasons: c.assessment.reasons, escalated: false, stalled: false, asking: false };
  return [
    {
      ...base,
      caseId: 'Q4R7K2M9XA',
      priority: 'P3',
      reasons: ['no rule fired: standard handling'],
      subject: de ? 'Falsche Farbe geliefert' : 'Wrong colour delivered',
      customer: de ? 'Jonas Becker' : 'Chris Brown',
      promisedBy: '2026-11-26T12:00:00.000Z',
      receivedAt: '2026-11-25T09:40:00.000Z',
      asking: true,
      decideUrl: '../decide/SAMPLE-2.TOKEN',
    },
    {
      ...base,
      caseId: c.caseId,
      priority: c.assessment.priority,
      subject: c.subject,
      customer: c.customer.name ?? c.customer.address,
      promisedBy: c.promisedBy,
      receivedAt: c.receivedAt,
      escalated: true,
      stalled: true,
      decideUrl: '../decide/SAMPLE-1.TOKEN',
    },
    {
      ...base,
      caseId: 'Z2C8N5T1WB',
      priority: 'P2',
      reasons: c.assessment.reasons.slice(0, 1),
      subject: de ? 'Lieferung seit drei Wochen überfällig' : 'Delivery three weeks late',
      customer: 'paket@example.test',
      promisedBy: '2026-11-27T10:00:00.000Z',
      receivedAt: '2026-11-25T16:58:30.000Z',
      decideUrl: '../decide/SAMPLE-3.TOKEN',
    },
  ];
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
    const pending = {
      ...open,
      decision: {
        ...decision(l, 'approved', approver),
        evidence: { method: 'link' as const },
        pendingUntil: '2026-11-24T14:32:00.000Z',
      },
    };
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
        name: `page-queue.${l}`,
        html: queuePage({
          language: l,
          person: approver.name,
          entries: sampleQueue(l),
          timeZone: COMPANY.timeZone,
          now: QUEUE_NOW,
        }),
      },
      {
        name: `page-queue-empty.${l}`,
        html: queuePage({
          language: l,
          person: approver.name,
          entries: [],
          timeZone: COMPANY.timeZone,
          now: QUEUE_NOW,
        }),
      },
      {
        name: `page-decide-pending.${l}`,
        html: pendingPage({ state: pending, language: l, timeZone: COMPANY.timeZone, undoUrl: '../undo/SAMPLE.TOKEN' }),
      },
      { name: `page-undo.${l}`, html: undoPage({ state: pending, approver, timeZone: COMPANY.timeZone, ...form }) },
      {
        name: `page-rating-thanks.${l}`,
        html: noticePage(l, FEEDBACK_TEXT[l].thanks[0], [FEEDBACK_TEXT[l].thanks[1]], 'notice'),
      },
    );
  }
  return pages.map((p) => ({ ...p, html: standalone(p.html) }));
}
