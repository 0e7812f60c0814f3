import { LinearMemoryAllocator } from '../../memory/allocators.js';
import { Column } from '../../memory/columns.js';
import { type GreeksOutput, INPUT_F64_FIELDS as F64_INPUTS, OUTPUT_FIELDS as OUTPUTS } from '../../model/greeks-types.js';
import { checkGreeksChunk, type GreeksColumnsIn, RANGES_IN_FIELD_ORDER } from '../../model/greeks-validate.js';
import { compileKernels, type WasmFlavour, type WasmUrls } from './binary.js';
import { type KernelExports, MathOp, type MathOpName } from './exports.js';
import { kernelImports } from './memory.js';

/**
 * Options per staging chunk. Inputs and outputs of a chunk (~200 KB) stay in L2 while the kernel
 * runs, and staging never grows memory on the hot path.
 */
export const GREEKS_CHUNK = 2048;

/**
 * One live WASM instance of the kernels with its own memory. If a call traps, the instance must be
 * thrown away (its memory may be inconsistent); the engine does that and falls back to JS.
 */
export class WasmKernels {
  readonly allocator: LinearMemoryAllocator;
  private readonly stageIsCall: Column<'u8'>;
  private readonly stageArgs: Column<'i32'>;
  private readonly stageColumns: Column<'f64'>[];
  /** The accepted input ranges, for the kernel-side range check. */
  private readonly ranges: Column<'f64'>;

  private constructor(
    readonly flavour: WasmFlavour,
    private readonly exports: KernelExports,
  ) {
    this.allocator = new LinearMemoryAllocator(exports.memory, exports.heapBase());
    this.stageIsCall = Column.allocate(this.allocator, 'u8', GREEKS_CHUNK);
    this.stageArgs = Column.allocate(this.allocator, 'i32', 12);
    this.stageColumns = Array.from({ length: 12 }, () => Column.allocate(this.allocator, 'f64', GREEKS_CHUNK));
    this.stageArgs.array.set(this.stageColumns.map((c) => c.ptr));
    this.ranges = Column.allocate(this.allocator, 'f64', RANGES_IN_FIELD_ORDER.length);
    this.ranges.array.set(RANGES_IN_FIELD_ORDER);
  }

  /**
   * Compiles the flavour (once per realm; streamed from `load.urls` when given) and makes an instance with its own
   * memory, its Greeks kernels already run once (see {@link warmUp}).
   */
  static async create(flavour: WasmFlavour, load: { urls?: WasmUrls | undefined; onFallback?: ((message: string) => void) | undefined } = {}): Promise<WasmKernels> {
    const module = await compileKernels(flavour, load.urls?.[flavour], load.onFallback);
    const instance = await WebAssembly.instantiate(module, kernelImports());
    const kernels = new WasmKernels(flavour, instance.exports as unknown as KernelExports);
    kernels.warmUp();
    return kernels;
  }

  /**
   * Runs the range check and the Greeks kernel on one staging chunk of a canned option, so the engine compiles them
   * here and a first batch runs most of its chunks on optimised code. The staging columns are zeroed again after.
   * perf: chunked-batches (docs/performance.md)
   */
  private warmUp(): void {
    const columns = this.stageColumns;
    const canned = [100, 95, 0.5, 0.4, 0.03, 0.01]; // spot, strike, expiryYears, vol, rate, carry: inside every range
    for (let c = 0; c < 6; c++) columns[c].array.fill(canned[c]);
    const isCall = this.stageIsCall.array;
    for (let k = 0; k < GREEKS_CHUNK; k++) isCall[k] = k & 1;
    if (this.exports.checkGreeks(GREEKS_CHUNK, this.stageIsCall.ptr, this.stageArgs.ptr, this.ranges.ptr) >= 0) {
      throw new Error('internal: the WASM range check rejected the warm-up option');
    }
    this.exports.bsmGreeks(GREEKS_CHUNK, this.stageIsCall.ptr, this.stageArgs.ptr);
    for (const column of columns) column.array.fill(0);
    isCall.fill(0);
  }

