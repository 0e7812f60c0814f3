import type { ColumnAllocator } from '../memory/columns.js';
import { Column } from '../memory/columns.js';
import type { GreeksColumnsIn } from '../model/greeks-validate.js';
import { type GreeksInput, type GreeksOutput, INPUT_F64_FIELDS as F64_INPUTS, OUTPUT_FIELDS as OUTPUTS } from '../model/greeks-types.js';
import { describeValue, InputError } from '../errors.js';

/** Options checked and priced per step (checked values are still in cache when priced). */
export const BATCH_CHUNK = 2048;

/** How a batch gets priced: by WASM on its own memory, or by the JS twin on the views. */
export interface BatchRunner {
  /**
   * Checks and prices options [start, end) of the batch, in place. Throws InputError naming the
   * first bad values (see checkGreeksChunk), before pricing anything of that chunk.
   */
  run(batch: GreeksBatch, start: number, end: number, columns: GreeksColumnsIn): void;
}

/**
 * A reusable batch of options whose input and output columns live where the kernels read them
 * (WASM linear memory on the WASM backend): fill `input` in place, call `run`, read `output`.
 * Nothing is copied. The arrays are views: they stay valid until the engine next allocates memory
 * (e.g. another batch is created); read them from the batch again after that.
 *
 * ```ts
 * const batch = engine.createGreeksBatch(10_000);
 * batch.input.spot.set(spots); // … strike, expiryYears, vol, rate, carry, isCall
 * const { price, delta } = batch.run();
 * ```
 */
export class GreeksBatch {
  private readonly isCallColumn: Column<'u8'>;
  private readonly inputColumns: Column<'f64'>[];
  private readonly outputColumns: Column<'f64'>[];
  /** Scratch for the kernel's 12 column pointers of the chunk being priced. */
  readonly args: Column<'i32'>;
  private released = false;

  constructor(
    readonly capacity: number,
    readonly allocator: ColumnAllocator,
    private readonly runner: () => BatchRunner,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new InputError([{ path: 'capacity', message: `expected a whole number of options ≥ 0, got ${capacity}` }]);
    // all or nothing: a batch too big for the memory gives back what it took, so the engine's other calls go on
    const taken: Column<'u8' | 'f64' | 'i32'>[] = [];
    const take = <K extends 'u8' | 'f64' | 'i32'>(type: K, length: number): Column<K> => {
      const column = Column.allocate(allocator, type, length);
      taken.push(column as Column<'u8' | 'f64' | 'i32'>);
      return column;
    };
    try {
      this.isCallColumn = take('u8', capacity);
      this.inputColumns = F64_INPUTS.map(() => take('f64', capacity));
      this.outputColumns = OUTPUTS.map(() => take('f64', capacity));
      this.args = take('i32', 12);
    } catch (error) {
      for (const column of taken) column.release();
      if (!(error instanceof RangeError)) throw error;
      const bytes = capacity * (1 + 8 * (F64_INPUTS.length + OUTPUTS.length));
      throw new InputError([{ path: 'capacity', message: `${capacity} options need ${bytes} bytes of columns, more than the memory can hold (${error.message}): use batches of fewer options` }]);
    }
  }

  /** Input views (carry starts at 0). */
  get input(): Required<GreeksInput> {
    this.assertLive();
    const [spot, strike, expiryYears, vol, rate, carry] = this.inputColumns.map((c) => c.array);
    return { isCall: this.isCallColumn.array, spot, strike, expiryYears, vol, rate, carry };
  }

  /** Output views, written by {@link run}. */
  get output(): GreeksOutput {
    this.assertLive();
    const [price, delta, gamma, vega, theta, rho] = this.outputColumns.map((c) => c.array);
    return { price, delta, gamma, vega, theta, rho };
  }

  /** Byte offset of input column `c` (0 = spot … 5 = carry) or, from 6, output column `c − 6`. */
  columnPtr(c: number): number {
    return c < 6 ? this.inputColumns[c].ptr : this.outputColumns[c - 6].ptr;
  }

  get isCallPtr(): number {
    return this.isCallColumn.ptr;
  }

  /**
   * Checks and prices the first `count` options in place (default: all), chunk by chunk; returns
   * the output views. Throws InputError naming the first bad values; outputs before them are written.
   */
  run(count: number = this.capacity): GreeksOutput {
    this.assertLive();
    if (!Number.isInteger(count) || count < 0 || count > this.capacity) {
      throw new InputError([{ path: 'count', message: `expected a whole number in [0, ${this.capacity}] (the batch's capacity), got ${describeValue(count)}` }]);
    }
    const columns: GreeksColumnsIn = { n: count, ...this.input };
    for (let start = 0; start < count; start += BATCH_CHUNK) {
      this.runner().run(this, start, Math.min(start + BATCH_CHUNK, count), columns);
    }
    return this.output;
  }

  /** Returns the memory to the engine; the batch cannot be used afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const c of [this.isCallColumn, ...this.inputColumns, ...this.outputColumns, this.args]) c.release();
  }

  private assertLive(): void {
    if (this.released) throw new Error('GreeksBatch used after release()');
  }
}
