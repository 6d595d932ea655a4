// Contiguous cursor commit for a subscriber that has several events in flight at once (Kafka's
// "unordered" consumer mode): events are begun in log order, may finish in any order, and the
// durable cursor only moves to the highest position below which *everything* has finished. A crash
// then redelivers at most the in-flight window, never skips an unfinished event.
//
// Positions need not be numerically contiguous, only begun in increasing order: the cursor moves
// to the last finished position of the finished prefix.

export class ContiguousCommitTracker {
  /** Positions begun and not yet committed, in begin order (from `head`). */
  private positions: number[] = [];
  private done: boolean[] = [];
  private head = 0;
  private pending = 0;

  /** @param committed the position everything up to (and including) which is already done. */
  constructor(private committedPosition: number) {}

  /** Everything at or below this position has finished. */
  get committed(): number {
    return this.committedPosition;
  }

  /** Events begun and not finished. */
  get inFlight(): number {
    return this.pending;
  }

  /** Start tracking `position`; must be greater than every position begun before. */
  begin(position: number): void {
    const last = this.positions.length > this.head ? this.positions[this.positions.length - 1]! : this.committedPosition;
    if (!(position > last)) throw new RangeError(`position ${position} begun out of order (last ${last})`);
    this.positions.push(position);
    this.done.push(false);
    this.pending++;
  }

  /**
   * Mark `position` finished. Returns true when the committed position moved. Finishing an
   * unknown or already finished position is a no-op (false).
   */
  complete(position: number): boolean {
    const idx = this.indexOf(position);
    if (idx < 0 || this.done[idx]) return false;
    this.done[idx] = true;
    this.pending--;
    if (idx !== this.head) return false;
    while (this.head < this.positions.length && this.done[this.head]) {
      this.committedPosition = this.positions[this.head]!;
      this.head++;
    }
    this.compact();
    return true;
  }

  /** Binary search among the uncommitted positions (they are sorted). */
  private indexOf(position: number): number {
    let lo = this.head;
    let hi = this.positions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.positions[mid]!;
      if (p === position) return mid;
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private compact(): void {
    if (this.head === this.positions.length) {
      this.positions.length = 0;
      this.done.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.positions.length) {
      this.positions = this.positions.slice(this.head);
      this.done = this.done.slice(this.head);
      this.head = 0;
    }
  }
}
