/**
 * Fills, transfers and ticks against reports being copied (report-stream.ts): a copy takes the lock to read across
 * turns of the event loop, and a change waits until no copy holds it. Changes themselves run synchronously, one at a
 * time, so they need nothing more; what-ifs, checks and single accounts read the book as it stands and never wait.
 */
export class BookLock {
  private readers = 0;
  private waiting: (() => void)[] = [];

  /** Holds changes back until the returned release is called (once). */
  read(): () => void {
    this.readers++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.readers === 0) for (const wake of this.waiting.splice(0)) wake();
    };
  }

  /** Runs `change` once no copy holds the lock. */
  async change<T>(change: () => T): Promise<T> {
    while (this.readers > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return change();
  }

  /** True while a copy holds changes back. */
  get held(): boolean {
    return this.readers > 0;
  }
}
