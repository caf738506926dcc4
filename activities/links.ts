/**
 * Sealed, expiring links. The claims are encrypted and authenticated with AES-256-GCM under a key derived for
 * link tokens alone, so a URL in a mail (and in every proxy log, browser history and scanner report it reaches)
 * shows neither the case nor the address it was sent to, and any change to it fails authentication. Every field
 * the link server acts on is read from the sealed claims, never from the query string. The secret never enters
 * workflow history: links are sealed here (activities) and opened in the link server.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { subkey } from './keys.js';

/**
 * `decide`: an approver's decision page; `feedback`: the customer's rating page; `follow-up`: a low rating's;
 * `queue`: a staff member's list of every case waiting for them (no case: `c` is empty, `l` 0); `undo`: the page
 * that takes back a pending decision, for the approver who decided (valid until the undo window closes).
 */
export type TLinkPurpose = 'decide' | 'feedback' | 'follow-up' | 'queue' | 'undo';

export interface LinkClaims {
  /** Case id. */
  c: string;
  /** Address the link was sent to: an approver's, or the customer's for `feedback`. */
  a: string;
  /** Escalation level at which the link was issued (0 for the customer); the link server checks it. */
  l: number;
  p: TLinkPurpose;
  /** The rating a `feedback` link stands for (1–5): named on its page, never preselected. */
  r?: number;
  /** Expiry, seconds since the epoch. */
  x: number;
}

export type TVerifyResult =
  { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/** One letter per purpose keeps the sealed claims, and so the URL, short. */
const PURPOSE_CODE: Record<TLinkPurpose, string> = {
  decide: 'd',
  feedback: 'f',
  'follow-up': 'u',
  queue: 'q',
  undo: 'x',
};
const PURPOSE_OF = new Map(Object.entries(PURPOSE_CODE).map(([p, code]) => [code, p as TLinkPurpose]));

const NONCE_BYTES = 12; // GCM's native nonce size; random per link (far below the 2^32 links one key may seal)
const TAG_BYTES = 16; // the full tag: a shorter one would be accepted by GCM but weakens authentication

/** Base64url without padding, exactly as we write it: `TOKEN=` or `TOKEN!` are other strings, not the same token. */
const CANONICAL = /^[A-Za-z0-9_-]+$/;
const canonical = (part: string): boolean =>
  CANONICAL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;

/** The claims as a JSON array (no field names): `[case, address, level, purpose, expiry, rating?]`. */
function pack(c: LinkClaims): Buffer {
  const tuple: unknown[] = [c.c, c.a, c.l, PURPOSE_CODE[c.p] ?? null, c.x];
  if (c.r !== undefined) tuple.push(c.r);
  return Buffer.from(JSON.stringify(tuple));
}

/** The claims back from `pack`'s tuple; undefined when a field is missing or of the wrong type. */
function unpack(plain: Buffer): LinkClaims | undefined {
  let tuple: unknown;
  try {
    tuple = JSON.parse(plain.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(tuple) || tuple.length < 5 || tuple.length > 6) return undefined;
  const [c, a, l, code, x, r] = tuple as unknown[];
  const p = typeof code === 'string' ? PURPOSE_OF.get(code) : undefined;
  if (typeof c !== 'string' || typeof a !== 'string' || !Number.isInteger(l) || !p || typeof x !== 'number') {
    return undefined;
  }
  if (r !== undefined && !Number.isInteger(r)) return undefined;
  return { c, a, l: l as number, p, x, ...(r !== undefined ? { r: r as number } : {}) };
}

/**
 * Seals `claims` into a URL-safe token `NONCE+CIPHERTEXT.TAG` (base64url). The two parts keep the shape of the
 * signed tokens before them (`BODY.SIGNATURE`), which mail helpers and scripts recognise in a mail's text.
 */
export function signLink(secret: string, claims: LinkClaims): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', subkey(secret, 'link-tokens'), nonce, { authTagLength: TAG_BYTES });
  const sealed = Buffer.concat([nonce, cipher.update(pack(claims)), cipher.final()]);
  return `${sealed.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/** The plaintext when `secret`'s key authenticates the token; undefined otherwise. */
function open(secret: string, sealed: Buffer, tag: Buffer): Buffer | undefined {
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const key = subkey(secret, 'link-tokens');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES }).setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES)), decipher.final()]);
  } catch {
    return undefined; // the tag does not match: altered, or sealed with another key
  }
}

/** Opens a token with the current secret or any previous one (rotation: LINK_SECRET_PREVIOUS). */
export function verifyLink(secrets: string | readonly string[], token: string, nowMs: number): TVerifyResult {
  const [body, tagPart, extra] = token.split('.');
  if (!body || !tagPart || extra !== undefined || !canonical(body) || !canonical(tagPart)) {
    return { ok: false, reason: 'malformed' };
  }
  const sealed = Buffer.from(body, 'base64url');
  const tag = Buffer.from(tagPart, 'base64url');
  if (sealed.length <= NONCE_BYTES || tag.length !== TAG_BYTES) return { ok: false, reason: 'malformed' };
  let plain: Buffer | undefined;
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    plain = open(secret, sealed, tag);
    if (plain) break;
  }
  if (!plain) return { ok: false, reason: 'bad-signature' };
  // Authentic, so written by signLink: a claim of the wrong shape is a token of a newer or older format.
  const claims = unpack(plain);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.x * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
