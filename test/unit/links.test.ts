import { describe, expect, it } from 'vitest';
import { signLink, verifyLink, type LinkClaims } from '../../activities/links.js';

const secret = 'x'.repeat(40);
const claims: LinkClaims = { c: 'ABCDEFGHJK', a: 'supervisor@example.test', l: 0, p: 'decide', x: 2_000_000_000 };
const NOW = 1_900_000_000_000;

/** Every byte the token carries, decoded as text the way anyone holding the URL could. */
const decoded = (token: string): string =>
  token
    .split('.')
    .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
    .join(' ');

/** The token with one bit of byte `i` of its first part flipped, written canonically again. */
function flipBit(token: string, i: number): string {
  const [body, tag] = token.split('.') as [string, string];
  const bytes = Buffer.from(body, 'base64url');
  bytes[i] = bytes[i]! ^ 1;
  return `${bytes.toString('base64url')}.${tag}`;
}

describe('sealed links', () => {
  it('opens its own token and returns the sealed claims', () => {
    expect(verifyLink(secret, signLink(secret, claims), NOW)).toEqual({ ok: true, claims });
    const rating: LinkClaims = {
      c: 'ABCDEFGHJK',
      a: 'kunde@example.test',
      l: 0,
      p: 'feedback',
      r: 4,
      x: 2_000_000_000,
    };
    expect(verifyLink(secret, signLink(secret, rating), NOW)).toEqual({ ok: true, claims: rating });
  });
  it('shows neither the case nor the address to whoever holds the URL', () => {
    const token = signLink(secret, claims);
    for (const text of [token, decoded(token), decoded(token).toLowerCase()]) {
      expect(text).not.toContain(claims.c);
      expect(text.toLowerCase()).not.toContain('supervisor');
      expect(text).not.toContain('example.test');
    }
  });
  it('seals the same claims differently each time (a fresh nonce), and stays short enough for a mail', () => {
    const [one, two] = [signLink(secret, claims), signLink(secret, claims)];
    expect(one).not.toBe(two);
    // 12-byte nonce + claims as a JSON array + 16-byte tag, base64url: 115 characters for this address, where
    // the HMAC-signed JSON object before it took 151.
    expect(one.length).toBeLessThanOrEqual(120);
    const long = signLink(secret, { ...claims, a: `${'a'.repeat(64)}@${'b'.repeat(40)}.example` });
    expect(long.length).toBeLessThanOrEqual(250);
  });
  it('refuses a token sealed with another secret', () => {
    expect(verifyLink(secret, signLink('y'.repeat(40), claims), NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });
  it.each([0, 11, 12, 20, 40])('refuses the token with one bit flipped in byte %i (nonce or ciphertext)', (i) => {
    expect(verifyLink(secret, flipBit(signLink(secret, claims), i), NOW)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });
  it("refuses one token's body with another's tag, and a truncated tag", () => {
    const [bodyA] = signLink(secret, claims).split('.') as [string, string];
    const [, tagB] = signLink(secret, { ...claims, c: 'ZZZZZZZZZZ' }).split('.') as [string, string];
    expect(verifyLink(secret, `${bodyA}.${tagB}`, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    const short = Buffer.from(tagB, 'base64url').subarray(0, 12).toString('base64url');
    expect(verifyLink(secret, `${bodyA}.${short}`, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
  it('refuses claims made up in clear, as the signed tokens before sealing carried them', () => {
    const clear = Buffer.from(JSON.stringify(claims)).toString('base64url');
    expect(verifyLink(secret, `${clear}.${'A'.repeat(22)}`, NOW).ok).toBe(false);
  });
  it('refuses an expired token', () => {
    expect(verifyLink(secret, signLink(secret, claims), 2_000_000_000_000)).toEqual({ ok: false, reason: 'expired' });
  });
  it('refuses an authentic token of a purpose it does not know (malformed)', () => {
    const other = signLink(secret, { ...claims, p: 'unsubscribe' } as unknown as LinkClaims);
    expect(verifyLink(secret, other, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
  it.each(['', 'abc', 'a.b.c', '.x', 'x.'])('refuses malformed token %j', (token) => {
    expect(verifyLink(secret, token, NOW).ok).toBe(false);
  });
  it.each(['=', '!', '%3D', ' '])(
    'refuses the token with %j appended: only the canonical form is the token',
    (tail) => {
      const token = signLink(secret, claims);
      expect(verifyLink(secret, token, NOW).ok).toBe(true);
      expect(verifyLink(secret, `${token}${tail}`, NOW)).toEqual({ ok: false, reason: 'malformed' });
    },
  );
  it('keeps links of the previous secret open after a rotation, and seals only with the current one', () => {
    const old = signLink('y'.repeat(40), claims);
    expect(verifyLink([secret, 'y'.repeat(40)], old, NOW).ok).toBe(true);
    expect(verifyLink([secret], old, NOW).ok).toBe(false);
  });
});
