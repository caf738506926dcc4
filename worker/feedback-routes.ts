/**
 * The link server's pages after the decision: the customer's rating (GET shows, the CSRF-protected POST sends
 * the `rate` update) and a low rating's follow-up (the owner's POST sends `closeFollowUp`). As for decisions,
 * every field acted on comes from the signed token or the posted form, never from the query string.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { workflowIdFor } from '../activities/identity.js';
import type { LinkClaims, TLinkPurpose } from '../activities/links.js';
import { formatDateTime } from '../templates/format.js';
import { FEEDBACK_TEXT, FOLLOW_UP_NOTICE, followUpPage, ratingPage } from '../templates/pages/feedback.js';
import { LINK_TEXT } from '../templates/pages/link-texts.js';
import { noticePage } from '../templates/pages/notice.js';
import { RATING_MAX, type CaseState, type TLanguage } from '../workflows/case.js';
import { findApprover } from '../workflows/ladder.js';
import { caseStateQuery, closeFollowUpUpdate, rateUpdate } from '../workflows/messages.js';

export type TLoaded = { ok: true; claims: LinkClaims; state: CaseState } | { ok: false; status: number; html: string };

export interface FeedbackRouteDeps {
  client: Client;
  timeZone: string;
  language: TLanguage;
  onError?: (err: Error) => void;
  load: (token: string, purpose: TLinkPurpose) => Promise<TLoaded>;
  send: (reply: FastifyReply, status: number, body: string) => FastifyReply;
}

type TText = readonly [string, string];

/** One text field of a posted form: trimmed and bounded, undefined when absent or blank; false when not a single string. */
export function formField(body: unknown, name: string): string | undefined | false {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return false;
  return value.trim().slice(0, 4000) || undefined;
}

