/**
 * Layout benchmark: compile books of 10k and 100k accounts × 20 positions into columns, in WASM
 * linear memory and in heap buffers, and report time and bytes per position.
 *
 * Books: the instrument listing of a generated sample, with accounts synthesised at exactly 20
 * positions each (random listed instruments) plus two collateral balances, so the count is exact.
 * Timed: layoutBook only (validation is reported separately; a market is applied separately).
 * Run: npx esbuild bench/layout.ts --bundle --platform=node --format=esm --outfile=/tmp/lb.mjs, then a
 * driver that imports it and awaits layoutBench().
 */

import { Bench } from 'tinybench';
import { HeapAllocator, LinearMemoryAllocator } from '../src/memory/allocators.js';
import type { ColumnAllocator } from '../src/memory/columns.js';
import { applyMarket, layoutBook } from '../src/layout/index.js';
import type { Account, Book } from '../src/model/types.js';
import { validateBook, validateMarket } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import { Random } from '../src/sample/random.js';
import type { BenchTable } from './harness.js';

const POSITIONS_PER_ACCOUNT = 20;
const SIZES = [10_000, 100_000];
const HEAP_BASE = 1024;

export interface LayoutBenchRow {
  accounts: number;
  positions: number;
  allocator: 'linear' | 'heap';
  /** Mean (10k, tinybench) or median of 5 runs (100k, performance.now) of layoutBook into a warm allocator, ms. */
  layoutMs: number;
  /** The first layout into a fresh allocator (memory growth and the GC it triggers included), ms. */
  firstLayoutMs: number;
  /** validateBook on the same JSON objects, ms (one run). */
  validateMs: number;
  /** Bytes the allocator holds for the book columns, per position (capacity, slack, headroom and per-account columns included). */
  bookBytesPerPosition: number;
  /** Same, with the applied market columns added. */
  totalBytesPerPosition: number;
  /** Linear memory only: memory.buffer.byteLength after layout and market, per position. */
  linearMemoryBytesPerPosition: number | null;
}

export function syntheticBook(accounts: number, seed: number): { book: Book; market: unknown } {
  const sample = generateSample({ accounts: 10, seed });
  const rng = new Random(seed);
  const instruments = sample.book.instruments;
  const list: Account[] = new Array(accounts);
  for (let a = 0; a < accounts; a++) {
    const positions = new Array(POSITIONS_PER_ACCOUNT);
    for (let j = 0; j < POSITIONS_PER_ACCOUNT; j++) {
      positions[j] = { instrument: instruments[rng.int(0, instruments.length - 1)].id, quantity: rng.int(-50, 50) || 1, entryPrice: rng.between(1, 100_000) };
    }
    list[a] = { id: `acct-${a}`, positions, collateral: [{ asset: 'USDC', amount: rng.between(1e3, 1e6) }, { asset: 'BTC', amount: rng.between(0, 10) }] };
  }
  return { book: { instruments, accounts: list }, market: sample.market };
}

function makeAllocator(kind: 'linear' | 'heap'): { allocator: ColumnAllocator; memory: WebAssembly.Memory | null } {
  if (kind === 'heap') return { allocator: new HeapAllocator(), memory: null };
  const memory = new WebAssembly.Memory({ initial: 1 });
  return { allocator: new LinearMemoryAllocator(memory, HEAP_BASE), memory };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export interface LayoutBenchResult {
  positionsPerAccount: number;
  node: string;
  rows: LayoutBenchRow[];
}

export async function layoutBench(): Promise<LayoutBenchResult> {
  const rows: LayoutBenchRow[] = [];
  for (const accounts of SIZES) {
    const { book: json, market: marketJson } = syntheticBook(accounts, 7);
    const validateStart = performance.now();
    const book = validateBook(json);
    const validateMs = performance.now() - validateStart;
    const market = validateMarket(marketJson, book);
    const positions = accounts * POSITIONS_PER_ACCOUNT;
    for (const kind of ['linear', 'heap'] as const) {
      // One allocator per size, as an engine keeps one WASM instance: the first layout grows linear
      // memory (and V8 answers the growth with a full GC over the caller's heap); later layouts
      // reuse the released space. Both are reported.
      const { allocator, memory } = makeAllocator(kind);
      const coldStart = performance.now();
      layoutBook(book, allocator).release();
      const firstLayoutMs = performance.now() - coldStart;
      let layoutMs: number;
      if (accounts <= 10_000) {
        const bench = new Bench({ time: 500, iterations: 10 });
        bench.add('layout', () => layoutBook(book, allocator).release());
        await bench.run();
        const result = bench.tasks[0].result;
        layoutMs = result.state === 'completed' ? result.latency.mean : NaN;
      } else {
        // Runs of ~100 ms or more: a few timed runs, median.
        const times: number[] = [];
        for (let run = 0; run < 5; run++) {
          const started = performance.now();
          const layout = layoutBook(book, allocator);
          times.push(performance.now() - started);
          layout.release();
        }
        layoutMs = median(times);
      }
      const layout = layoutBook(book, allocator);
      const bookBytes = allocator.bytesInUse;
      applyMarket(layout, market);
      rows.push({
        accounts,
        positions,
        allocator: kind,
        layoutMs: round(layoutMs, 1),
        firstLayoutMs: round(firstLayoutMs, 1),
        validateMs: round(validateMs, 1),
        bookBytesPerPosition: round(bookBytes / positions, 1),
        totalBytesPerPosition: round(allocator.bytesInUse / positions, 1),
        linearMemoryBytesPerPosition: memory ? round(memory.buffer.byteLength / positions, 1) : null,
      });
      layout.release();
    }
  }
  return { positionsPerAccount: POSITIONS_PER_ACCOUNT, node: process.version, rows };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

export function layoutTables(result: LayoutBenchResult): BenchTable[] {
  return [{ caption: `Book layout: ${result.positionsPerAccount} positions per account`, rows: result.rows.map((r) => ({ ...r, linearMemoryBytesPerPosition: r.linearMemoryBytesPerPosition ?? '' })) }];
}
