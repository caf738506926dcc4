/**
 * After the decision: the follow-up survey, the customer's rating and replies, one thank-you, and for a low
 * rating a follow-up with an owner (whoever decided), a deadline from the business calendar and reminders, so
 * the team closes the loop with the customer. Workflow code: deterministic.
 */
import { condition, patched, setHandler } from '@temporalio/workflow';
import { RATING_MAX, type Approver, type CaseState, type FeedbackRecord } from '../case.js';
import { waitSummary, who } from '../case-story.js';
import { findApprover, findPerson } from '../ladder.js';
import { closeFollowUpUpdate, rateUpdate, type CloseFollowUpInput, type RatingInput } from '../messages.js';
import type { CaseRuntime } from './runtime.js';

/** Change id (patched()): a deputy's decision makes them the owner of a low rating's follow-up. Never reuse it. */
export const DEPUTY_OWNER = 'deputy-owner';

const iso = (ms: number): string => new Date(ms).toISOString();
const MAX_TEXT = 4000;

/** The rating as a whole number 1–5, when the case takes one now; throws with the reason otherwise. */
export function acceptRating(state: CaseState, r: RatingInput): number {
  const fb = state.feedback;
  if (!fb) throw new Error('no feedback was asked for yet');
  if (fb.rating) throw new Error(`already rated ${fb.rating.value} of ${RATING_MAX}`);
  if (fb.closedAt) throw new Error('the feedback window has closed');
  const value = Number(r?.rating);
  if (!Number.isInteger(value) || value < 1 || value > RATING_MAX) {
    throw new Error(`a rating is a whole number from 1 to ${RATING_MAX}`);
  }
  return value;
}

/** Who may close a low rating's follow-up: its owner, or anyone above them on the ladder. */
export function followUpCloser(state: CaseState, c: CloseFollowUpInput): Approver {
  const lr = state.lowRating;
  if (!lr) throw new Error('this case has no follow-up to close');
  if (lr.closed) throw new Error(`the follow-up was closed by ${lr.closed.byName} at ${lr.closed.at}`);
  const by = typeof c?.by === 'string' ? findPerson(state.ladder, c.by) : undefined;
  const owner = findPerson(state.ladder, lr.owner);
  if (!by || (owner && by.level < owner.level)) throw new Error(`${String(c?.by)} may not close this follow-up`);
  if (!String(c.note ?? '').trim()) throw new Error('a note on what was done is needed');
  return by;
}

export function registerFeedbackHandlers(rt: CaseRuntime): void {
  const { state, note } = rt;
  const { durations } = rt.plan;
  // Ratings at or below this open a follow-up (cases from before the setting: 2).
  const lowRatingAtMost = rt.input.policy.feedback?.lowRatingAtMost ?? 2;
  setHandler(
    rateUpdate,
    (r) => {
      const value = acceptRating(state, r);
      const now = Date.now();
      const comment = typeof r.comment === 'string' ? r.comment.trim().slice(0, MAX_TEXT) : '';
      state.feedback!.rating = { value, at: iso(now), channel: r.channel ?? 'admin', ...(comment ? { comment } : {}) };
      note('rated', `${value} of ${RATING_MAX} (${r.channel ?? 'admin'})${comment ? `: ${comment}` : ''}`);
      // A deputy who decided owns the follow-up too (before the patch a deputy's decision opened none).
      const find = patched(DEPUTY_OWNER) ? findPerson : findApprover;
      const owner = state.decision && find(state.ladder, state.decision.decidedBy);
      if (value > lowRatingAtMost || !owner) return { rating: value, followUp: false };
      state.lowRating = {
        owner: owner.address,
        ownerName: owner.name,
        rating: value,
        openedAt: iso(now),
        dueAt: iso(rt.due(now, durations.lowRatingDue)),
        reminders: 0,
      };
      note('low-rating-follow-up', `owner ${owner.name}, due ${state.lowRating.dueAt}`);
      return { rating: value, followUp: true };
    },
    { validator: (r) => void acceptRating(state, r) },
  );
  setHandler(
    closeFollowUpUpdate,
    (c) => {
      const by = followUpCloser(state, c);
      const message = typeof c.messageToCustomer === 'string' ? c.messageToCustomer.trim().slice(0, MAX_TEXT) : '';
      const at = iso(Date.now());
      state.lowRating!.closed = {
        at,
        by: by.address,
        byName: by.name,
        note: String(c.note).trim().slice(0, MAX_TEXT),
        ...(message ? { messageToCustomer: message } : {}),
      };
      note('follow-up-closed', `${by.name}: ${state.lowRating!.closed.note}`);
      return { closedAt: at };
    },
    { validator: (c) => void followUpCloser(state, c) },
  );
}

/**
 * Sends the follow-up survey and waits for the rating until the feedback window closes. The first rating or
 * reply is thanked for (once); a low rating's follow-up then runs until its owner closes it.
 */
export async function collectFeedback(rt: CaseRuntime): Promise<void> {
  const { state, note, publish, mail } = rt;
  const asked = Date.now();
  const closes = rt.due(asked, rt.plan.durations.feedbackWindow);
  const fb: FeedbackRecord = { askedAt: iso(asked), closesAt: iso(closes), comments: [] };
  state.feedback = fb;
  await mail('follow-up', 'customer');
  publish('awaiting-feedback');
  const closesAt = Date.parse(fb.closesAt);
  const answered = (): boolean => fb.rating !== undefined || fb.comments.length > 0;
  while (fb.rating === undefined && Date.now() < closesAt) {
    await condition(() => fb.rating !== undefined || (answered() && !fb.thankedAt), closesAt - Date.now(), {
      summary: 'survey closes',
    });
    if (fb.rating !== undefined) publish(state.lowRating ? 'feedback-follow-up' : 'awaiting-feedback');
    if (answered() && !fb.thankedAt) {
      fb.thankedAt = iso(Date.now());
      await mail('feedback-thanks', 'customer');
    }
  }
  fb.closedAt = iso(Date.now());
  note('feedback-closed', fb.rating ? `rated ${fb.rating.value}` : `${fb.comments.length} replies, no rating`);
  if (state.lowRating) await followUpLowRating(rt);
}

/** The owner is told, reminded until they close it, and the level above hears once it is overdue. */
async function followUpLowRating(rt: CaseRuntime): Promise<void> {
  const { state, ladder, mail } = rt;
  const every = rt.plan.durations.lowRatingReminderAfter;
  const lr = state.lowRating!;
  const owner = findPerson(ladder, lr.owner)!;
  rt.publish('feedback-follow-up');
  await mail('low-rating', owner);
  const dueMs = Date.parse(lr.dueAt);
  let remindAt = rt.due(Date.now(), every);
  while (!lr.closed) {
    const next = lr.overdueNotified ? remindAt : Math.min(remindAt, dueMs);
    await condition(() => lr.closed !== undefined, Math.max(next - Date.now(), 1), {
      summary: waitSummary([
        [remindAt, `low-rating reminder to ${who(owner)}`],
        [lr.overdueNotified ? undefined : dueMs, 'low-rating follow-up overdue: the level above is told'],
      ]),
    });
    if (lr.closed) break;
    const now = Date.now();
    if (!lr.overdueNotified && now >= dueMs) {
      lr.overdueNotified = iso(now);
      const above = ladder[owner.level + 1];
      if (above) await mail('low-rating-overdue', above);
    }
    if (now >= remindAt) {
      lr.reminders += 1;
      await mail('low-rating-reminder', owner);
      remindAt = rt.due(now, every);
    }
  }
  if (lr.closed?.messageToCustomer) await mail('low-rating-message', 'customer');
}
