// A/B kernel-only timing of bsmGreeks for several .wasm files, runs interleaved so that load from a
// shared machine hits all of them alike. Prints the best (and median) ns/option per file.
// Usage: node scripts/perf/ab-greeks.mjs a.wasm b.wasm ... [--rounds 15]
import { stageGreeks } from './greeks-setup.mjs';
const argv = process.argv.slice(2);
const ri = argv.indexOf('--rounds');
const rounds = ri >= 0 ? Number(argv.splice(ri, 2)[1]) : 15;
const n = 1 << 19;
const setups = [];
for (const file of argv) {
  const staged = await stageGreeks(file);
  const run = () => staged.run(n);
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
