/**
 * The payload codec on its own: sealing, opening, refusing what was tampered with or sealed with another key;
 * and the codec endpoint's credentials, on a real Fastify instance (requests injected, no network).
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODEC_COOKIE, codecRoutes } from '../../worker/codec-endpoint.js';
import { EncryptionCodec, ENCRYPTED_ENCODING, keyIdOf } from '../../worker/codec.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());
const complaint = {
  metadata: { encoding: enc('json/plain') },
  data: enc(JSON.stringify({ customer: 'erika@example.test', text: 'Meine Waschmaschine ist kaputt.' })),
};

describe('EncryptionCodec', () => {
  const key = randomBytes(32);
  const codec = new EncryptionCodec(key);

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
    const other = new EncryptionCodec(randomBytes(32));
    await expect(other.decode([sealed!])).rejects.toThrow(
      `payload sealed with key ${codec.keyId}, but this process has key ${other.keyId}`,
    );
  });

  it('opens payloads sealed with a previous key after a rotation, and seals only with the new one', async () => {
    const oldKey = key;
    const [sealedBefore] = await new EncryptionCodec(oldKey).encode([complaint]);
    const rotated = new EncryptionCodec(Buffer.alloc(32, 7), [oldKey]);
    const [opened] = await rotated.decode([sealedBefore!]);
    expect(dec(opened!.data)).toContain('erika@example.test');
    const [sealedAfter] = await rotated.encode([complaint]);
    expect(dec(sealedAfter!.metadata?.['encryption-key-id'])).toBe(keyIdOf(Buffer.alloc(32, 7)));
    await expect(new EncryptionCodec(oldKey).decode([sealedAfter!])).rejects.toThrow('payload sealed with key');
  });

  it('takes only 32-byte keys', () => {
    expect(() => new EncryptionCodec(Buffer.alloc(16))).toThrow('32 bytes');
    expect(() => new EncryptionCodec(key, [Buffer.alloc(31)])).toThrow('32 bytes');
  });
});

describe('the codec endpoint', () => {
  const token = randomBytes(32);
  const codec = new EncryptionCodec(randomBytes(32));
  const UI = 'http://127.0.0.1:8233';
  const lines: string[] = [];
  let clock = 1_900_000_000;
  let app: FastifyInstance;
  let body: string;
  const secretText = `Kundin erika-${randomBytes(4).toString('hex')}@example.test`;

  beforeAll(async () => {
    app = Fastify({ logger: false });
    codecRoutes(app, codec, { origins: [UI], token, log: (l) => lines.push(l), now: () => clock });
    await app.ready();
    const [sealed] = await codec.encode([{ metadata: { encoding: enc('json/plain') }, data: enc(secretText) }]);
    const b64 = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('base64');
    body = JSON.stringify({
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(sealed!.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
          data: b64(sealed!.data),
        },
      ],
    });
  });
  afterAll(() => app.close());

  const decode = (headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/decode', headers: { 'content-type': 'application/json', ...headers }, body });
  const opened = (payload: string): string => {
    const out = JSON.parse(payload) as { payloads: Array<{ data: string }> };
    return Buffer.from(out.payloads[0]!.data, 'base64').toString();
  };

  it('refuses a decode without credentials, with or without an Origin, and says nothing of the payload', async () => {
    for (const headers of [{}, { origin: UI }] as Array<Record<string, string>>) {
      const res = await decode(headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain(secretText);
    }
    expect(lines.at(-1)).toMatch(/refused POST \/decode without valid credentials \(origin http:\/\/127\.0\.0\.1:8233/);
  });

  it('refuses a wrong or malformed bearer token', async () => {
    for (const auth of [
      `Bearer ${randomBytes(32).toString('hex')}`,
      `Bearer ${token.toString('hex').slice(2)}`,
      'Basic x',
    ]) {
      expect((await decode({ authorization: auth })).statusCode).toBe(401);
    }
  });

  it('decodes for the bearer token (hex or base64) and logs who and how many, never the content', async () => {
    for (const spelled of [token.toString('hex'), token.toString('base64')]) {
      const res = await decode({ authorization: `Bearer ${spelled}` });
      expect(res.statusCode).toBe(200);
      expect(opened(res.body)).toBe(secretText);
    }
    expect(lines.at(-1)).toMatch(/^codec: decode of 1 payload for bearer token \(origin none, client /);
    expect(lines.join('\n')).not.toContain(secretText);
  });

  it('answers preflights of the Web UI, and refuses other origins even with the token', async () => {
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/decode',
      headers: { origin: UI, 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(UI);
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    const evil = await decode({ origin: 'http://evil.example', authorization: `Bearer ${token.toString('hex')}` });
    expect(evil.statusCode).toBe(403);
  });

  it('gives a browser a SameSite=Strict session for the token, which expires and cannot be forged', async () => {
    const form = (t: string) =>
      app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${encodeURIComponent(t)}`,
      });
    const wrong = await form(randomBytes(32).toString('hex'));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const ok = await form(token.toString('hex'));
    expect(ok.statusCode).toBe(200);
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(
      new RegExp(`^${CODEC_COOKIE}=v1\\.\\d+\\.[\\w-]+; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict$`),
    );
    const session = cookie.split(';')[0]!;
    const res = await decode({ origin: UI, cookie: session });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(opened(res.body)).toBe(secretText);
    expect(lines.at(-1)).toMatch(/for browser session \(origin http:\/\/127\.0\.0\.1:8233/);
    // Another expiry with the same MAC, or the MAC of another token: refused.
    const [, expires, mac] = session.split('=')[1]!.split('.');
    expect((await decode({ cookie: `${CODEC_COOKIE}=v1.${Number(expires) + 3600}.${mac}` })).statusCode).toBe(401);
    expect((await decode({ cookie: `${CODEC_COOKIE}=v1.${expires}.${'A'.repeat(43)}` })).statusCode).toBe(401);
    clock += 12 * 3600;
    expect((await decode({ origin: UI, cookie: session })).statusCode).toBe(401);
  });

  it('keeps /encode (the Web UI seals signal input with it) behind the same credentials', async () => {
    const plain = JSON.stringify({ payloads: [{ metadata: { encoding: btoa('json/plain') }, data: btoa('{}') }] });
    const post = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/encode',
        headers: { 'content-type': 'application/json', ...headers },
        body: plain,
      });
    expect((await post({})).statusCode).toBe(401);
    const res = await post({ authorization: `Bearer ${token.toString('hex')}` });
    expect(res.statusCode).toBe(200);
    const out = JSON.parse(res.body) as { payloads: Array<{ metadata: Record<string, string> }> };
    expect(Buffer.from(out.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
  });
});
