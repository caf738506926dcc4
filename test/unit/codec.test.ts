/** The payload codec on its own: sealing, opening, refusing what was tampered with or sealed with another key. */
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, ENCRYPTED_ENCODING, keyIdOf, payloadKey } from '../../worker/codec.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());
const secret = 'a-link-secret-of-at-least-32-bytes!!';
const complaint = {
  metadata: { encoding: enc('json/plain') },
  data: enc(JSON.stringify({ customer: 'erika@example.test', text: 'Meine Waschmaschine ist kaputt.' })),
};

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec(payloadKey(secret));

  it('seals a payload so that neither its content nor its metadata can be read, and opens it again', async () => {
    const [sealed] = await codec.encode([complaint]);
    expect(dec(sealed!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(dec(sealed!.metadata?.['encryption-key-id'])).toBe(codec.keyId);
    const raw = Buffer.from(sealed!.data!).toString('latin1');
    expect(raw).not.toContain('erika@example.test');
    expect(raw).not.toContain('json/plain');
    const [opened] = await codec.decode([sealed!]);
    expect(dec(opened!.metadata?.encoding)).toBe('json/plain');
    expect(JSON.parse(dec(opened!.data))).toEqual({
      customer: 'erika@example.test',
      text: 'Meine Waschmaschine ist kaputt.',
    });
  });

  it('uses a fresh nonce every time: the same payload never seals the same way twice', async () => {
    const [a] = await codec.encode([complaint]);
    const [b] = await codec.encode([complaint]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes unsealed payloads through (a signal an admin sends with the temporal CLI)', async () => {
    expect(await codec.decode([complaint])).toEqual([complaint]);
  });

  it('refuses a tampered payload and names the key of a payload sealed with another', async () => {
    const [sealed] = await codec.encode([complaint]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/unable to authenticate|auth/i);
    const other = new EncryptionCodec(payloadKey('another-link-secret-of-32-bytes-or-more'));
    await expect(other.decode([sealed!])).rejects.toThrow(
      `payload sealed with key ${codec.keyId}, but this process has key ${other.keyId}`,
    );
  });

  it('opens payloads sealed with a previous key after a rotation, and seals only with the new one', async () => {
    const oldKey = payloadKey(secret);
    const [sealedBefore] = await new EncryptionCodec(oldKey).encode([complaint]);
    const rotated = new EncryptionCodec(Buffer.alloc(32, 7), [oldKey]);
    const [opened] = await rotated.decode([sealedBefore!]);
    expect(dec(opened!.data)).toContain('erika@example.test');
    const [sealedAfter] = await rotated.encode([complaint]);
    expect(dec(sealedAfter!.metadata?.['encryption-key-id'])).toBe(keyIdOf(Buffer.alloc(32, 7)));
    await expect(new EncryptionCodec(oldKey).decode([sealedAfter!])).rejects.toThrow('payload sealed with key');
  });

  it('derives the key from the link secret unless PAYLOAD_KEY gives one', () => {
    expect(payloadKey(secret).equals(payloadKey(secret))).toBe(true);
    expect(payloadKey(secret).equals(payloadKey(`${secret}x`))).toBe(false);
    expect(payloadKey(secret, 'ab'.repeat(32))).toEqual(Buffer.alloc(32, 0xab));
    expect(() => new EncryptionCodec(Buffer.alloc(16))).toThrow('32 bytes');
  });
});
