/**
 * Columns a call takes for its kernels (inputs copied in, outputs, scratch) and gives back together when it is done:
 * `release()` in a `finally`, so a kernel that throws leaks nothing.
 */
import { Column, type ColumnAllocator, type ColumnType } from './columns.js';

export class ScratchColumns {
  private readonly held: Column[] = [];

  constructor(private readonly allocator: ColumnAllocator) {}

  /** A column of `length` (zeroed, or with `cleared` false as the allocator leaves it: Column.allocate), held until {@link release}. */
  take<K extends ColumnType>(type: K, length: number, cleared = true): Column<K> {
    const c = Column.allocate(this.allocator, type, length, cleared);
    this.held.push(c);
    return c;
  }

  /** Gives back every column taken. */
  release(): void {
    while (this.held.length > 0) this.held.pop()!.release();
  }
}
