/**
 * The Web UI's codec endpoint ("Codec Server"): POST /decode (and /encode, which the UI's signal and update forms
 * use) with `{"payloads": […]}`. Decoding reveals what the encryption protects, so every request needs the codec
 * credential, whatever its Origin: `Authorization: Bearer CODEC_AUTH_TOKEN`, or the browser session a person gets
 * at /login with that token. Every decode is logged (who, origin, how many payloads; never their content).
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

/** A payload as the Web UI's codec protocol writes it: proto3 JSON, bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(String(v), 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

/** The browser session cookie of the codec endpoint (HttpOnly, SameSite=Strict). */
export const CODEC_COOKIE = 'nachfass_codec';
const SESSION_SECONDS = 12 * 3600;

export interface CodecRouteOptions {
  /** Browser origins (the Web UI) allowed to call the endpoint (CORS). Other origins get 403. */
  origins: readonly string[];
  /** The credential, CODEC_AUTH_TOKEN (32 bytes). */
  token: Buffer;
  /** Where every decode and every refusal is written: who, from where, how many payloads; never their content. */
  log: (line: string) => void;
  /** Seconds since the epoch; tests move it to see a session expire. */
  now?: () => number;
}

/** Reads a token written as hex or base64 (how CODEC_AUTH_TOKEN is configured) into bytes. */
function tokenBytes(s: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(s)) return Buffer.from(s, 'base64');
  return undefined;
}

