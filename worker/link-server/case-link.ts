/**
 * What every page family of the link server shares: opening the sealed token and loading its case (`load`),
 * answering with a page (`send`), reading a posted field (`formField`), and the one route shape they all have
 * (`registerCasePage`): GET shows the page, the CSRF-protected POST checks who acts and whether the case
 * still takes it, sends the update, and on a refusal says what stands now.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { workflowIdFor } from '../../activities/identity.js';
import { verifyLink, type LinkClaims, type TLinkPurpose } from '../../activities/links.js';
import { LINK_TEXT } from '../../templates/pages/link-texts.js';
import { noticePage } from '../../templates/pages/notice.js';
import type { CaseState, TLanguage } from '../../workflows/case.js';
import { caseApprover } from '../../workflows/ladder.js';
import { caseStateQuery } from '../../workflows/messages.js';
import type { LinkGuard } from './limits.js';
import { StateCache } from './state-cache.js';

/** An answer: status and HTML page. */
export type TPage = { status: number; html: string };
/** A page's title and line. */
export type TText = readonly [string, string];
export type TCase = { ok: true; claims: LinkClaims; state: CaseState };
export type TLoaded = TCase | ({ ok: false } & TPage);
type TTokenRequest = FastifyRequest<{ Params: { token: string } }>;

/** How long a case's state is served from memory; a POST of that case forgets it. */
export const STATE_TTL_MS = 3000;

export interface CaseLinkOptions {
  client: Client;
  linkSecret: string;
  /** LINK_SECRET_PREVIOUS: links sealed with these still open (rotation); nothing new is sealed with them. */
  previousLinkSecrets?: readonly string[];
  timeZone: string;
  /** The language of pages shown before the case (and so its person) is known. */
  language: TLanguage;
  /** Unexpected errors (logged by the caller; never with the secret). */
  onError?: (err: Error) => void;
}

export const send = (reply: FastifyReply, status: number, body: string): FastifyReply =>
  reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

/** A notice page from a text pair. */
export const notice = (l: TLanguage, [title, line]: TText, kind: 'notice' | 'error' = 'error'): string =>
  noticePage(l, title, [line], kind);

/** One text field of a posted form: trimmed and bounded, undefined when absent or blank; false when not a single string. */
export function formField(body: unknown, name: string): string | undefined | false {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return false;
  return value.trim().slice(0, 4000) || undefined;
}

/** What one page family declares; `registerCasePage` gives it the GET and POST routes. */
export interface CasePage<TActor extends { language: TLanguage }, TForm> {
  /** The path before the token, and the purpose the token must be sealed for. */
  purpose: TLinkPurpose;
  /** Who acts through this link, on the case as loaded; undefined: nobody of the case (403). */
  actor(loaded: TCase): TActor | undefined;
  /**
   * Why the case as it stands takes nothing from this person now; asked again after a refused update, then
   * with the form. A 2xx page (nothing wrong, nothing to do) answers a POST as 409.
   */
  standing(state: CaseState, actor: TActor, form?: TForm): TPage | undefined;
  show(c: { loaded: TCase; actor: TActor; csrfToken: string; action: string }): string;
  /** The posted form; undefined when incomplete or malformed (400 with `texts.badForm`). */
  form(body: unknown, actor: TActor): TForm | undefined;
  /** Sends the update and renders how it went. */
  act(c: { req: FastifyRequest; loaded: TCase; actor: TActor; form: TForm; handle: WorkflowHandle }): Promise<TPage>;
  texts(actor: TActor): { badForm: TText; failed: TText };
}

export interface CaseLinks {
  load(req: TTokenRequest, purpose: TLinkPurpose, opts?: { fresh?: boolean }): Promise<TLoaded>;
  handle(caseId: string): WorkflowHandle;
  /** After a write: the next read of this case asks Temporal. */
  forget(caseId: string): void;
  guard: LinkGuard;
  o: CaseLinkOptions;
}

