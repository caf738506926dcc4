/**
 * The link server: the only door into the system from outside. GET shows a confirmation page and never
 * changes anything (mail scanners open links); the form POST, CSRF-protected, sends the update. Every field
 * acted on comes from the sealed token, never from the query string. Here: Fastify, its plugins and the
 * error pages; the page families register their routes (decide-, rating-, follow-up- and queue-routes.ts).
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { subkey } from '../../activities/keys.js';
import { PAGE_CSS } from '../../templates/pages/layout.js';
import { LINK_TEXT } from '../../templates/pages/link-texts.js';
import { caseLinks, notice, send, type CaseLinkOptions } from './case-link.js';
import { registerDecideRoutes } from './decide-routes.js';
import { registerFollowUpRoutes } from './follow-up-routes.js';
import { linkGuard } from './limits.js';
import { registerQueueRoutes } from './queue-routes.js';
import { registerUndoRoutes } from './undo-routes.js';
import { registerRatingRoutes } from './rating-routes.js';

export interface LinkServerOptions extends CaseLinkOptions {
  host: string;
  port: number;
  /** Where links point; an https URL turns on HSTS, `upgrade-insecure-requests` and Secure cookies. */
  publicUrl: string;
  /** /readyz: whether Temporal, every intake's IMAP session and SMTP work now (worker/readiness.ts). */
  readiness?: () => Promise<{ ready: boolean }>;
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
  const t = LINK_TEXT[o.language];
  const app = Fastify({
    logger: false,
    // The socket's address is the client (rate limits, decision evidence): no forwarded headers are believed.
    trustProxy: false,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 1024 },
    // A malformed or overlong link is an invalid link: a page, not Fastify's JSON.
    frameworkErrors: (_err: FastifyError, _req, reply) =>
      send(reply.headers(BARE_HEADERS), 400, notice(o.language, t.invalid)),
  });
  const secure = o.publicUrl.startsWith('https:');
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'form-action': ["'self'"],
        'script-src': ["'none'"],
        // Over plain http (the demo, an intranet) a browser told to upgrade asks for an https nobody serves.
        'upgrade-insecure-requests': secure ? [] : null,
      },
    },
    // HSTS over http is ignored by browsers at best, and pins a host name to https at worst.
    strictTransportSecurity: secure,
  });
  // Only the page's form is accepted: no JSON or text bodies reach the decision route.
  app.removeAllContentTypeParsers();
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie, { secret: subkey(o.linkSecret, 'cookies').toString('hex') });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    // Lax, not Strict: the link is opened from a mail client or webmail (another site), and a Strict cookie is
    // not sent on that navigation, so each opened page made a new secret and voided the forms open before it.
    // Lax still withholds the cookie from cross-site POSTs. generateCsrf keeps a secret the browser sends.
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure },
  });
  // Only the token routes are limited (linkGuard), not the stylesheet or the health check.
  await app.register(fastifyRateLimit, { global: false });
  const guard = linkGuard(app, (reply, seconds) =>
    send(reply.header('retry-after', String(seconds)), 429, notice(o.language, t.tooMany)),
  );

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err.code?.startsWith('FST_CSRF')) return send(reply, 403, notice(o.language, t.csrf));
    // The client's mistake (body too large, wrong content type) is answered, not reported.
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, err.statusCode, notice(o.language, t.badRequest));
    }
    o.onError?.(err);
    return send(reply, 500, notice(o.language, t.failed));
  });
  app.setNotFoundHandler((_req, reply) => send(reply, 404, notice(o.language, t.noPage)));
  app.get('/static/app.css', async (_req, reply) =>
    reply.type('text/css').header('cache-control', 'max-age=3600').send(PAGE_CSS),
  );
  // Liveness only: the process answers. Readiness (the servers it needs) is /readyz, 503 naming what fails.
  app.get('/healthz', async () => ({ ok: true }));
  const readiness = o.readiness;
  if (readiness)
    app.get('/readyz', async (_req, reply) => {
      const report = await readiness();
      return reply
        .code(report.ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(report);
    });

  const links = caseLinks(o, guard);
  registerDecideRoutes(app, links);
  registerRatingRoutes(app, links);
  registerFollowUpRoutes(app, links);
  registerQueueRoutes(app, links);
  registerUndoRoutes(app, links);

  const url = await app.listen({ host: o.host, port: o.port });
  return { app, url };
}
