/**
 * Ids with a time each, kept sorted by time: how many came after a moment is a binary search, not a pass over
 * them all. The acknowledgment budgets (ack-limit.ts) ask that once per new mail; with a pass over every case of
 * the last hour, a burst of 1,000 onto a namespace that had started 12,000 cases within the hour spent 2.3 s of the
 * worker's main thread in it (a CPU profile of bench/burst.ts on PostgreSQL). Pure.
 */
export class TimeWindow {
  /** Times ascending; `ids[i]` is the id at `times[i]`. */
  private readonly times: number[] = [];
  private readonly ids: string[] = [];
  private readonly at = new Map<string, number>();

  get size(): number {
    return this.at.size;
  }

  has(id: string): boolean {
    return this.at.has(id);
  }

  /** Sets `id`'s time (an id set again moves to its new time). */
  set(id: string, time: number): void {
    this.delete(id);
    const i = this.firstAfter(time);
    this.times.splice(i, 0, time);
    this.ids.splice(i, 0, id);
    this.at.set(id, time);
  }

  /**
   * Sets many at once with one sort instead of an insertion each: a listing comes newest first, so one by one each
   * would be inserted at the front, moving every later entry.
   */
  setMany(entries: Iterable<[string, number]>): void {
    const fresh = new Map<string, number>();
    for (const [id, time] of entries) {
      if (this.at.has(id)) this.delete(id);
      fresh.set(id, time);
    }
    if (fresh.size === 0) return;
    const merged = this.ids.map((id, i) => [id, this.times[i]!] as [string, number]).concat([...fresh]);
    merged.sort((a, b) => a[1] - b[1]);
    this.ids.length = 0;
    this.times.length = 0;
    for (const [id, time] of merged) {
      this.ids.push(id);
      this.times.push(time);
      this.at.set(id, time);
    }
  }

  delete(id: string): void {
    const time = this.at.get(id);
    if (time === undefined) return;
    for (let i = this.firstAtOrAfter(time); i < this.times.length && this.times[i] === time; i++) {
      if (this.ids[i] !== id) continue;
      this.times.splice(i, 1);
      this.ids.splice(i, 1);
      break;
    }
    this.at.delete(id);
  }

  /** How many ids have a time after `time`. */
  countAfter(time: number): number {
    return this.times.length - this.firstAfter(time);
  }

  /** Removes every id whose time is `time` or earlier; returns them. */
  dropUpTo(time: number): string[] {
    const n = this.firstAfter(time);
    const dropped = this.ids.splice(0, n);
    for (const id of dropped) this.at.delete(id);
    this.times.splice(0, n);
    return dropped;
  }

  /** The index of the first time above `time`. */
  private firstAfter(time: number): number {
    return this.firstWhere((t) => t > time);
  }

  /** The index of the first time at or above `time`. */
  private firstAtOrAfter(time: number): number {
    return this.firstWhere((t) => t >= time);
  }

  /** The index of the first time for which `from` holds (it holds from there on: the times ascend). */
  private firstWhere(from: (t: number) => boolean): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (from(this.times[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
