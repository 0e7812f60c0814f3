/**
 * The Greeks calls of a façade (the engine, a Greeks pricer) over its WASM slot: validate shapes, price on the slot's
 * instance, and on a trap drop that instance and answer the call from the JS twin (the same bits).
 */
import { InputError } from '../errors.js';
import { JsKernels } from '../kernels/js/kernels.js';
import { bsmGreeksJs } from '../kernels/js/bsm.js';
import type { WasmSlot } from '../kernels/wasm/slot.js';
import { HeapAllocator } from '../memory/allocators.js';
import { type BatchRunner, GreeksBatch } from './batch.js';
import { allocateGreeksOutput, type GreeksInput, type GreeksOutput } from '../model/greeks-types.js';
import { checkGreeksChunk, checkGreeksOutput, checkGreeksShapes, type GreeksColumnsIn } from '../model/greeks-validate.js';

/** The Greeks of one façade: its slot and its JS twin. */
export class GreeksCalls {
  private readonly js = new JsKernels();

  constructor(private readonly slot: WasmSlot) {}

  /** Prices a batch of European options; returns new arrays. Throws InputError on bad input. */
  greeks(input: GreeksInput): GreeksOutput {
    const columns = checkGreeksShapes(input);
    const out = allocateGreeksOutput(columns.n);
    this.run(columns, out);
    return out;
  }

  /** Like {@link greeks} but writes into the caller's arrays; returns `out`. */
  greeksInto(input: GreeksInput, out: GreeksOutput): GreeksOutput {
    const columns = checkGreeksShapes(input);
    this.run(columns, checkGreeksOutput(out, columns.n));
    return out;
  }

  /** A reusable zero-copy batch in the kernels' memory (see {@link GreeksBatch}); it keeps working on JS after a trap. */
  createGreeksBatch(capacity: number): GreeksBatch {
    const slot = this.slot;
    const owner = slot.current;
    const js: BatchRunner = {
      run: (b, start, end, columns) => {
        checkGreeksChunk(columns, start, end);
        bsmGreeksJs({ ...b.input, ...b.output }, start, end);
      },
    };
    if (!owner) return new GreeksBatch(capacity, new HeapAllocator(), () => js);
    const wasm: BatchRunner = {
      run: (b, start, end, columns) => {
        try {
          const args = b.args.array;
          for (let c = 0; c < 12; c++) args[c] = b.columnPtr(c) + start * 8;
          owner.rejectInvalid(end - start, b.isCallPtr + start, b.args.ptr, columns, start, end);
          owner.greeksInPlace(end - start, b.isCallPtr + start, b.args.ptr);
        } catch (error) {
          if (error instanceof InputError) throw error;
          if (slot.current === owner) slot.discard(error);
          js.run(b, start, end, columns);
        }
      },
    };
    return new GreeksBatch(capacity, owner.allocator, () => (slot.current === owner ? wasm : js));
  }

  private run(columns: GreeksColumnsIn, out: GreeksOutput): void {
    const wasm = this.slot.current;
    if (wasm) {
      try {
        wasm.greeks(columns, out);
        return;
      } catch (error) {
        if (error instanceof InputError) throw error; // the input's fault, not the instance's
        this.slot.discard(error);
      }
    }
    this.js.greeks(columns, out);
  }
}
