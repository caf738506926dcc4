/**
 * A few seconds of memory for each case's state: a page opened again and again (a mail scanner, reloads, a
 * flood of requests) costs Temporal one `caseState` query, not one per request. The promise is kept, so
 * requests arriving together share one query. Pure apart from the injected clock.
 */
export class StateCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Bounded: a client walking through many valid links cannot grow the map without limit. */
    private readonly maxEntries = 1000,
  ) {}

  /** The state of `key`, from memory when it is younger than the TTL, else from `load`. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit && at - hit.at < this.ttlMs) return hit.value;
    const entry = { at, value: load() };
    this.entries.delete(key); // re-inserted last: the map's order stays the age order eviction relies on
    this.entries.set(key, entry);
    // A failed query is not remembered: the next request asks again.
    void entry.value.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    this.evict(at);
    return entry.value;
  }

  /** Drops `key`: after a write the next read asks Temporal (and a query started before it is not kept). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(at: number): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && at - e.at < this.ttlMs) break;
      this.entries.delete(key);
    }
  }
}
