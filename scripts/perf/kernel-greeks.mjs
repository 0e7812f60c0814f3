// Kernel-only throughput of bsmGreeks on data already in WASM memory (no validation, no copies).
// Usage: node scripts/perf/kernel-greeks.mjs   (after `node scripts/build.mjs --wasm-only`)
// Prints the best of 7 runs per build, in ns/option, so noise from a busy machine matters less.
import { CHUNK, stageGreeks } from './greeks-setup.mjs';
const n = 1 << 20;
for (const flavour of ['simd', 'scalar']) {
  const { exports: ex, scratch, run: runN } = await stageGreeks(new URL(`../../build/margin-core.${flavour}.wasm`, import.meta.url));
  const run = () => runN(n);
  for (let k = 0; k < 3; k++) run();
  let t = Infinity;
  for (let k = 0; k < 7; k++) { const t0 = performance.now(); run(); t = Math.min(t, performance.now() - t0); }
  // math batch on a chunk
  const runExp = () => { for (let i = 0; i < n; i += CHUNK) ex.mathBatch(0, scratch.input, scratch.output, CHUNK); };
  for (let k = 0; k < 3; k++) runExp();
  let te = Infinity;
  for (let k = 0; k < 7; k++) { const t1 = performance.now(); runExp(); te = Math.min(te, performance.now() - t1); }
  console.log(flavour, 'greeks', (t * 1e6 / n).toFixed(1), 'ns/opt; exp', (te * 1e6 / n).toFixed(2), 'ns');
}
