/**
 * Payload encryption. Workflow inputs hold the complaint text and the customer's address; signals, updates,
 * query answers and the memo hold replies, notes and the subject. Temporal stores them in its history, so the
 * worker and every client it makes seal each payload with AES-256-GCM before it leaves the process (a Temporal
 * payload codec). Search attributes are not payloads and stay plain: they never hold personal data.
 *
 * A sealed payload says `encoding: binary/encrypted` and which key sealed it (`encryption-key-id`, a hash of
 * the key, never the key). Payloads that arrive unsealed, e.g. a signal an admin sends with the `temporal`
 * CLI, are passed through as they are. The Web UI shows sealed payloads through the codec endpoint
 * (worker/codec-endpoint.ts), which answers only callers with the codec credential (CODEC_AUTH_TOKEN).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Payload, PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS without named exports Node can detect: import the module, then pick.
import proto from '@temporalio/proto';

const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The failure converter that moves failure messages into (sealed) payloads; see worker/failure-converter.ts. */
// Beside this file: failure-converter.ts in the sources (tsx, vitest), failure-converter.js in the build (dist/).
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL(`./failure-converter${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined): string | undefined => (b ? new TextDecoder().decode(b) : undefined);

/** Names a key in every payload it sealed (a hash, never the key), so a wrong key is reported as such. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export class EncryptionCodec implements PayloadCodec {
  /** The id of the key new payloads are sealed with. */
  readonly keyId: string;
  /** Every key this process opens payloads with, by id: the current one and previous ones (key rotation). */
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly key: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    for (const k of [key, ...previous]) {
      if (k.length !== 32) throw new Error('the payload key must be 32 bytes');
      this.keys.set(keyIdOf(k), k);
    }
    this.keyId = keyIdOf(key);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      cipher.setAAD(utf8(this.keyId));
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID]: utf8(this.keyId) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (text(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
      const keyId = text(p.metadata?.[KEY_ID]);
      const key = keyId === undefined ? undefined : this.keys.get(keyId);
      if (!key || keyId === undefined) {
        const known = [...this.keys.keys()];
        throw new Error(
          `payload sealed with key ${keyId ?? '(none)'}, but this process has key${known.length > 1 ? 's' : ''} ${known.join(', ')}`,
        );
      }
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('sealed payload is too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(utf8(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
