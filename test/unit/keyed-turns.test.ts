import { describe, expect, it } from 'vitest';
import { KeyedTurns } from '../../activities/keyed-turns.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('one turn at a time per key', () => {
  it('gives the turns of one key in the order asked, each after the one before ended', async () => {
    const turns = new KeyedTurns();
    const order: string[] = [];
    const take = async (name: string, key: string): Promise<() => void> => {
      const end = await turns.turn(key);
      order.push(name);
      return end;
    };
    const a = take('a', 'k');
    const b = take('b', 'k');
    const c = take('c', 'k');
    await tick();
    expect(order).toEqual(['a']);
    (await a)();
    await tick();
    expect(order).toEqual(['a', 'b']);
    (await b)();
    await tick();
    expect(order).toEqual(['a', 'b', 'c']);
    (await c)();
    expect(turns.size).toBe(0); // nothing kept once every turn of the key ended
  });

  it('lets other keys go on while one waits', async () => {
    const turns = new KeyedTurns();
    const endA = await turns.turn('a');
    const waiting = turns.turn('a');
    const endB = await turns.turn('b'); // not held up by a
    let got = false;
    void waiting.then(() => (got = true));
    await tick();
    expect(got).toBe(false);
    endB();
    endA();
    await tick();
    expect(got).toBe(true);
    (await waiting)();
    expect(turns.size).toBe(0);
  });
});
