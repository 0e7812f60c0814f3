// Shared by the perf scripts: instantiates a kernels .wasm and stages one 2,048-option chunk (the
// option mix of bench/greeks.ts: strikes 50–150% of spot, 1 day to 2 years, vols 10–90%) in its
// memory, so `run(n)` prices n options kernel-only (no validation, no copies).
import { readFileSync } from 'node:fs';

export const CHUNK = 2048;

export async function stageGreeks(file) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } });
  const ex = instance.exports;
  const base = (ex.heapBase() + 15) & ~15;
  ex.memory.grow(64);
  const buf = ex.memory.buffer;
  const isCall = base;
  const args = base + 4096;
  const cols = base + 8192;
  const pointers = new Uint32Array(buf, args, 12);
  for (let c = 0; c < 12; c++) pointers[c] = cols + c * CHUNK * 8;
  const column = (c) => new Float64Array(buf, cols + c * CHUNK * 8, CHUNK);
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const calls = new Uint8Array(buf, isCall, CHUNK);
  for (let i = 0; i < CHUNK; i++) {
    calls[i] = rnd() < 0.5 ? 1 : 0;
    column(0)[i] = 100;
    column(1)[i] = 50 + 100 * rnd();
    column(2)[i] = 0.01 + 2 * rnd();
    column(3)[i] = 0.1 + 0.8 * rnd();
    column(4)[i] = 0.05 * rnd();
    column(5)[i] = 0.02 * rnd();
  }
  return {
    exports: ex,
    /** A scratch f64 region of CHUNK entries (the spot column) and one after it. */
    scratch: { input: cols, output: cols + CHUNK * 8 },
    run: (n) => {
      for (let i = 0; i < n; i += CHUNK) ex.bsmGreeks(CHUNK, isCall, args);
    },
  };
}
