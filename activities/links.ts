/**
 * Signed, expiring links: HMAC-SHA256 over the payload, compared in constant time. Every field the link
 * server acts on is read from the signed payload, never from the query string. The secret never enters
 * workflow history: links are signed here (activities) and checked in the link server.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { subkey } from './keys.js';

/** `decide`: an approver's decision page; `feedback`: the customer's rating page; `follow-up`: a low rating's. */
export type TLinkPurpose = 'decide' | 'feedback' | 'follow-up';

export interface LinkClaims {
  /** Case id. */
  c: string;
  /** Address the link was sent to: an approver's, or the customer's for `feedback`. */
  a: string;
  /** Escalation level at which the link was issued (0 for the customer). */
  l: number;
  p: TLinkPurpose;
  /** The rating a `feedback` link stands for (1–5): preselected on its page. */
  r?: number;
  /** Expiry, seconds since the epoch. */
  x: number;
}

export type TVerifyResult =
  { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

function mac(secret: string, data: string): Buffer {
  return createHmac('sha256', subkey(secret, 'links')).update(data).digest();
}

/** Base64url without padding, exactly as we write it: `TOKEN=` or `TOKEN!` are other strings, not the same token. */
const CANONICAL = /^[A-Za-z0-9_-]+$/;
const canonical = (part: string): boolean =>
  CANONICAL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;

export function signLink(secret: string, claims: LinkClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** Checks a token against the current secret and any previous ones (rotation: LINK_SECRET_PREVIOUS). */
export function verifyLink(secrets: string | readonly string[], token: string, nowMs: number): TVerifyResult {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined || !canonical(body) || !canonical(sig)) {
    return { ok: false, reason: 'malformed' };
  }
  const given = Buffer.from(sig, 'base64url');
  const signedByOne = (typeof secrets === 'string' ? [secrets] : secrets).some((secret) => {
    const expected = mac(secret, body);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!signedByOne) return { ok: false, reason: 'bad-signature' };
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.c !== 'string' || typeof claims.a !== 'string' || typeof claims.x !== 'number') {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.x * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
