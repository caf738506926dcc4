import { describe, expect, it } from 'vitest';
import { caseIdFor, customerKey, normalizeMessageId } from '../../activities/identity.js';

describe('case identity', () => {
  it('derives the same ten-character id from the same Message-ID, however written', () => {
    const a = caseIdFor('<Abc.123@Example.test>', Buffer.from('one'));
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(caseIdFor(' abc.123@example.test ', Buffer.from('two'))).toBe(a);
  });
  it('differs for different mails', () => {
    expect(caseIdFor('<a@x>', Buffer.alloc(0))).not.toBe(caseIdFor('<b@x>', Buffer.alloc(0)));
  });
  it('falls back to a hash of the raw mail when there is no Message-ID', () => {
    expect(caseIdFor(undefined, Buffer.from('raw 1'))).toBe(caseIdFor('', Buffer.from('raw 1')));
    expect(caseIdFor(undefined, Buffer.from('raw 1'))).not.toBe(caseIdFor(undefined, Buffer.from('raw 2')));
  });
  it('normalizes Message-IDs', () => {
    expect(normalizeMessageId('<X@Y>')).toBe('x@y');
    expect(normalizeMessageId('  ')).toBeUndefined();
  });
  it('hashes the customer with a key: no address in search attributes', () => {
    const k = customerKey('s'.repeat(32), 'Erika@Example.test');
    expect(k).toBe(customerKey('s'.repeat(32), 'erika@example.test'));
    expect(k).not.toContain('erika');
    expect(k).not.toBe(customerKey('t'.repeat(32), 'erika@example.test'));
  });
});