export function caseLinks(o: CaseLinkOptions, guard: LinkGuard): CaseLinks {
  const secrets = [o.linkSecret, ...(o.previousLinkSecrets ?? [])];
  const cache = new StateCache<CaseState>(STATE_TTL_MS);
  const handle = (caseId: string): WorkflowHandle => o.client.workflow.getHandle(workflowIdFor(caseId));
  const refusal = (status: number, text: TText): TLoaded => ({ ok: false, status, html: notice(o.language, text) });
  /**
   * Opens the token and loads the case. Read-only. The link must be for `purpose` (a rating link is no decision
   * link) and for a person of the case: the approver of the rung it was sent for, or for `feedback` the customer.
   */
  async function load(req: TTokenRequest, purpose: TLinkPurpose, opts: { fresh?: boolean } = {}): Promise<TLoaded> {
    const t = LINK_TEXT[o.language];
    const v = verifyLink(secrets, req.params.token, Date.now());
    if (!v.ok && v.reason === 'expired') return refusal(410, t.expired); // ours, only old: no failure to count
    if (!v.ok || v.claims.p !== purpose) {
      await guard.failed(req);
      return refusal(400, t.invalid);
    }
    const { claims } = v;
    if (opts.fresh) cache.forget(claims.c);
    try {
      const state = await cache.get(claims.c, () => handle(claims.c).query(caseStateQuery));
      if (purpose === 'feedback')
        return claims.a === state.customer.address ? { ok: true, claims, state } : refusal(400, t.invalid);
      const approver = caseApprover(state, claims.a);
      if (!approver) return refusal(403, t.notApprover);
      // The level is sealed: a link stands for one rung of this case's ladder, the one it was sent for.
      if (approver.level !== claims.l) return refusal(400, t.invalid);
      return { ok: true, claims, state };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return refusal(404, t.notFound);
      throw err;
    }
  }
  return { load, handle, forget: (caseId) => cache.forget(caseId), guard, o };
}

const asPost = (p: TPage): TPage => (p.status < 400 ? { ...p, status: 409 } : p);

export function registerCasePage<TActor extends { language: TLanguage }, TForm>(
  app: FastifyInstance,
  links: CaseLinks,
  page: CasePage<TActor, TForm>,
): void {
  const { o } = links;
  const path = `/${page.purpose}/:token`;
  const notPermitted = (reply: FastifyReply) => send(reply, 403, notice(o.language, LINK_TEXT[o.language].notApprover));
  const reply = (r: FastifyReply, p: TPage) => send(r, p.status, p.html);

  app.get<{ Params: { token: string } }>(path, { onRequest: links.guard.check }, async (req, r) => {
    const loaded = await links.load(req, page.purpose);
    if (!loaded.ok) return reply(r, loaded);
    const actor = page.actor(loaded);
    if (!actor) return notPermitted(r);
    const refused = page.standing(loaded.state, actor);
    if (refused) return reply(r, refused);
    const action = `/${page.purpose}/${req.params.token}`;
    return send(r, 200, page.show({ loaded, actor, csrfToken: r.generateCsrf(), action }));
  });

  app.post<{ Params: { token: string }; Body: unknown }>(
    path,
    { onRequest: links.guard.check, preHandler: app.csrfProtection },
    async (req, r) => {
      // A write reads the case fresh, and leaves nothing cached behind (finally).
      const loaded = await links.load(req, page.purpose, { fresh: true });
      if (!loaded.ok) return reply(r, loaded);
      const actor = page.actor(loaded);
      if (!actor) return notPermitted(r);
      const refused = page.standing(loaded.state, actor);
      if (refused) return reply(r, asPost(refused));
      const texts = page.texts(actor);
      const form = page.form(req.body, actor);
      if (form === undefined) return send(r, 400, notice(actor.language, texts.badForm));
      const handle = links.handle(loaded.claims.c);
      try {
        return reply(r, await page.act({ req, loaded, actor, form, handle }));
      } catch (err) {
        // Refused by the workflow's validator, or the case moved on meanwhile: what stands now, in the page's words.
        const now = await handle.query(caseStateQuery).catch(() => undefined);
        const standing = now && page.standing(now, actor, form);
        if (standing) return reply(r, asPost(standing));
        // Never the error's own text on the page: it names internals (and, from a validator, addresses).
        o.onError?.(err instanceof Error ? err : new Error(String(err)));
        return send(r, 503, notice(actor.language, texts.failed));
      } finally {
        links.forget(loaded.claims.c);
      }
    },
  );
}
