import { describe, expect, it } from 'vitest';
import { StateCache } from '../../worker/link-server/state-cache.js';

/** A cache on a clock the test moves, and a loader that counts its calls. */
function setup(ttlMs = 3000, maxEntries = 1000) {
  let now = 0;
  const cache = new StateCache<string>(ttlMs, () => now, maxEntries);
  const calls: string[] = [];
  const load =
    (key: string, value = `${key}@${now}`) =>
    () => {
      calls.push(key);
      return Promise.resolve(value);
    };
  return { cache, calls, load, tick: (ms: number) => (now += ms) };
}

describe('the link server state cache', () => {
  it('answers repeated reads of one case within the TTL from one load, and loads again after it', async () => {
    const { cache, calls, load, tick } = setup();
    expect(await cache.get('A', load('A'))).toBe('A@0');
    tick(2999);
    expect(await cache.get('A', load('A'))).toBe('A@0');
    tick(1);
    expect(await cache.get('A', load('A'))).toBe('A@3000');
    expect(calls).toEqual(['A', 'A']);
  });
  it('shares one load between reads that arrive together', async () => {
    const { cache, calls } = setup();
    let release: (v: string) => void = () => undefined;
    const pending = new Promise<string>((resolve) => (release = resolve));
    const reads = [cache.get('A', () => (calls.push('A'), pending)), cache.get('A', () => (calls.push('A'), pending))];
    release('state');
    expect(await Promise.all(reads)).toEqual(['state', 'state']);
    expect(calls).toEqual(['A']);
  });
  it('keeps cases apart, and forgets one case after a write', async () => {
    const { cache, calls, load, tick } = setup();
    await cache.get('A', load('A'));
    await cache.get('B', load('B'));
    tick(10);
    cache.forget('A');
    expect(await cache.get('A', load('A'))).toBe('A@10');
    expect(await cache.get('B', load('B'))).toBe('B@0');
    expect(calls).toEqual(['A', 'B', 'A']);
  });
  it('does not keep a load that was forgotten while it ran (a write in between)', async () => {
    const { cache, calls, load } = setup();
    let release: (v: string) => void = () => undefined;
    const before = cache.get('A', () => new Promise<string>((resolve) => (release = resolve)));
    cache.forget('A');
    release('stale');
    expect(await before).toBe('stale');
    expect(await cache.get('A', load('A', 'fresh'))).toBe('fresh');
    expect(calls).toEqual(['A']);
  });
  it('does not remember a failed load', async () => {
    const { cache, load } = setup();
    await expect(cache.get('A', () => Promise.reject(new Error('unavailable')))).rejects.toThrow('unavailable');
    expect(await cache.get('A', load('A', 'ok'))).toBe('ok');
  });
  it('stays bounded: the oldest entries go first, and expired ones with them', async () => {
    const { cache, load, tick } = setup(3000, 3);
    for (const key of ['A', 'B', 'C', 'D']) {
      await cache.get(key, load(key));
      tick(1);
    }
    expect(cache.size).toBe(3);
    tick(5000);
    await cache.get('E', load('E'));
    expect(cache.size).toBe(1);
  });
});
