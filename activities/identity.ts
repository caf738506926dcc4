/**
 * Case identity from the mail's identity: the same mail always yields the same case id, so starting its
 * workflow again is a no-op. Message-ID first; a stable hash of the raw mail when it has none.
 */
import { createHash, createHmac } from 'node:crypto';
import { subkey } from './keys.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Crockford base32 (upper case) of the first `length` × 5 bits of `bytes`. */
export function base32(bytes: Buffer, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= length) break;
  }
  return out;
}

export function normalizeMessageId(id: string | undefined): string | undefined {
  const bare = id?.trim().replace(/^<|>$/g, '').trim().toLowerCase();
  return bare ? bare : undefined;
}

/** Ten Crockford base32 characters (50 bits): readable in a subject, collision-free at helpdesk scale. */
export function caseIdFor(messageId: string | undefined, raw: Buffer): string {
  const normalized = normalizeMessageId(messageId);
  const hash = createHash('sha256');
  if (normalized) hash.update(`mid:${normalized}`);
  else hash.update('raw:').update(raw);
  return base32(hash.digest(), 10);
}

export function workflowIdFor(caseId: string): string {
  return `complaint-${caseId}`;
}

/** Keyed hash of a customer address for the CustomerHash search attribute (search attributes are not encrypted). */
export function customerKey(secret: string, address: string): string {
  return createHmac('sha256', subkey(secret, 'customer-hash'))
    .update(address.trim().toLowerCase())
    .digest('hex')
    .slice(0, 32);
}

/**
 * Keyed hash of a staff address for the ApproverHash search attribute and the id of that person's digest
 * workflow (`digest-<hash>`): visibility lists a person's queue without the address entering it. Its own key,
 * so neither hash can be compared with the other.
 */
export function approverKey(secret: string, address: string): string {
  return createHmac('sha256', subkey(secret, 'approver-hash'))
    .update(address.trim().toLowerCase())
    .digest('hex')
    .slice(0, 32);
}

/** The keyed hashes of everyone on a ladder, by lower-cased address (the case's `approverKeys`). */
export function approverKeys(secret: string, people: ReadonlyArray<{ address: string }>): Record<string, string> {
  return Object.fromEntries(people.map((p) => [p.address.trim().toLowerCase(), approverKey(secret, p.address)]));
}
