import { describe, expect, it } from 'vitest';
import { signLink, verifyLink, type LinkClaims } from '../../activities/links.js';

const secret = 'x'.repeat(40);
const claims: LinkClaims = { c: 'ABCDEFGHJK', a: 'supervisor@example.test', l: 0, p: 'decide', x: 2_000_000_000 };

describe('signed decision links', () => {
  it('verifies its own token and returns the signed claims', () => {
    expect(verifyLink(secret, signLink(secret, claims), Date.now())).toEqual({ ok: true, claims });
  });
  it('refuses a token signed with another secret', () => {
    expect(verifyLink(secret, signLink('y'.repeat(40), claims), Date.now())).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });
  it('refuses a tampered payload (another case, same signature)', () => {
    const [, sig] = signLink(secret, claims).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, c: 'ZZZZZZZZZZ' })).toString('base64url');
    expect(verifyLink(secret, `${forged}.${sig}`, Date.now())).toEqual({ ok: false, reason: 'bad-signature' });
  });
  it('refuses an expired token', () => {
    expect(verifyLink(secret, signLink(secret, claims), 2_000_000_000_000)).toEqual({ ok: false, reason: 'expired' });
  });
  it.each(['', 'abc', 'a.b.c', '.x', 'x.'])('refuses malformed token %j', (token) => {
    expect(verifyLink(secret, token, Date.now()).ok).toBe(false);
  });
  it.each(['=', '!', '%3D', ' '])('refuses the token with %j appended: only the canonical form is the token', (tail) => {
    const token = signLink(secret, claims);
    expect(verifyLink(secret, token, Date.now()).ok).toBe(true);
    expect(verifyLink(secret, `${token}${tail}`, Date.now())).toEqual({ ok: false, reason: 'malformed' });
  });
  it('keeps links of the previous secret open after a rotation, and signs only with the current one', () => {
    const old = signLink('y'.repeat(40), claims);
    expect(verifyLink([secret, 'y'.repeat(40)], old, Date.now()).ok).toBe(true);
    expect(verifyLink([secret], old, Date.now()).ok).toBe(false);
  });
});
