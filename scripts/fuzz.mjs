// The long run of the finite-or-InputError property (test/fuzz/property.ts): every call on fuzzed inputs across the
// domain, `--runs` runs per call on each backend, through vitest (the property is TypeScript test code).
//   node scripts/fuzz.mjs [--runs 10000] [--backends js,wasm-simd] [--seed 36]
// Prints each call's count of reports and of inputs refused at the door; exits non-zero on the first violation.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const runs = option('runs', '10000');
if (!/^[1-9]\d*$/.test(runs)) {
  process.stderr.write(`--runs: expected a positive whole number, got ${runs}\n`);
  process.exit(2);
}
const env = { ...process.env, FUZZ_RUNS: runs, FUZZ_BACKENDS: option('backends', 'js,wasm-simd'), FUZZ_SEED: option('seed', '36'), FUZZ_REPORT: '1' };
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', 'test/fuzz', '--reporter=dot'], { cwd: root, env, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
