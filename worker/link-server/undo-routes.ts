/**
 * The undo page of a pending decision (policy decisionUndoWindow): GET shows the decision and one button, the
 * CSRF-protected POST sends `undoDecision`. Whether the undo is allowed (within the window; whoever decided or a
 * higher level) is checked here for the page's words, and again by the workflow's validator, which counts.
 * The link (in the receipt mail, and on the case link while pending) expires when the window closes.
 */
import type { FastifyInstance } from 'fastify';
import { signLink } from '../../activities/links.js';
import { noticePage } from '../../templates/pages/notice.js';
import { UNDO_TEXT, pendingPage, undoPage } from '../../templates/pages/undo.js';
import type { Approver, CaseState } from '../../workflows/case.js';
import { caseApprover } from '../../workflows/ladder.js';
import { undoDecisionUpdate } from '../../workflows/messages.js';
import { notice, registerCasePage, type CaseLinks, type TPage } from './case-link.js';

/** Whether `a` may undo the case's pending decision: the approver who decided, or a higher level. */
export function mayUndo(s: CaseState, a: Approver): boolean {
  const d = s.decision;
  return d?.pendingUntil !== undefined && (a.address === d.decidedBy || a.level > d.level);
}

/** A relative link (from /decide/…) to the undo page for `a`, sealed until the window closes. */
export function undoUrl(linkSecret: string, s: CaseState, a: Approver): string | undefined {
  const until = s.decision?.pendingUntil;
  if (!until || !mayUndo(s, a)) return undefined;
  const x = Math.ceil(Date.parse(until) / 1000);
  return `../undo/${signLink(linkSecret, { c: s.caseId, a: a.address, l: a.level, p: 'undo', x })}`;
}

/** The case link while its decision is pending: "pending until 14:05 (undo)", the link only for who may undo. */
export function pendingStanding(s: CaseState, a: Approver, timeZone: string, linkSecret: string): TPage {
  const url = undoUrl(linkSecret, s, a);
  return {
    status: 200,
    html: pendingPage({ state: s, language: a.language, timeZone, ...(url ? { undoUrl: url } : {}) }),
  };
}

/** Why `a` cannot undo now: nothing pending (409), the window closed (410), or not theirs to undo (403). */
export function undoStanding(s: CaseState, a: Approver): TPage | undefined {
  const t = UNDO_TEXT[a.language];
  const d = s.decision;
  if (!d) return { status: 409, html: notice(a.language, t.nothing, 'notice') };
  if (!d.pendingUntil || Date.now() >= Date.parse(d.pendingUntil)) {
    return { status: 410, html: notice(a.language, t.closed, 'notice') };
  }
  if (!mayUndo(s, a)) return { status: 403, html: notice(a.language, t.notPermitted) };
  return undefined;
}

export function registerUndoRoutes(app: FastifyInstance, links: CaseLinks): void {
  const { timeZone } = links.o;
  registerCasePage<Approver, Record<string, never>>(app, links, {
    purpose: 'undo',
    actor: ({ state, claims }) => caseApprover(state, claims.a),
    standing: (s, a) => undoStanding(s, a),
    show: ({ loaded: { state }, actor, csrfToken, action }) =>
      undoPage({ state, approver: actor, timeZone, csrfToken, action }),
    // Nothing to fill in: the button is the whole form (its CSRF token is checked before this).
    form: () => ({}),
    texts: (a) => {
      const t = UNDO_TEXT[a.language];
      return { badForm: t.nothing, failed: t.closed };
    },
    async act({ req, loaded, actor, handle }) {
      const userAgent = req.headers['user-agent'];
      await handle.executeUpdate(undoDecisionUpdate, {
        args: [{ by: actor.address, channel: 'link', client: { ip: req.ip, ...(userAgent ? { userAgent } : {}) } }],
      });
      const t = UNDO_TEXT[actor.language];
      return { status: 200, html: noticePage(actor.language, t.undone, [t.undoneLine(loaded.state.caseId)], 'notice') };
    },
  });
}