/** Constant-time equality of two secrets of any length (both are hashed to the same length first). */
function sameSecret(a: Buffer, b: Buffer): boolean {
  const digest = (x: Buffer): Buffer => createHash('sha256').update(x).digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

/**
 * A browser session: `v1.<expiry>.<mac>`, the MAC keyed by a subkey of the token. Stateless, so it survives a
 * restart and works with several workers; changing CODEC_AUTH_TOKEN ends every session.
 */
function sessionMac(key: Buffer, expires: number): string {
  return createHmac('sha256', key).update(`v1.${expires}`).digest('base64url');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** The login page: a password field for CODEC_AUTH_TOKEN, or the answer to a login. */
function page(title: string, body: ReturnType<typeof h>[]): string {
  return `<!doctype html>${renderToStaticMarkup(
    h(
      'html',
      { lang: 'en' },
      h('head', null, h('meta', { charSet: 'utf-8' }), h('title', null, title)),
      h(
        'body',
        { style: { fontFamily: 'sans-serif', maxWidth: '40em', margin: '2em auto' } },
        h('h1', null, title),
        ...body,
      ),
    ),
  )}`;
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )
    .send(html);
}

/**
 * The codec endpoint of the Temporal Web UI ("Codec Server"): POST /decode and /encode with `{"payloads": […]}`.
 * Decoding reveals what the encryption protects, so every call needs the credential, whatever its Origin:
 *
 * - `Authorization: Bearer <CODEC_AUTH_TOKEN>`: the `temporal` CLI (`--codec-auth`), scripts, a proxy in front;
 * - or the session cookie that `POST /login` with the token sets in a browser. The Web UI sends it when it fetches
 *   with credentials ("include cross-origin credentials"; TEMPORAL_CODEC_INCLUDE_CREDENTIALS for the UI image).
 *   The cookie is SameSite=Strict: the UI on 127.0.0.1:8233 and this endpoint on 127.0.0.1:8081 are the same
 *   site (ports do not count), a page of any other site never sends it.
 *
 * The Web UI of Temporal 2.42 can forward only its own login's access token (and only over https) or cookies;
 * it has no setting for a fixed bearer token, hence the cookie. /encode stays because the UI's "Send a Signal"
 * and update forms seal their input through it when a codec endpoint is set; it reveals nothing.
 * Browsers from other origins than `origins` are refused (CORS); listen on an internal address (CODEC_HOST).
 */
export function codecRoutes(app: FastifyInstance, codec: PayloadCodec, opts: CodecRouteOptions): void {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const sessionKey = Buffer.from(hkdfSync('sha256', opts.token, 'nachfass', 'codec browser session', 32));

  /** Who the caller is, by the credential it shows; undefined without a valid one. */
  const caller = (req: FastifyRequest): string | undefined => {
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (auth !== undefined) {
      const given = tokenBytes(auth);
      // Compared as bytes, so hex and base64 spellings of the token are the same credential.
      return given && sameSecret(given, opts.token) ? 'bearer token' : undefined;
    }
    const [version, expires, mac] = (readCookie(req.headers.cookie, CODEC_COOKIE) ?? '').split('.');
    const until = Number(expires);
    if (version !== 'v1' || !Number.isSafeInteger(until) || mac === undefined || until <= now()) return undefined;
    return sameSecret(Buffer.from(mac), Buffer.from(sessionMac(sessionKey, until))) ? 'browser session' : undefined;
  };
  const where = (req: FastifyRequest): string => `origin ${req.headers.origin ?? 'none'}, client ${req.ip}`;

  app.register(formbody);
  app.addHook('onRequest', async (req, reply) => {
    // The login page is opened and posted as a page of this endpoint's own origin, not by the UI.
    if (req.url.split('?')[0] === '/login') return;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!opts.origins.includes(origin)) return reply.code(403).send({ error: `origin ${origin} is not trusted` });
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'origin');
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
    }
    // Preflights carry no credentials (Fetch standard); the request that follows must.
    if (req.method === 'OPTIONS') return reply.code(204).send();
    if (caller(req) === undefined) {
      opts.log(`codec: refused ${req.method} ${req.url} without valid credentials (${where(req)})`);
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="nachfass codec"')
        .send({ error: 'credentials required: Authorization: Bearer <CODEC_AUTH_TOKEN>, or log in at /login' });
    }
  });

  app.get('/login', async (_req, reply) =>
    sendPage(
      reply,
      200,
      page('Nachfass codec endpoint', [
        h('p', null, 'Paste CODEC_AUTH_TOKEN to let the Temporal Web UI in this browser show sealed case data.'),
        h(
          'form',
          { method: 'post', action: '/login' },
          h('input', { type: 'password', name: 'token', autoComplete: 'off', required: true, 'aria-label': 'token' }),
          ' ',
          h('button', { type: 'submit' }, 'Log in'),
        ),
      ]),
    ),
  );
  app.post<{ Body: { token?: unknown } }>('/login', async (req, reply) => {
    const given = typeof req.body?.token === 'string' ? tokenBytes(req.body.token.trim()) : undefined;
    if (!given || !sameSecret(given, opts.token)) {
      opts.log(`codec: refused a login with a wrong token (${where(req)})`);
      return sendPage(reply, 401, page('Wrong token', [h('p', null, h('a', { href: '/login' }, 'Try again'))]));
    }
    const expires = now() + SESSION_SECONDS;
    const secure = req.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${CODEC_COOKIE}=v1.${expires}.${sessionMac(sessionKey, expires)}; Max-Age=${SESSION_SECONDS}; Path=/; HttpOnly; SameSite=Strict${secure}`,
    );
    opts.log(`codec: browser session started for ${SESSION_SECONDS / 3600} h (${where(req)})`);
    const ui = opts.origins[0];
    return sendPage(
      reply,
      200,
      page('Logged in', [
        h('p', null, `This browser may decode for ${SESSION_SECONDS / 3600} hours.`),
        h(
          'p',
          null,
          'The Web UI sends the session only when it fetches with credentials: in its Codec Server settings choose ',
          h('em', null, 'use my browser setting'),
          ', enter this endpoint and turn on ',
          h('em', null, 'Include cross-origin credentials'),
          ' (a UI started with TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true does so already).',
        ),
        ...(ui ? [h('p', null, h('a', { href: ui }, 'Open the Web UI'))] : []),
      ]),
    );
  });

  const route = (name: 'encode' | 'decode') =>
    app.post<{ Body: { payloads?: unknown } }>(`/${name}`, async (req, reply) => {
      const list = req.body?.payloads;
      if (!Array.isArray(list)) return reply.code(400).send({ error: 'expected {"payloads": [...]}' });
      const ns = req.headers['x-namespace'];
      opts.log(
        `codec: ${name} of ${list.length} payload${list.length === 1 ? '' : 's'} for ${caller(req) ?? '?'} (${where(req)}, namespace ${typeof ns === 'string' ? ns : '-'})`,
      );
      try {
        const out = await codec[name](list.map((p) => fromJson(p as JsonPayload)));
        return { payloads: out.map(toJson) };
      } catch (err) {
        return reply.code(422).send({ error: err instanceof Error ? err.message : String(err) });
      }
    });
  route('decode');
  route('encode');
}
