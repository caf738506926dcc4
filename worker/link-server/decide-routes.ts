/**
 * The decision page: GET shows the case and the choices, the POST sends `decide`, `forward` or `requestInfo`.
 * The rule "an alternative or a question needs a note to the customer" is checked here so the page can say so
 * in its own words, and again by the workflow's validator (workflows/decision.ts), which is the one that counts.
 */
import type { FastifyInstance } from 'fastify';
import { formatDateTime } from '../../templates/format.js';
import { decidePage } from '../../templates/pages/decide.js';
import { LINK_TEXT } from '../../templates/pages/link-texts.js';
import { noticePage } from '../../templates/pages/notice.js';
import type { Approver, CaseState } from '../../workflows/case.js';
import { caseApprover, supersededBy } from '../../workflows/ladder.js';
import {
  caseStateQuery,
  DECISION_OUTCOMES,
  decideUpdate,
  forwardUpdate,
  requestInfoUpdate,
  type DecisionInput,
  type TDecisionOutcome,
} from '../../workflows/messages.js';
import { formField, notice, registerCasePage, type CaseLinks, type TPage, type TText } from './case-link.js';
import { pendingStanding } from './undo-routes.js';

type TForm = { outcome: TDecisionOutcome | 'forward' | 'info'; noteToCustomer?: string; internalNote?: string };

/** The posted form, or undefined when a field is missing, repeated or not text (never trust the body's shape). */
export function readDecisionForm(body: unknown): TForm | undefined {
  const { outcome } = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (outcome !== 'forward' && outcome !== 'info' && !DECISION_OUTCOMES.includes(outcome as TDecisionOutcome)) {
    return undefined;
  }
  const form: TForm = { outcome: outcome as TForm['outcome'] };
  for (const name of ['noteToCustomer', 'internalNote'] as const) {
    const value = formField(body, name);
    if (value === false) return undefined;
    if (value) form[name] = value;
  }
  if ((form.outcome === 'alternative' || form.outcome === 'info') && !form.noteToCustomer) return undefined;
  return form;
}

/**
 * Why this approver cannot do this now: decided already (409), withdrawn or superseded (410); with a form,
 * also the refusals of forwarding and asking that the case's state explains (409).
 */
export function decisionStanding(
  s: CaseState,
  a: Approver,
  timeZone: string,
  form?: TForm,
  linkSecret?: string,
): TPage | undefined {
  const l = a.language;
  const t = LINK_TEXT[l];
  const page = (status: number, text: TText): TPage => ({ status, html: notice(l, text, 'notice') });
  // Pending (undo window): "pending until 14:05 (undo)" to anyone opening the case link; a POST answers 409.
  if (s.decision?.pendingUntil && linkSecret) return pendingStanding(s, a, timeZone, linkSecret);
  if (s.decision) return page(409, [t.decided, t.decidedLine(s, timeZone)]);
  if (s.withdrawn) return page(410, t.withdrawn);
  const current = supersededBy(s.ladder, s.level, a);
  if (current) return page(410, [t.superseded, t.supersededLine(current)]);
  if (form?.outcome === 'forward') {
    if (s.forwarded && s.forwarded.toLevel > s.level) return page(409, t.forwarding);
    if (a.level !== s.level || !s.ladder[s.level + 1]) return page(409, t.cannotForward);
  }
  if (form?.outcome === 'info' && s.infoRequest && !s.infoRequest.closed) return page(409, t.questionOpen);
  return undefined;
}

export function registerDecideRoutes(app: FastifyInstance, links: CaseLinks): void {
  const { timeZone } = links.o;
  registerCasePage<Approver, TForm>(app, links, {
    purpose: 'decide',
    actor: ({ state, claims }) => caseApprover(state, claims.a),
    standing: (s, a, form) => decisionStanding(s, a, timeZone, form, links.o.linkSecret),
    show: ({ loaded: { state }, actor, csrfToken, action }) =>
      decidePage({ state, complaintText: state.text, approver: actor, timeZone, csrfToken, action }),
    form: readDecisionForm,
    texts: (a) => ({ badForm: LINK_TEXT[a.language].badForm, failed: LINK_TEXT[a.language].failed }),
    async act({ req, loaded, actor: approver, form, handle }) {
      const l = approver.language;
      const t = LINK_TEXT[l];
      const done = (title: string, lines: string[]): TPage => ({
        status: 200,
        html: noticePage(l, title, lines, 'notice'),
      });
      if (form.outcome === 'forward') {
        const note = form.internalNote ?? form.noteToCustomer;
        const { level } = await handle.executeUpdate(forwardUpdate, {
          args: [{ by: approver.address, ...(note ? { note } : {}) }],
        });
        return done(t.forwarded, [t.forwardedLine(loaded.state.ladder[level]!)]);
      }
      if (form.outcome === 'info') {
        const { replyBy } = await handle.executeUpdate(requestInfoUpdate, {
          args: [{ by: approver.address, question: form.noteToCustomer ?? '' }],
        });
        return done(t.asked[0], [t.asked[1](formatDateTime(replyBy, l, timeZone))]);
      }
      const userAgent = req.headers['user-agent'];
      const decision: DecisionInput = {
        ...form,
        outcome: form.outcome,
        decidedBy: approver.address,
        channel: 'link',
        evidence: { method: 'link', client: { ip: req.ip, ...(userAgent ? { userAgent } : {}) } },
      };
      await handle.executeUpdate(decideUpdate, { args: [decision] });
      const now = await handle.query(caseStateQuery);
      // Pending (undo window): the page says until when, with the undo link, instead of "the customer now hears".
      if (now.decision?.pendingUntil) return pendingStanding(now, approver, timeZone, links.o.linkSecret);
      return done(t.done, [...t.doneLines(now)]);
    },
  });
}
