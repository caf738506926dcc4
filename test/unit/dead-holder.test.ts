import { describe, expect, it } from 'vitest';
import { goneBecause, type Here } from '../../worker/dead-holder.js';

const here: Here = { host: 'box', pid: 100, startedAt: 1_000_000, alive: (pid) => pid === 100 || pid === 7 };

describe('goneBecause: which holder of a mailbox is certainly gone', () => {
  it('a process of this host that no longer runs', () => {
    expect(goneBecause({ identity: '42@box', startedAt: 5 }, here)).toBe('process 42 on box is not running');
  });
  it('not a process of this host that still runs', () => {
    expect(goneBecause({ identity: '7@box', startedAt: 5 }, here)).toBeUndefined();
  });
  it('not a holder on another host, nor an identity not of the form pid@host', () => {
    expect(goneBecause({ identity: '42@elsewhere', startedAt: 5 }, here)).toBeUndefined();
    expect(goneBecause({ identity: 'worker-a', startedAt: 5 }, here)).toBeUndefined();
    expect(goneBecause({ identity: undefined, startedAt: 5 }, here)).toBeUndefined();
  });
  it('this identity before this process started (a restarted container keeps host and pid), not after', () => {
    expect(goneBecause({ identity: '100@box', startedAt: 999_000 }, here)).toMatch(/before this process/);
    expect(goneBecause({ identity: '100@box', startedAt: 1_000_500 }, here)).toBeUndefined();
    expect(goneBecause({ identity: '100@box', startedAt: undefined }, here)).toBeUndefined();
  });
});
