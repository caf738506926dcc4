/**
 * The codec endpoint's browser session: a person pastes CODEC_AUTH_TOKEN once at /login and gets a cookie the
 * Web UI sends with its credentialed fetches. Stateless (`v1.<expiry>.<mac>`, the MAC keyed by a subkey of the
 * token), so it survives a restart and works with several workers; changing CODEC_AUTH_TOKEN ends every session.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { key32 } from './config-values.js';

/** The browser session cookie of the codec endpoint (HttpOnly, SameSite=Strict). */
export const CODEC_COOKIE = 'nachfass_codec';
const SESSION_SECONDS = 12 * 3600;

export interface CodecSessionOptions {
  /** The credential, CODEC_AUTH_TOKEN (32 bytes). */
  token: Buffer;
  /** Browser origins of the Web UI; the first is linked after a login. */
  origins: readonly string[];
  log: (line: string) => void;
  /** Seconds since the epoch. */
  now: () => number;
  /** The caller's origin and address, for the log. */
  where: (req: FastifyRequest) => string;
}

/** Constant-time equality of two secrets of any length (both are hashed to the same length first). */
function sameSecret(a: Buffer, b: Buffer): boolean {
  const digest = (x: Buffer): Buffer => createHash('sha256').update(x).digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

/** Whether a token as given (hex or base64, as CODEC_AUTH_TOKEN is written) is the credential. */
export function isToken(given: string, token: Buffer): boolean {
  const bytes = key32(given.trim());
  // Compared as bytes, so hex and base64 spellings of the token are the same credential.
  return bytes !== undefined && sameSecret(bytes, token);
}

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

/** Registers GET/POST /login; returns the check of a request's session cookie. */
export function registerLogin(app: FastifyInstance, opts: CodecSessionOptions): (req: FastifyRequest) => boolean {
  const { now, where } = opts;
  const sessionKey = Buffer.from(hkdfSync('sha256', opts.token, 'nachfass', 'codec browser session', 32));
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
    if (typeof req.body?.token !== 'string' || !isToken(req.body.token, opts.token)) {
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

  return (req) => {
    const [version, expires, mac] = (readCookie(req.headers.cookie, CODEC_COOKIE) ?? '').split('.');
    const until = Number(expires);
    if (version !== 'v1' || !Number.isSafeInteger(until) || mac === undefined || until <= now()) return false;
    return sameSecret(Buffer.from(mac), Buffer.from(sessionMac(sessionKey, until)));
  };
}
