/**
 * The link server: the only door into the system from outside. GET shows a confirmation page and never
 * changes anything (mail scanners open links); the form POST, CSRF-protected, sends the `decide` update.
 * Every field acted on comes from the signed token, never from the query string.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { workflowIdFor } from '../activities/identity.js';
import { subkey } from '../activities/keys.js';
import { verifyLink, type TLinkPurpose } from '../activities/links.js';
import { formatDateTime } from '../templates/format.js';
import { formField, registerFeedbackRoutes, type TLoaded } from './feedback-routes.js';
import { decidePage } from '../templates/pages/decide.js';
import { PAGE_CSS } from '../templates/pages/layout.js';
import { LINK_TEXT } from '../templates/pages/link-texts.js';
import { noticePage } from '../templates/pages/notice.js';
import type { CaseState, TLanguage, Approver } from '../workflows/case.js';
import { findApprover, supersededBy } from '../workflows/ladder.js';
import {
  caseStateQuery,
  DECISION_OUTCOMES,
  decideUpdate,
  forwardUpdate,
  requestInfoUpdate,
  type DecisionInput,
  type TDecisionOutcome,
} from '../workflows/messages.js';

export interface LinkServerOptions {
  client: Client;
  linkSecret: string;
  /** LINK_SECRET_PREVIOUS: links signed with these still open (rotation); nothing new is signed with them. */
  previousLinkSecrets?: readonly string[];
  timeZone: string;
  host: string;
  port: number;
  publicUrl: string;
  language: TLanguage;
  /** Unexpected errors (logged by the caller; never with the secret). */
  onError?: (err: Error) => void;
}

type TForm = { outcome: TDecisionOutcome | 'forward' | 'info'; noteToCustomer?: string; internalNote?: string };

