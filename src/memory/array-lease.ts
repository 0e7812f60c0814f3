/**
 * Typed arrays a run needs for its own JS-side work (a portfolio run's slots, groups and add-on plan), lent from the
 * engine's heap (allocators.ts HeapAllocator `take`) and all given back by one {@link ArrayLease.release}: a book
 * margined chunk after chunk (the CLI) or call after call writes the same memory each time, instead of faulting in
 * fresh pages and leaving the old ones to the garbage collector. The arrays are not cleared (clearing costs about as
 * much as the pages it saves faulting in): their user writes every element before reading it, or asks for them
 * `cleared` (flags read before they are set). Without a heap (arrays kept past the run) they are plain new arrays, and
 * so are arrays of at most {@link SMALL_BYTES}: V8 keeps those in the JS heap, cheaper than any buffer (a new buffer is
 * about a microsecond: a run on one account lent three). perf: external-memory (docs/performance.md)
 */
import type { BufferPool } from './allocators.js';

/** Bytes up to which a typed array made with a length lives in the JS heap (V8's typed_array_max_size_in_heap). */
const SMALL_BYTES = 64;
/**
 * Bytes from which an array let go early is not kept by the heap: 8 MiB, above what a 100,000-account cascade's rounds
 * outgrow (kept, they are taken again round after round: perf: external-memory, docs/performance.md).
 */
export const DROP_MIN_BYTES = 8 * 1024 * 1024;

export class ArrayLease {
  private readonly lent: ArrayBuffer[] = [];

  /** `heap`: where the arrays are lent from (none: plain new arrays, the garbage collector's). */
  constructor(private readonly heap?: BufferPool) {}

  /** An Int32Array of `length` (contents unspecified unless `cleared`: all 0), valid until {@link release}. */
  i32(length: number, cleared = false): Int32Array {
    return this.heap === undefined || 4 * length <= SMALL_BYTES ? new Int32Array(length) : lent(new Int32Array(this.buffer(4 * length), 0, length), cleared);
  }

  /** A Float64Array of `length` (contents unspecified unless `cleared`: all 0), valid until {@link release}. */
  f64(length: number, cleared = false): Float64Array {
    return this.heap === undefined || 8 * length <= SMALL_BYTES ? new Float64Array(length) : lent(new Float64Array(this.buffer(8 * length), 0, length), cleared);
  }

  /** A Uint8Array of `length` (contents unspecified unless `cleared`: all 0), valid until {@link release}. */
  u8(length: number, cleared = false): Uint8Array {
    return this.heap === undefined || length <= SMALL_BYTES ? new Uint8Array(length) : lent(new Uint8Array(this.buffer(length), 0, length), cleared);
  }

  /**
   * Lets one lent array go before the run ends (an array outgrown, or scratch done with): none may use it after this.
   * Below {@link DROP_MIN_BYTES} it goes back to the heap, as at the release (a cascade's next round takes it again);
   * a larger one goes to the garbage collector, as the heap's spares would keep its pages: the generations a doubling
   * left behind, held until the release, added about 250 MB to a 1,000,000-account liquidation's peak.
   */
  drop(array: Int32Array | Float64Array | Uint8Array): void {
    const buffer = array.buffer as ArrayBuffer, at = this.lent.indexOf(buffer);
    if (at < 0) return;
    this.lent.splice(at, 1);
    if (buffer.byteLength < DROP_MIN_BYTES) this.heap?.give(buffer);
    else this.heap?.discard?.(buffer);
  }

  /** Gives every lent array back to the heap: none may be used after this. */
  release(): void {
    for (const buffer of this.lent) this.heap?.give(buffer);
    this.lent.length = 0;
  }

  private buffer(byteLength: number): ArrayBuffer {
    const buffer = this.heap!.take(byteLength);
    this.lent.push(buffer);
    return buffer;
  }
}

/** A lent array, cleared when asked (a new one is 0 already). */
function lent<T extends Int32Array | Float64Array | Uint8Array>(array: T, cleared: boolean): T {
  if (cleared) array.fill(0);
  return array;
}
