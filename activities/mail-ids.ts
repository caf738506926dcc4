/**
 * Our mail grammar, produced and parsed in this one place (tested as a round trip):
 * - Message-IDs `<CASE.SEQ.KIND.MAC@domain>`. Deterministic per send, so a retried activity re-sends the same
 *   id; keyed, so nobody can write the id of a mail they have not seen: MAC is an HMAC of case, sequence and
 *   kind under the `mail-ids` key. Ids of the release before (`<CASE.SEQ.KIND@domain>`) still thread a reply
 *   to its case, but never count as proof of anything.
 * - The staff thread root `<CASE.case@domain>` (References of staff mail; grants nothing).
 * - The envelope id (RFC 3461 ENVID) `CASE.SEQ.MAC`: MTAs return it as `Original-Envelope-Id` in a delivery
 *   report, so a bounce that carries it really answers a mail we sent.
 * - The reply address of a mail that asks an approver to decide: `support+r-case-seq-level-expiry-mac@domain`
 *   (RFC 5233 subaddress; it reaches the support mailbox). Its MAC binds case, mail, level, expiry and the
 *   approver's address, so a reply through it proves that the writer received that request.
 * Pure apart from hashing. Every check accepts several keys (the current one first, then previous ones).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { withDetail } from './address.js';
import { base32 } from './identity.js';

/** Case ids: ten Crockford base32 characters (activities/identity.ts). */
export const CASE_ID = '[0-9A-HJKMNP-TV-Z]{10}';
const MAC_LENGTH = 16; // 80 bits: unguessable, short enough for a 64-character local part (RFC 5321 §4.5.3.1.1)

function mac(key: Buffer, ...parts: Array<string | number>): string {
  return base32(createHmac('sha256', key).update(parts.join('\u0000')).digest(), MAC_LENGTH).toLowerCase();
}

function macMatches(keys: readonly Buffer[], given: string | undefined, ...parts: Array<string | number>): boolean {
  if (!given || given.length !== MAC_LENGTH) return false;
  const g = Buffer.from(given.toLowerCase());
  return keys.some((k) => timingSafeEqual(Buffer.from(mac(k, ...parts)), g));
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface MailRef {
  caseId: string;
  seq: number;
  kind: string;
}

export function formatMessageId(key: Buffer, ref: MailRef, domain: string): string {
  return `<${ref.caseId}.${ref.seq}.${ref.kind}.${mac(key, 'message-id', ref.caseId, ref.seq, ref.kind)}@${domain}>`;
}

/** The root every staff mail of a case threads under. */
export function staffThreadRoot(caseId: string, domain: string): string {
  return `<${caseId}.case@${domain}>`;
}

/** Our Message-IDs named in a text (In-Reply-To, References, a returned header), oldest first. */
export function parseOurRefs(
  text: string,
  domain: string,
  keys: readonly Buffer[],
): Array<MailRef & { verified: boolean }> {
  const re = new RegExp(
    `<(${CASE_ID})\\.(\\d{1,6})\\.([a-z-]{1,40})(?:\\.([0-9a-z]{${MAC_LENGTH}}))?@${escapeRe(domain)}>`,
    'gi',
  );
  return [...text.matchAll(re)].map((m) => {
    const ref = { caseId: m[1]!.toUpperCase(), seq: Number(m[2]), kind: m[3]!.toLowerCase() };
    return { ...ref, verified: macMatches(keys, m[4], 'message-id', ref.caseId, ref.seq, ref.kind) };
  });
}

/** Case ids of our Message-IDs in a text, verified or not (threading only). */
export function ourCaseIds(text: string, domain: string): string[] {
  return parseOurRefs(text, domain, []).map((r) => r.caseId);
}

export function formatEnvelopeId(key: Buffer, caseId: string, seq: number): string {
  return `${caseId}.${seq}.${mac(key, 'envelope-id', caseId, seq)}`;
}

/** The `Original-Envelope-Id` of a delivery report, when it names one of our mails. */
export function parseEnvelopeId(
  report: string,
  keys: readonly Buffer[],
): { caseId: string; seq: number; verified: boolean } | undefined {
  const m = report.match(
    new RegExp(`Original-Envelope-Id:\\s*(${CASE_ID})\\.(\\d{1,6})(?:\\.([0-9a-z]{${MAC_LENGTH}}))?`, 'i'),
  );
  if (!m) return undefined;
  const caseId = m[1]!.toUpperCase();
  const seq = Number(m[2]);
  return { caseId, seq, verified: macMatches(keys, m[3], 'envelope-id', caseId, seq) };
}

/** What a reply address stands for. */
export interface ReplyClaims {
  caseId: string;
  /** The mail it was sent with. */
  seq: number;
  /** The approver's level when it was sent. */
  level: number;
  /** The approver it was sent to (lower case). */
  approver: string;
  /** Expiry, ms since the epoch (stored in whole seconds). */
  expiresAt: number;
}

function replyMac(key: Buffer, c: Omit<ReplyClaims, 'expiresAt'>, expiry: string): string {
  return mac(key, 'reply-address', c.caseId, c.seq, c.level, expiry, c.approver.trim().toLowerCase());
}

/** The reply address for one mail to one approver: the support address with a signed subaddress. */
export function formatReplyAddress(key: Buffer, supportAddress: string, c: ReplyClaims): string {
  const expiry = Math.floor(c.expiresAt / 1000).toString(36);
  const detail = `r-${c.caseId.toLowerCase()}-${c.seq}-${c.level}-${expiry}-${replyMac(key, c, expiry)}`;
  const name = supportAddress.match(/^\s*([^<]*?)\s*</)?.[1];
  return name ? `${name} <${withDetail(supportAddress, detail)}>` : withDetail(supportAddress, detail);
}

export type TReplyProof =
  | { ok: true; caseId: string; seq: number; level: number }
  | { ok: false; reason: 'no-reply-address' | 'bad-signature' | 'expired' };

/**
 * Checks the reply addresses among `recipients` (To, Cc, Delivered-To …) for a mail from `from`. The first one
 * that verifies wins; otherwise the most telling failure is returned.
 */
export function verifyReplyAddress(
  keys: readonly Buffer[],
  recipients: string,
  from: string,
  nowMs: number,
): TReplyProof {
  const re = /\+r-([0-9a-hjkmnp-tv-z]{10})-(\d{1,6})-(\d{1,2})-([0-9a-z]{1,10})-([0-9a-z]{16})@/gi;
  let failure: TReplyProof = { ok: false, reason: 'no-reply-address' };
  for (const m of recipients.matchAll(re)) {
    const claims = { caseId: m[1]!.toUpperCase(), seq: Number(m[2]), level: Number(m[3]) };
    const expiry = m[4]!.toLowerCase();
    const approver = from.trim().toLowerCase();
    if (!macMatches(keys, m[5], 'reply-address', claims.caseId, claims.seq, claims.level, expiry, approver)) {
      failure = { ok: false, reason: 'bad-signature' };
      continue;
    }
    if (parseInt(expiry, 36) * 1000 <= nowMs) {
      failure = { ok: false, reason: 'expired' };
      continue;
    }
    return { ok: true, ...claims };
  }
  return failure;
}