  get memory(): WebAssembly.Memory {
    return this.exports.memory;
  }

  /**
   * The raw exports, for kernel modules beside this one (src/kernels/wasm/*.ts) that bind their own
   * entry points; callers must pass pointers from {@link allocator} only.
   */
  get raw(): KernelExports {
    return this.exports;
  }

  /**
   * Prices a batch in chunks: check a chunk's values (InputError on the first bad chunk), copy it in,
   * run the kernel in place, copy the results out.
   */
  greeks(input: GreeksColumnsIn, out: GreeksOutput): void {
    const columns = this.stageColumns;
    // no carry given: zero the staged carries the kernel reads (the first chunk's length; later chunks read fewer)
    if (!input.carry) columns[5].array.fill(0, 0, Math.min(input.n, GREEKS_CHUNK));
    for (let start = 0; start < input.n; start += GREEKS_CHUNK) {
      const end = Math.min(start + GREEKS_CHUNK, input.n);
      const count = end - start;
      copyIn(this.stageIsCall.array, input.isCall, start, end);
      for (let c = 0; c < 6; c++) {
        const column = input[F64_INPUTS[c]];
        if (column) copyIn(columns[c].array, column, start, end);
      }
      this.rejectInvalid(count, this.stageIsCall.ptr, this.stageArgs.ptr, input, start, end);
      this.exports.bsmGreeks(count, this.stageIsCall.ptr, this.stageArgs.ptr);
      for (let c = 0; c < 6; c++) copyOut(out[OUTPUTS[c]], columns[6 + c].array, start, count);
    }
  }

  /**
   * Runs the kernel on columns that already live in this instance's memory (zero copy):
   * `isCallPtr` → n bytes, `argsPtr` → 12 u32 column pointers (see assembly/pricing/bsm.ts).
   */
  greeksInPlace(n: number, isCallPtr: number, argsPtr: number): void {
    this.exports.bsmGreeks(n, isCallPtr, argsPtr);
  }

  /**
   * Range-checks n options in this instance's memory with the kernel (SIMD, ~1 ns/option; a JS pass
   * costs ~20). On a bad value, the TypeScript check builds the messages from `source` (options
   * [start, end) of the caller's columns) and throws InputError.
   */
  rejectInvalid(n: number, isCallPtr: number, argsPtr: number, source: GreeksColumnsIn, start: number, end: number): void {
    const bad = this.exports.checkGreeks(n, isCallPtr, argsPtr, this.ranges.ptr);
    if (bad < 0) return;
    checkGreeksChunk(source, start + bad, end);
    // Both checks use the same ranges; if they ever disagree, refuse rather than price bad data.
    throw new Error(`internal: the WASM range check rejected option ${start + bad} but the TypeScript check did not`);
  }

  /** Applies the kernels' own exp / log / N(x) element-wise (for accuracy and parity tests). */
  math(op: MathOpName, input: Float64Array): Float64Array {
    const inCol = Column.allocate(this.allocator, 'f64', input.length);
    const outCol = Column.allocate(this.allocator, 'f64', input.length);
    try {
      inCol.array.set(input);
      this.exports.mathBatch(MathOp[op], inCol.ptr, outCol.ptr, input.length);
      return outCol.array.slice();
    } finally {
      inCol.release();
      outCol.release();
    }
  }
}

/**
 * Below this many options a chunk is copied element by element: a subarray view per column (13 a call) costs more
 * than the copy for the few options of a small book (a one-account liquidation prices a handful).
 */
const SMALL_COPY = 64;

/** to[0, end − start) = from[start, end). */
function copyIn<T extends Float64Array | Uint8Array>(to: T, from: T, start: number, end: number): void {
  if (end - start >= SMALL_COPY) to.set(from.subarray(start, end));
  else for (let k = start; k < end; k++) to[k - start] = from[k];
}

/** to[start, start + count) = from[0, count). */
function copyOut(to: Float64Array, from: Float64Array, start: number, count: number): void {
  if (count >= SMALL_COPY) to.set(from.subarray(0, count), start);
  else for (let k = 0; k < count; k++) to[start + k] = from[k];
}