/** The posted form, or undefined when a field is missing, repeated or not text (never trust the body's shape). */
function readForm(body: unknown): TForm | undefined {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { outcome } = fields;
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
 * Headers for answers Fastify gives before any hook runs (malformed URL, overlong token): the same
 * guarantees helmet gives every other page.
 */
const BARE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

export async function startLinkServer(o: LinkServerOptions): Promise<{ app: FastifyInstance; url: string }> {
  const send = (reply: FastifyReply, status: number, body: string): FastifyReply =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  const notice = (l: TLanguage, [title, line]: readonly [string, string], kind: 'notice' | 'error' = 'error'): string =>
    noticePage(l, title, [line], kind);

  const app = Fastify({
    logger: false,
    trustProxy: false, // nothing here depends on client addresses or forwarded headers
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 1024 },
    // A malformed or overlong link is an invalid link: a page, not Fastify's JSON.
    frameworkErrors: (_err: FastifyError, _req, reply) =>
      send(reply.headers(BARE_HEADERS), 400, notice(o.language, LINK_TEXT[o.language].invalid)),
  });
  const secure = o.publicUrl.startsWith('https:');
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: { 'default-src': ["'self'"], 'form-action': ["'self'"], 'script-src': ["'none'"] },
    },
  });
  // Only the page's form is accepted: no JSON or text bodies reach the decision route.
  app.removeAllContentTypeParsers();
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie, { secret: subkey(o.linkSecret, 'cookies').toString('hex') });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure },
  });

  /**
   * Verifies the token and loads the case. Read-only. The link must be for `purpose` (a correctly signed rating
   * link is no decision link) and for a person of the case: an approver on its ladder, or for `feedback` the
   * customer it was sent to.
   */
  async function load(token: string, purpose: TLinkPurpose = 'decide'): Promise<TLoaded> {
    const l = o.language;
    const v = verifyLink([o.linkSecret, ...(o.previousLinkSecrets ?? [])], token, Date.now());
    if (v.ok && v.claims.p !== purpose) return { ok: false, status: 400, html: notice(l, LINK_TEXT[l].invalid) };
    if (!v.ok) {
      return {
        ok: false,
        status: v.reason === 'expired' ? 410 : 400,
        html: notice(l, v.reason === 'expired' ? LINK_TEXT[l].expired : LINK_TEXT[l].invalid),
      };
    }
    try {
      const state = await o.client.workflow.getHandle(workflowIdFor(v.claims.c)).query(caseStateQuery);
      if (purpose === 'feedback') {
        if (v.claims.a !== state.customer.address)
          return { ok: false, status: 400, html: notice(l, LINK_TEXT[l].invalid) };
        return { ok: true, claims: v.claims, state };
      }
      const approver = findApprover(state.ladder, v.claims.a);
      if (!approver) return { ok: false, status: 403, html: notice(l, LINK_TEXT[l].notApprover) };
      // The level is signed: a link stands for one rung of this case's ladder, the one it was sent for.
      if (approver.level !== v.claims.l) return { ok: false, status: 400, html: notice(l, LINK_TEXT[l].invalid) };
      return { ok: true, claims: v.claims, state };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        return { ok: false, status: 404, html: notice(l, LINK_TEXT[l].notFound) };
      throw err;
    }
  }

  /** Why this approver cannot decide the case as it stands: decided already (409), or superseded (410). */
  function standsAgainst(state: CaseState, approver: Approver): { status: number; html: string } | undefined {
    const l = approver.language;
    const t = LINK_TEXT[l];
    if (state.decision)
      return { status: 409, html: noticePage(l, t.decided, [t.decidedLine(state, o.timeZone)], 'notice') };
    if (state.withdrawn) return { status: 410, html: noticePage(l, t.withdrawn[0], [t.withdrawn[1]], 'notice') };
    const current = supersededBy(state.ladder, state.level, approver);
    if (current) return { status: 410, html: noticePage(l, t.superseded, [t.supersededLine(current)], 'notice') };
    return undefined;
  }

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const l = o.language;
    if (err.code?.startsWith('FST_CSRF')) {
      return send(reply, 403, noticePage(l, LINK_TEXT[l].csrf[0], [LINK_TEXT[l].csrf[1]], 'error'));
    }
    // The client's mistake (body too large, wrong content type) is answered, not reported.
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return send(reply, err.statusCode, notice(l, LINK_TEXT[l].badRequest));
    o.onError?.(err);
    return send(reply, 500, notice(l, LINK_TEXT[l].failed));
  });
  app.setNotFoundHandler((_req, reply) => send(reply, 404, notice(o.language, LINK_TEXT[o.language].noPage)));

  app.get('/static/app.css', async (_req, reply) =>
    reply.type('text/css').header('cache-control', 'max-age=3600').send(PAGE_CSS),
  );
  app.get('/healthz', async () => ({ ok: true }));

  app.get<{ Params: { token: string } }>('/decide/:token', async (req, reply) => {
    const loaded = await load(req.params.token);
    if (!loaded.ok) return send(reply, loaded.status, loaded.html);
    const { state, claims } = loaded;
    const approver = findApprover(state.ladder, claims.a);
    if (!approver) return send(reply, 403, notice(o.language, LINK_TEXT[o.language].notApprover));
    const refused = standsAgainst(state, approver);
    if (refused) return send(reply, refused.status, refused.html);
    const csrfToken = reply.generateCsrf();
    return send(
      reply,
      200,
      decidePage({
        state,
        complaintText: state.text,
        approver,
        timeZone: o.timeZone,
        csrfToken,
        action: `/decide/${req.params.token}`,
      }),
    );
  });

  app.post<{ Params: { token: string }; Body: unknown }>(
    '/decide/:token',
    { preHandler: app.csrfProtection },
    async (req, reply) => {
      const loaded = await load(req.params.token);
      if (!loaded.ok) return send(reply, loaded.status, loaded.html);
      const approver = findApprover(loaded.state.ladder, loaded.claims.a);
      if (!approver) return send(reply, 403, notice(o.language, LINK_TEXT[o.language].notApprover));
      const l = approver.language;
      const t = LINK_TEXT[l];
      const refused = standsAgainst(loaded.state, approver);
      if (refused) return send(reply, refused.status, refused.html);
      const form = readForm(req.body);
      if (!form) return send(reply, 400, notice(l, t.badForm));
      const handle = o.client.workflow.getHandle(workflowIdFor(loaded.claims.c));
      /** Sends the chosen update and renders its outcome page. */
      const act = async (): Promise<string> => {
        if (form.outcome === 'forward') {
          const note = form.internalNote ?? form.noteToCustomer;
          const { level } = await handle.executeUpdate(forwardUpdate, {
            args: [{ by: approver.address, ...(note ? { note } : {}) }],
          });
          return noticePage(l, t.forwarded, [t.forwardedLine(loaded.state.ladder[level]!)], 'notice');
        }
        if (form.outcome === 'info') {
          const { replyBy } = await handle.executeUpdate(requestInfoUpdate, {
            args: [{ by: approver.address, question: form.noteToCustomer ?? '' }],
          });
          return noticePage(l, t.asked[0], [t.asked[1](formatDateTime(replyBy, l, o.timeZone))], 'notice');
        }
        const decision: DecisionInput = {
          ...form,
          outcome: form.outcome,
          decidedBy: approver.address,
          channel: 'link',
          evidence: {
            method: 'link',
            client: { ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) },
          },
        };
        await handle.executeUpdate(decideUpdate, { args: [decision] });
        return noticePage(l, t.done, [...t.doneLines(await handle.query(caseStateQuery))], 'notice');
      };
      try {
        return send(reply, 200, await act());
      } catch (err) {
        // Refused by the validator or the case moved on meanwhile: show what stands now.
        const now = await handle.query(caseStateQuery).catch(() => undefined);
        const message = err instanceof Error ? err.message : String(err);
        if (form.outcome === 'forward' || form.outcome === 'info') {
          const refused = now && standsAgainst(now, approver);
          if (refused) return send(reply, refused.status, refused.html);
          return send(reply, 409, notice(l, [t.failed[0], message]));
        }
        if (now?.decision) {
          return send(reply, 409, noticePage(l, t.decided, [t.decidedLine(now, o.timeZone)], 'notice'));
        }
        o.onError?.(err instanceof Error ? err : new Error(message));
        return send(reply, 503, notice(l, t.failed));
      }
    },
  );

  registerFeedbackRoutes(app, { ...o, load, send });

  const address = await app.listen({ host: o.host, port: o.port });
  return { app, url: address };
}
