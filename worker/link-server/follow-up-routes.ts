/**
 * A low rating's follow-up page: the owner (or anyone above them on the ladder) records what was done, and
 * may send the customer a message; the POST sends `closeFollowUp`.
 */
import type { FastifyInstance } from 'fastify';
import { formatDateTime } from '../../templates/format.js';
import { followUpPage } from '../../templates/pages/feedback.js';
import { FOLLOW_UP_NOTICE, LINK_TEXT } from '../../templates/pages/link-texts.js';
import { noticePage } from '../../templates/pages/notice.js';
import type { Approver, CaseState } from '../../workflows/case.js';
import { findApprover } from '../../workflows/ladder.js';
import { closeFollowUpUpdate } from '../../workflows/messages.js';
import { formField, notice, registerCasePage, type CaseLinks, type TPage } from './case-link.js';

type TForm = { note: string; messageToCustomer?: string };

/** Why this follow-up cannot be closed by `a` now: there is none (404), closed already (409), or not theirs (403). */
export function followUpStanding(s: CaseState, a: Approver, timeZone: string): TPage | undefined {
  const l = a.language;
  const t = FOLLOW_UP_NOTICE[l];
  if (!s.lowRating) return { status: 404, html: notice(l, t.none, 'notice') };
  const c = s.lowRating.closed;
  if (c) return { status: 409, html: notice(l, t.closed(c.byName, formatDateTime(c.at, l, timeZone)), 'notice') };
  // The same rule as the workflow's validator (workflows/feedback.ts followUpCloser): the owner or above.
  const owner = findApprover(s.ladder, s.lowRating.owner);
  if (owner && a.level < owner.level) return { status: 403, html: notice(l, LINK_TEXT[l].notApprover) };
  return undefined;
}

export function registerFollowUpRoutes(app: FastifyInstance, links: CaseLinks): void {
  const { timeZone } = links.o;
  registerCasePage<Approver, TForm>(app, links, {
    purpose: 'follow-up',
    actor: ({ state, claims }) => findApprover(state.ladder, claims.a),
    standing: (s, a) => followUpStanding(s, a, timeZone),
    show: ({ loaded: { state }, actor, csrfToken, action }) =>
      followUpPage({ state, approver: actor, timeZone, csrfToken, action }),
    form(body) {
      const note = formField(body, 'note');
      const messageToCustomer = formField(body, 'messageToCustomer');
      if (!note || messageToCustomer === false) return undefined;
      return { note, ...(messageToCustomer ? { messageToCustomer } : {}) };
    },
    texts: (a) => ({ badForm: FOLLOW_UP_NOTICE[a.language].badForm, failed: LINK_TEXT[a.language].notSaved }),
    async act({ actor, form, handle }) {
      const l = actor.language;
      const t = FOLLOW_UP_NOTICE[l];
      await handle.executeUpdate(closeFollowUpUpdate, { args: [{ by: actor.address, ...form }] });
      const lines = [t.done[1], ...(form.messageToCustomer ? [t.doneMessage] : [])];
      return { status: 200, html: noticePage(l, t.done[0], lines, 'notice') };
    },
  });
}
