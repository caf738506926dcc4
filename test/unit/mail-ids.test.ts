import { describe, expect, it } from 'vitest';
import { bareAddress, displayAddress, domainOf, withDetail } from '../../activities/address.js';
import {
  formatEnvelopeId,
  formatMessageId,
  formatReplyAddress,
  ourCaseIds,
  parseEnvelopeId,
  parseOurRefs,
  staffThreadRoot,
  verifyReplyAddress,
} from '../../activities/mail-ids.js';
import { subkey } from '../../activities/keys.js';

const key = subkey('ab'.repeat(32), 'mail-ids');
const previous = subkey('cd'.repeat(32), 'mail-ids');
const ref = { caseId: '7K3M9QXA2B', seq: 2, kind: 'approval-request' };

describe('our Message-IDs', () => {
  it('round-trips: what we write parses back, verified with our key only', () => {
    const id = formatMessageId(key, ref, 'example.test');
    expect(id).toMatch(/^<7K3M9QXA2B\.2\.approval-request\.[0-9a-z]{16}@example\.test>$/);
    expect(formatMessageId(key, ref, 'example.test')).toBe(id); // a retried send keeps its id
    expect(parseOurRefs(`Re: ${id}`, 'example.test', [key])).toEqual([{ ...ref, verified: true }]);
    expect(parseOurRefs(id, 'EXAMPLE.test', [previous, key])[0]?.verified).toBe(true);
    expect(parseOurRefs(id, 'example.test', [previous])[0]?.verified).toBe(false);
    expect(ourCaseIds(id, 'example.test')).toEqual(['7K3M9QXA2B']);
  });
  it('does not verify a guessed id: the pattern a customer sees in their own mail, or another kind or case', () => {
    const guessed = '<7K3M9QXA2B.2.approval-request@example.test>';
    expect(parseOurRefs(guessed, 'example.test', [key])).toEqual([{ ...ref, verified: false }]);
    const mac = formatMessageId(key, ref, 'example.test').match(/\.([0-9a-z]{16})@/)![1];
    const otherKind = `<7K3M9QXA2B.2.reminder.${mac}@example.test>`;
    const otherCase = `<AAAAAAAAAA.2.approval-request.${mac}@example.test>`;
    expect(parseOurRefs(`${otherKind} ${otherCase}`, 'example.test', [key]).map((r) => r.verified)).toEqual([
      false,
      false,
    ]);
  });
  it('ignores ids of another domain', () => {
    expect(parseOurRefs(formatMessageId(key, ref, 'evil.example'), 'example.test', [key])).toEqual([]);
  });
  it('keeps the staff thread root plain (it grants nothing)', () => {
    expect(staffThreadRoot('7K3M9QXA2B', 'example.test')).toBe('<7K3M9QXA2B.case@example.test>');
  });
});

describe('envelope ids (RFC 3461 ENVID)', () => {
  it('round-trips through a delivery report; an unsigned one is found but not verified', () => {
    const envid = formatEnvelopeId(key, '7K3M9QXA2B', 3);
    expect(parseEnvelopeId(`Original-Envelope-Id: ${envid}\nStatus: 5.1.1`, [key])).toEqual({
      caseId: '7K3M9QXA2B',
      seq: 3,
      verified: true,
    });
    expect(parseEnvelopeId('Original-Envelope-Id: 7K3M9QXA2B.3', [key])).toEqual({
      caseId: '7K3M9QXA2B',
      seq: 3,
      verified: false,
    });
    expect(parseEnvelopeId(`Original-Envelope-Id: ${envid.replace('.3.', '.4.')}`, [key])?.verified).toBe(false);
    expect(parseEnvelopeId('Status: 5.1.1', [key])).toBeUndefined();
  });
});

describe('reply addresses', () => {
  const claims = {
    caseId: '7K3M9QXA2B',
    seq: 2,
    level: 0,
    approver: 'Sabine@Example.test',
    expiresAt: 2_000_000_000_000,
  };
  const now = 1_900_000_000_000;
  it('reaches the support mailbox as a subaddress of at most 64 characters, keeping the display name', () => {
    const a = formatReplyAddress(key, 'Kundenservice <support@example.test>', claims);
    expect(a).toMatch(/^Kundenservice <support\+r-7k3m9qxa2b-2-0-[0-9a-z]+-[0-9a-z]{16}@example\.test>$/);
    expect(bareAddress(a).split('@')[0]!.length).toBeLessThanOrEqual(64);
  });
  it('proves the mail came from the approver it was sent to, through that address, in time', () => {
    const a = bareAddress(formatReplyAddress(key, 'support@example.test', claims));
    expect(verifyReplyAddress([key], `"Support" <${a}>`, 'sabine@example.test', now)).toEqual({
      ok: true,
      caseId: '7K3M9QXA2B',
      seq: 2,
      level: 0,
    });
    // Mail systems may change the case of a local part.
    expect(verifyReplyAddress([previous, key], a.toUpperCase(), 'SABINE@example.test', now).ok).toBe(true);
  });
  it('refuses it from someone else, after expiry, changed, missing, or signed with another key', () => {
    const a = bareAddress(formatReplyAddress(key, 'support@example.test', claims));
    expect(verifyReplyAddress([key], a, 'kunde@example.test', now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyReplyAddress([key], a, 'sabine@example.test', 2_000_000_000_000)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyReplyAddress([key], a.replace('-2-0-', '-3-0-'), 'sabine@example.test', now).ok).toBe(false);
    expect(verifyReplyAddress([key], a.replace('-2-0-', '-2-1-'), 'sabine@example.test', now).ok).toBe(false);
    expect(verifyReplyAddress([key], 'support@example.test', 'sabine@example.test', now)).toEqual({
      ok: false,
      reason: 'no-reply-address',
    });
    expect(verifyReplyAddress([previous], a, 'sabine@example.test', now).ok).toBe(false);
  });
});

describe('address helpers', () => {
  it.each([
    ['Kundenservice <Support@Example.test>', 'support@example.test', 'example.test'],
    ['kunde@example.test', 'kunde@example.test', 'example.test'],
  ])('%s', (line, bare, domain) => {
    expect(bareAddress(line)).toBe(bare);
    expect(domainOf(line)).toBe(domain);
  });
  it('writes a display address without quotes or line breaks from the name', () => {
    expect(displayAddress({ name: 'Erika "E." Müller\r\nBcc: x@y', address: 'e@example.test' })).toBe(
      '"Erika E. MüllerBcc: x@y" <e@example.test>',
    );
    expect(displayAddress({ address: 'e@example.test' })).toBe('e@example.test');
    expect(withDetail('Support <support@example.test>', 'r-x')).toBe('support+r-x@example.test');
  });
});
