/**
 * The bundle a front end imports: the minified one-file browser build within its size budget, and the per-module build
 * (dist/browser/esm/, package.json `sideEffects: false`) tree-shaken by esbuild so a page that only prices options
 * carries the Greeks kernels and none of the engine (books, methods, liquidation, stress, workers, LP solver). Importing
 * the modules does nothing observable (no compile, no decode, no fetch, no timer, no global).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { browserBudget, GREEKS_PAGE, pageBundle, sizesOf } from '../bench/bundle-sizes.js';

const root = join(import.meta.dirname, '..');
const BROWSER_BUDGET = browserBudget(root);

test('the minified browser build is within its budget', () => {
  const got = sizesOf(readFileSync(join(root, 'dist', 'browser', 'margin-core.js')));
  expect(got.minified).toBeLessThanOrEqual(BROWSER_BUDGET.bundle.minified);
  expect(got.gzip).toBeLessThanOrEqual(BROWSER_BUDGET.bundle.gzip);
});

test('the package promises no side effects and points bundlers at the per-module build', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  expect(pkg.sideEffects).toBe(false);
  expect(pkg.exports['.'].browser).toBe('./dist/browser/esm/index.js');
  expect(pkg.exports['./greeks'].default).toBe('./dist/browser/esm/greeks/index.js');
});

/** The modules a Greeks-only page may hold: the Greeks façade, the loader and the kernels' twins, the memory columns. */
const GREEKS_MODULES = /^(greeks\/(index|pricer|run|batch|book-options|one-option)|model\/greeks-(types|limits|validate)|kernels\/wasm\/(binary|binary\.generated|instance|exports|load|memory|slot)|runtime|kernels\/js\/(kernels|bsm|elementary|normal)|memory\/(allocators|columns|free-list)|errors|model\/(checks|options-check))\.js$/;

test.each([
  ['margin-core/greeks', 'greeks-subpath', []],
  // the main entry reaches the Node worker pool and the optional packages through lazy imports a page never runs
  ['margin-core', 'greeks-main', ['node:*', 'piscina', 'ioredis', 'highs']],
])('a page importing createPricer from %s carries the Greeks kernels and nothing of the engine', async (from, name, external) => {
  const { bytes, modules } = await pageBundle(root, name, GREEKS_PAGE(from), external);
  const mine = [...modules.keys()].filter((m) => m !== `test-artifacts/bundle/${name}.js`);
  expect(mine.filter((m) => !GREEKS_MODULES.test(m))).toEqual([]);
  for (const needed of ['greeks/pricer.js', 'kernels/wasm/instance.js', 'kernels/js/bsm.js', 'kernels/wasm/binary.generated.js']) expect(modules.has(needed), needed).toBe(true);
  const got = sizesOf(bytes);
  expect(got.minified).toBeLessThanOrEqual(BROWSER_BUDGET.greeks.minified);
  expect(got.gzip).toBeLessThanOrEqual(BROWSER_BUDGET.greeks.gzip);
});

test('the same page with createEngine carries the engine (the check above can tell them apart)', async () => {
  const { modules } = await pageBundle(root, 'engine-main', `import { createEngine } from 'margin-core';\nconst engine = await createEngine();\nconsole.log(engine.backend);\n`, ['node:*', 'piscina', 'ioredis', 'highs']);
  for (const part of ['liquidation/', 'scale/', 'optimize/', 'methods/portfolio/']) expect([...modules.keys()].some((m) => m.startsWith(part)), part).toBe(true);
});

test('importing the browser modules does nothing observable', () => {
  // A fresh Node process: every global a module could act through is watched before the import.
  const script = `
    const calls = [];
    const watch = (owner, key, label) => { const f = owner[key]; owner[key] = function (...a) { calls.push(label); return f.apply(this, a); }; };
    for (const k of ['compile', 'instantiate', 'validate', 'compileStreaming', 'instantiateStreaming']) watch(WebAssembly, k, 'WebAssembly.' + k);
    for (const k of ['fetch', 'atob', 'setTimeout', 'setInterval', 'queueMicrotask']) watch(globalThis, k, k);
    for (const k of ['log', 'warn', 'error', 'info']) watch(console, k, 'console.' + k);
    const before = Object.getOwnPropertyNames(globalThis).sort().join();
    const lib = await import(${JSON.stringify(join(root, 'dist', 'browser', 'esm', 'index.js'))});
    await import(${JSON.stringify(join(root, 'dist', 'browser', 'esm', 'greeks', 'index.js'))});
    const after = Object.getOwnPropertyNames(globalThis).sort().join();
    const atImport = [...calls];
    await lib.createPricer(); // the watch does see work once the page asks for it
    process.stdout.write(JSON.stringify({ atImport, globals: before === after, atCreate: [...new Set(calls)].sort() }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  expect(out).toEqual({ atImport: [], globals: true, atCreate: ['WebAssembly.compile', 'WebAssembly.instantiate', 'WebAssembly.validate', 'atob'] });
});
