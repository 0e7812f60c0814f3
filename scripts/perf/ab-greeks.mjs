// A/B kernel-only timing of bsmGreeks for several .wasm files, runs interleaved so that load from a
// shared machine hits all of them alike. Prints the best (and median) ns/option per file.
// Usage: node scripts/perf/ab-greeks.mjs a.wasm b.wasm ... [--rounds 15]
import { readFileSync } from 'node:fs';
const argv = process.argv.slice(2);
const ri = argv.indexOf('--rounds');
const rounds = ri >= 0 ? Number(argv.splice(ri, 2)[1]) : 15;
const n = 1 << 19;
const CH = 2048;
const setups = [];
for (const file of argv) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } });
  const ex = instance.exports;
  const base = (ex.heapBase() + 15) & ~15;
  ex.memory.grow(64);
  const buf = ex.memory.buffer;
  const isCall = base; const args = base + 4096; const cols = base + 8192;
  const u32 = new Uint32Array(buf, args, 12);
  for (let c = 0; c < 12; c++) u32[c] = cols + c * CH * 8;
  const f = (c) => new Float64Array(buf, cols + c * CH * 8, CH);
  let s = 7; const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const ic = new Uint8Array(buf, isCall, CH);
  // same option mix as kernel-greeks.mjs
  for (let i = 0; i < CH; i++) { ic[i] = r() < 0.5 ? 1 : 0; f(0)[i] = 100; f(1)[i] = 50 + 100 * r(); f(2)[i] = 0.01 + 2 * r(); f(3)[i] = 0.1 + 0.8 * r(); f(4)[i] = 0.05 * r(); f(5)[i] = 0.02 * r(); }
  const run = () => { for (let i = 0; i < n; i += CH) ex.bsmGreeks(CH, isCall, args); };
  for (let k = 0; k < 3; k++) run();
  setups.push({ file, run, times: [] });
}
for (let k = 0; k < rounds; k++) {
  for (const su of setups) { const t0 = performance.now(); su.run(); su.times.push((performance.now() - t0) * 1e6 / n); }
}
for (const su of setups) {
  su.times.sort((a, b) => a - b);
  console.log(`${su.file}: best ${su.times[0].toFixed(1)}  median ${su.times[su.times.length >> 1].toFixed(1)} ns/option`);
}
