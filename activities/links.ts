/**
 * Signed, expiring links: HMAC-SHA256 over the payload, compared in constant time. Every field the link
 * server acts on is read from the signed payload, never from the query string. The secret never enters
 * workflow history: links are signed here (activities) and checked in the link server.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

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
  return createHmac('sha256', secret).update(data).digest();
}

export function signLink(secret: string, claims: LinkClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

export function verifyLink(secret: string, token: string, nowMs: number): TVerifyResult {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-signature' };
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
