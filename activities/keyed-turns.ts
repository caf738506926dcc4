/**
 * One at a time per key, in the order asked, within this process: `turn(key)` resolves once every earlier turn of
 * that key has ended, with the function that ends this one. Keys without a turn under way hold no memory.
 */
export class KeyedTurns {
  private readonly tails = new Map<string, Promise<void>>();

  async turn(key: string): Promise<() => void> {
    const before = this.tails.get(key);
    let end!: () => void;
    const tail = new Promise<void>((resolve) => (end = resolve));
    this.tails.set(key, tail);
    await before;
    return () => {
      end();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }

  /** Keys with a turn under way or waiting (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
