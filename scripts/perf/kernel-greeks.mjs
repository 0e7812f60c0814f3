// Kernel-only throughput of bsmGreeks on data already in WASM memory (no validation, no copies).
// Usage: node scripts/perf/kernel-greeks.mjs   (after `node scripts/build.mjs --wasm-only`)
// Prints the best of 7 runs per build, in ns/option, so noise from a busy machine matters less.
import { readFileSync } from 'node:fs';
const n = 1 << 20;
for (const flavour of ['simd', 'scalar']) {
  const bytes = readFileSync(new URL(`../../build/margin-core.${flavour}.wasm`, import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error('abort'); } } });
  const ex = instance.exports;
  const base = (ex.heapBase() + 15) & ~15;
  const CH = 2048;
  ex.memory.grow(64);
  const buf = ex.memory.buffer;
  const isCall = base; const args = base + 4096; const cols = base + 8192;
  const u32 = new Uint32Array(buf, args, 12);
  for (let c = 0; c < 12; c++) u32[c] = cols + c * CH * 8;
  const f = (c) => new Float64Array(buf, cols + c * CH * 8, CH);
  let s = 7; const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const ic = new Uint8Array(buf, isCall, CH);
  for (let i = 0; i < CH; i++) { ic[i] = r() < 0.5 ? 1 : 0; f(0)[i] = 100; f(1)[i] = 50 + 100 * r(); f(2)[i] = 0.01 + 2 * r(); f(3)[i] = 0.1 + 0.8 * r(); f(4)[i] = 0.05 * r(); f(5)[i] = 0.02 * r(); }
  const run = () => { for (let i = 0; i < n; i += CH) ex.bsmGreeks(CH, isCall, args); };
  for (let k = 0; k < 3; k++) run();
  let t = Infinity;
  for (let k = 0; k < 7; k++) { const t0 = performance.now(); run(); t = Math.min(t, performance.now() - t0); }
  // math batch on a chunk
  const xin = cols, xout = cols + CH * 8;
  const runExp = () => { for (let i = 0; i < n; i += CH) ex.mathBatch(0, xin, xout, CH); };
  for (let k = 0; k < 3; k++) runExp();
  let te = Infinity;
  for (let k = 0; k < 7; k++) { const t1 = performance.now(); runExp(); te = Math.min(te, performance.now() - t1); }
  console.log(flavour, 'greeks', (t * 1e6 / n).toFixed(1), 'ns/opt; exp', (te * 1e6 / n).toFixed(2), 'ns');
}