export function registerFeedbackRoutes(app: FastifyInstance, d: FeedbackRouteDeps): void {
  const page = (
    reply: FastifyReply,
    status: number,
    l: TLanguage,
    [title, line]: TText,
    kind: 'notice' | 'error' = 'notice',
  ) => d.send(reply, status, noticePage(l, title, [line], kind));
  const handle = (caseId: string) => d.client.workflow.getHandle(workflowIdFor(caseId));

  /** Why this case takes no rating now: rated already (200: nothing is wrong), or the survey is closed (410). */
  const ratingRefused = (s: CaseState): { status: number; text: TText } | undefined => {
    const t = FEEDBACK_TEXT[s.language];
    if (s.feedback?.rating) return { status: 200, text: t.already(s.feedback.rating.value) };
    if (!s.feedback || s.feedback.closedAt || s.status === 'completed') return { status: 410, text: t.closed };
    return undefined;
  };

  app.get<{ Params: { token: string } }>('/feedback/:token', async (req, reply) => {
    const loaded = await d.load(req.params.token, 'feedback');
    if (!loaded.ok) return d.send(reply, loaded.status, loaded.html);
    const { state, claims } = loaded;
    const refused = ratingRefused(state);
    if (refused) return page(reply, refused.status, state.language, refused.text);
    const clicked = Number.isInteger(claims.r) && claims.r! >= 1 && claims.r! <= RATING_MAX ? claims.r! : 0;
    const csrfToken = reply.generateCsrf();
    return d.send(reply, 200, ratingPage({ state, clicked, csrfToken, action: `/feedback/${req.params.token}` }));
  });

  app.post<{ Params: { token: string }; Body: unknown }>(
    '/feedback/:token',
    { preHandler: app.csrfProtection },
    async (req, reply) => {
      const loaded = await d.load(req.params.token, 'feedback');
      if (!loaded.ok) return d.send(reply, loaded.status, loaded.html);
      const { state, claims } = loaded;
      const l = state.language;
      const t = FEEDBACK_TEXT[l];
      const refused = ratingRefused(state);
      if (refused) return page(reply, refused.status === 200 ? 409 : refused.status, l, refused.text);
      const rating = Number(formField(req.body, 'rating'));
      const comment = formField(req.body, 'comment');
      if (!Number.isInteger(rating) || rating < 1 || rating > RATING_MAX || comment === false) {
        return page(reply, 400, l, t.badForm, 'error');
      }
      const h = handle(claims.c);
      try {
        const answer = await h.executeUpdate(rateUpdate, {
          args: [{ rating, channel: 'link', ...(comment ? { comment } : {}) }],
        });
        const lines: string[] = [t.thanks[1]];
        if (answer.followUp) {
          const now = await h.query(caseStateQuery);
          // The customer's zone, named when it is not the company's (as in their mails).
          const zone = now.customerTimeZone ?? d.timeZone;
          if (now.lowRating) {
            const due = formatDateTime(now.lowRating.dueAt, l, zone, zone !== d.timeZone);
            lines.push(t.thanksLow(now.lowRating.ownerName, due));
          }
        }
        return d.send(reply, 200, noticePage(l, t.thanks[0], lines, 'notice'));
      } catch (err) {
        // Rated meanwhile (another tab) or the window closed: say what stands now.
        const now = await h.query(caseStateQuery).catch(() => undefined);
        const standing = now && ratingRefused(now);
        if (standing) return page(reply, standing.status === 200 ? 409 : standing.status, l, standing.text);
        d.onError?.(err instanceof Error ? err : new Error(String(err)));
        return page(reply, 503, l, t.failed, 'error');
      }
    },
  );

  /** Why this follow-up cannot be closed now: there is none (404), or it is closed already (409). */
  const followUpRefused = (s: CaseState, l: TLanguage): { status: number; text: TText } | undefined => {
    const t = FOLLOW_UP_NOTICE[l];
    if (!s.lowRating) return { status: 404, text: t.none };
    const c = s.lowRating.closed;
    if (c) return { status: 409, text: t.closed(c.byName, formatDateTime(c.at, l, d.timeZone)) };
    return undefined;
  };

  app.get<{ Params: { token: string } }>('/follow-up/:token', async (req, reply) => {
    const loaded = await d.load(req.params.token, 'follow-up');
    if (!loaded.ok) return d.send(reply, loaded.status, loaded.html);
    const { state, claims } = loaded;
    const approver = findApprover(state.ladder, claims.a);
    if (!approver) return page(reply, 403, d.language, LINK_TEXT[d.language].notApprover, 'error');
    const refused = followUpRefused(state, approver.language);
    if (refused) return page(reply, refused.status, approver.language, refused.text);
    const csrfToken = reply.generateCsrf();
    return d.send(
      reply,
      200,
      followUpPage({ state, approver, timeZone: d.timeZone, csrfToken, action: `/follow-up/${req.params.token}` }),
    );
  });

  app.post<{ Params: { token: string }; Body: unknown }>(
    '/follow-up/:token',
    { preHandler: app.csrfProtection },
    async (req, reply) => {
      const loaded = await d.load(req.params.token, 'follow-up');
      if (!loaded.ok) return d.send(reply, loaded.status, loaded.html);
      const { state, claims } = loaded;
      const approver = findApprover(state.ladder, claims.a);
      if (!approver) return page(reply, 403, d.language, LINK_TEXT[d.language].notApprover, 'error');
      const l = approver.language;
      const t = FOLLOW_UP_NOTICE[l];
      const refused = followUpRefused(state, l);
      if (refused) return page(reply, refused.status, l, refused.text);
      const note = formField(req.body, 'note');
      const messageToCustomer = formField(req.body, 'messageToCustomer');
      if (!note || messageToCustomer === false) return page(reply, 400, l, t.badForm, 'error');
      const h = handle(claims.c);
      try {
        await h.executeUpdate(closeFollowUpUpdate, {
          args: [{ by: approver.address, note, ...(messageToCustomer ? { messageToCustomer } : {}) }],
        });
        return d.send(
          reply,
          200,
          noticePage(l, t.done[0], [t.done[1], ...(messageToCustomer ? [t.doneMessage] : [])], 'notice'),
        );
      } catch (err) {
        const now = await h.query(caseStateQuery).catch(() => undefined);
        const standing = now && followUpRefused(now, l);
        if (standing) return page(reply, standing.status, l, standing.text);
        const message = err instanceof Error ? err.message : String(err);
        return page(reply, 409, l, [LINK_TEXT[l].failed[0], message]);
      }
    },
  );
}
