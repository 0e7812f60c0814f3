/**
 * Scratch objects kept between calls by their owner (an engine's RunRetention keeps one shelf per kind): a call made
 * once per account or per request takes one and gives it back when it ends, and the next call finds its arrays grown
 * and made already (a typed array of more than 64 bytes made anew costs about a microsecond: perf: external-memory,
 * docs/performance.md). A call inside a call takes another; a call that never ends (an abandoned stream) leaves its
 * own to the collector. What a taker reads of an object is its to write first: nothing of an ended call's state may show.
 */
export class Shelf<T> {
  private readonly spare: T[] = [];

  /** `make`: a new one when the shelf is empty; `kept`: how many given back are kept at most. */
  constructor(private readonly make: () => T, private readonly kept = 2) {}

  take(): T {
    return this.spare.pop() ?? this.make();
  }

  /** Gives `item` back (once: a second give of the same item is ignored); none of it may be used after this. */
  give(item: T): void {
    if (this.spare.length < this.kept && !this.spare.includes(item)) this.spare.push(item);
  }
}

/** A kind of scratch kept on shelves: how to make one, and how many given back are kept (it keys RunRetention.shelf). */
export interface ShelfKind<T> {
  readonly make: () => T;
  readonly kept?: number | undefined;
}
