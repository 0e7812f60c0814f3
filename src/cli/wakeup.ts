/**
 * A thread's side waiting for the other's messages (read-ahead.ts, report-writer.ts): one waiter at a time, woken by
 * the next message, then checking what it waits for again.
 */
export class Wakeup {
  private wake: (() => void) | undefined;

  /** Wakes the waiter, if any. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves at the next {@link notify}. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }
}
