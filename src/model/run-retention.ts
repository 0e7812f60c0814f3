/**
 * What an engine keeps alive between its calls: the newest run of each class (a prepared margin run, a liquidation
 * run), until the next run of that class replaces it or {@link RunRetention.clear} drops it (`engine.close()`).
 * Sessions opened by one engine share its retention; a session constructed on its own has one of its own.
 * The memory held is one call's own objects, not the book's columns (the session releases those).
 * perf: keep-shapes (docs/performance.md)
 */
export class RunRetention {
  private readonly newest = new Map<abstract new (...args: never[]) => object, object>();

  /** Keeps `run` (and what it references) as the newest of its class; returns it. */
  keep<T extends object>(run: T): T {
    this.newest.set(run.constructor as abstract new (...args: never[]) => object, run);
    return run;
  }

  /** Runs kept now (one per class). */
  get size(): number {
    return this.newest.size;
  }

  /** Drops every kept run. */
  clear(): void {
    this.newest.clear();
  }
}
