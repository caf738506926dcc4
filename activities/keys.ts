/**
 * One secret, separate keys: LINK_SECRET is expanded with HKDF-SHA256 (RFC 5869) under a distinct label per
 * job, so that a key exposed through one use (a cookie secret, a customer hash) can neither sign a link nor
 * forge one of our Message-IDs or reply addresses. The payload key has its own derivation (worker/codec.ts).
 */
import { hkdfSync } from 'node:crypto';

/**
 * `link-tokens`: sealing the link server's tokens (AES-256-GCM); `cookies`: the CSRF cookie secret;
 * `customer-hash`: the CustomerHash search attribute; `approver-hash`: the ApproverHash search attribute and the
 * digest workflows' ids; `mail-ids`: our Message-IDs, envelope ids and approvers'
 * reply addresses. `links` keyed the HMAC-signed links before sealing: retired, and kept in the list deliberately
 * so that the label is never given to another use.
 */
export type TKeyPurpose = 'links' | 'link-tokens' | 'cookies' | 'customer-hash' | 'approver-hash' | 'mail-ids';

const derived = new Map<string, Buffer>();

/** The 32-byte key for `purpose`; derived once per secret and purpose (the map lives as long as the config). */
export function subkey(secret: string, purpose: TKeyPurpose): Buffer {
  const id = `${purpose}\u0000${secret}`;
  let key = derived.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'nachfass', `nachfass ${purpose} v1`, 32));
    derived.set(id, key);
  }
  return key;
}
