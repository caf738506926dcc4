/**
 * The customer's rating page: GET names the clicked rating but preselects nothing (a scanner that submits the
 * form as it stands records nothing), the POST sends `rate`. The link is the customer's: the person acting is
 * the case's customer, so the page speaks the case's language.
 */
import type { FastifyInstance } from 'fastify';
import { formatDateTime } from '../../templates/format.js';
import { FEEDBACK_TEXT, ratingPage } from '../../templates/pages/feedback.js';
import { noticePage } from '../../templates/pages/notice.js';
import { RATING_MAX, type CaseState } from '../../workflows/case.js';
import { caseStateQuery, rateUpdate } from '../../workflows/messages.js';
import { formField, notice, registerCasePage, type CaseLinks, type TPage } from './case-link.js';

type TForm = { rating: number; comment?: string };

const isRating = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= RATING_MAX;

/** Why this case takes no rating now: rated already (200: nothing is wrong), or the survey is closed (410). */
export function ratingStanding(s: CaseState): TPage | undefined {
  const t = FEEDBACK_TEXT[s.language];
  if (s.feedback?.rating)
    return { status: 200, html: notice(s.language, t.already(s.feedback.rating.value), 'notice') };
  if (!s.feedback || s.feedback.closedAt || s.status === 'completed') {
    return { status: 410, html: notice(s.language, t.closed, 'notice') };
  }
  return undefined;
}

export function registerRatingRoutes(app: FastifyInstance, links: CaseLinks): void {
  const { timeZone } = links.o;
  registerCasePage<CaseState, TForm>(app, links, {
    purpose: 'feedback',
    // `load` checked that the link was sent to this case's customer.
    actor: ({ state }) => state,
    standing: ratingStanding,
    show: ({ loaded: { state, claims }, csrfToken, action }) =>
      ratingPage({ state, clicked: isRating(claims.r) ? claims.r : 0, csrfToken, action }),
    form(body) {
      const rating = Number(formField(body, 'rating'));
      const comment = formField(body, 'comment');
      if (!isRating(rating) || comment === false) return undefined;
      return { rating, ...(comment ? { comment } : {}) };
    },
    texts: (s) => ({ badForm: FEEDBACK_TEXT[s.language].badForm, failed: FEEDBACK_TEXT[s.language].failed }),
    async act({ actor: { language: l }, form, handle }) {
      const t = FEEDBACK_TEXT[l];
      const answer = await handle.executeUpdate(rateUpdate, { args: [{ ...form, channel: 'link' }] });
      const lines: string[] = [t.thanks[1]];
      if (answer.followUp) {
        const now = await handle.query(caseStateQuery);
        // The customer's zone, named when it is not the company's (as in their mails).
        const zone = now.customerTimeZone ?? timeZone;
        if (now.lowRating) {
          lines.push(
            t.thanksLow(now.lowRating.ownerName, formatDateTime(now.lowRating.dueAt, l, zone, zone !== timeZone)),
          );
        }
      }
      return { status: 200, html: noticePage(l, t.thanks[0], lines, 'notice') };
    },
  });
}
