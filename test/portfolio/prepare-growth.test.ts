import { describe, expect, test } from 'vitest';
import { applyMarket, layoutBook } from '../../src/layout/index.js';
import { HeapAllocator, LinearMemoryAllocator } from '../../src/memory/allocators.js';
import { Column, type ColumnAllocator } from '../../src/memory/columns.js';
import { validateInputs } from '../../src/model/validate.js';
import { PortfolioRun } from '../../src/methods/engines/scenario-grid/run.js';
import { validatePortfolioParams } from '../../src/methods/portfolio/validate.js';
import { generateSample } from '../../src/sample/index.js';

/** Linear memory that grows (and so detaches every earlier view) before each reservation. */
class GrowingAllocator implements ColumnAllocator {
  readonly linear = true;
  private readonly inner: LinearMemoryAllocator;
  growths = 0;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.inner = new LinearMemoryAllocator(memory, 1024);
  }

  bufferOf(): ArrayBuffer {
    return this.inner.bufferOf();
  }

  offsetOf(ptr: number): number {
    return this.inner.offsetOf(ptr);
  }

  reserve(byteLength: number, cleared?: boolean): number {
    this.memory.grow(1);
    this.growths++;
    return this.inner.reserve(byteLength, cleared);
  }

  release(ptr: number, byteLength: number): void {
    this.inner.release(ptr, byteLength);
  }

  get bytesInUse(): number {
    return this.inner.bytesInUse;
  }
}

function prepared(allocator: ColumnAllocator): { run: PortfolioRun; growthsDuringPrepare?: number } {
  const sample = generateSample({ accounts: 60, seed: 11 });
  const { book, market } = validateInputs(sample.book, sample.market);
  const layout = layoutBook(book, allocator);
  const marketLayout = applyMarket(layout, market);
  const marks = Column.allocate(allocator, 'f64', layout.instruments.count);
  marks.array.set(Array.from({ length: layout.instruments.count }, (_, i) => 100 + i));
  const before = allocator instanceof GrowingAllocator ? allocator.growths : 0;
  const run = PortfolioRun.prepare(layout, marketLayout, validatePortfolioParams({}), allocator, marks);
  return { run, growthsDuringPrepare: allocator instanceof GrowingAllocator ? allocator.growths - before : undefined };
}

describe('portfolio run preparation', () => {
  test('memory growth during prepare (views detached) leaves the same kernel inputs as heap columns', () => {
    // Regression: views taken before an allocation were written after it; on a grown WASM memory
    // those writes were lost (scenario moves left at 0) and reads gave undefined (marks → NaN rows).
    const heap = prepared(new HeapAllocator()).run;
    const grown = prepared(new GrowingAllocator(new WebAssembly.Memory({ initial: 1 })));
    expect(grown.growthsDuringPrepare).toBeGreaterThan(10);
    const a = heap.views(), b = grown.run.views();
    for (const k of Object.keys(a) as (keyof typeof a)[]) {
      if (k === 'logMove' || k === 'riskArray') continue; // written by the kernel
      expect(Array.from(b[k]), k).toEqual(Array.from(a[k]));
    }
    const ra = heap.reduceViews(), rb = grown.run.reduceViews();
    for (const k of ['groupStart', 'groupEnd', 'groupUnderlying', 'slotRow', 'slotScale', 'weight'] as const) {
      expect(Array.from(rb[k]), k).toEqual(Array.from(ra[k]));
    }
    // the scenario data really is there: the grid edge −16% opens every underlying's row
    expect(b.spotMove[0]).toBe(-0.16);
    expect(Array.from(grown.run.addOnTotal)).toEqual(Array.from(heap.addOnTotal));
  });
});
