/**
 * What an engine keeps alive between its calls: the newest run of each class (a prepared margin run, a liquidation
 * run), until the next run of that class replaces it or {@link RunRetention.clear} drops it (`engine.close()`); and
 * the scratch its runs give back for the next (a liquidation's step chooser, src/memory/shelf.ts), one shelf per kind.
 * Sessions opened by one engine share its retention; a session constructed on its own has one of its own.
 * The memory held is one call's own objects, not the book's columns (the session releases those).
 * perf: keep-shapes (docs/performance.md)
 */
import { Shelf, type ShelfKind } from '../memory/shelf.js';

export class RunRetention {
  private readonly newest = new Map<abstract new (...args: never[]) => object, object>();
  private readonly shelves = new Map<ShelfKind<unknown>, Shelf<unknown>>();

  /** Keeps `run` (and what it references) as the newest of its class; returns it. */
  keep<T extends object>(run: T): T {
    this.newest.set(run.constructor as abstract new (...args: never[]) => object, run);
    return run;
  }

  /** Runs kept now (one per class). */
  get size(): number {
    return this.newest.size;
  }

  /** The shelf of scratch of `kind` (made on first ask). */
  shelf<T>(kind: ShelfKind<T>): Shelf<T> {
    let shelf = this.shelves.get(kind) as Shelf<T> | undefined;
    if (shelf === undefined) this.shelves.set(kind, (shelf = new Shelf(kind.make, kind.kept)));
    return shelf;
  }

  /** Drops every kept run and shelf. */
  clear(): void {
    this.newest.clear();
    this.shelves.clear();
  }
}
