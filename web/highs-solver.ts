/**
 * dist/web/highs-solver.js: HiGHS (the npm package `highs`) for the risk page, as one classic script with its WASM
 * embedded (esbuild's binary loader), registering the module factory as `globalThis.marginCoreHighs` for
 * web/highs-loader.ts. The bytes are instantiated through the module's `instantiateWasm` hook
 * (src/optimize/solver.ts highsModuleOptions): a classic script has no `import.meta.url` to find highs.wasm beside it.
 */
import Module from 'highs';
import wasm from 'highs/runtime';
import { highsModuleOptions } from '../src/optimize/solver.js';

globalThis.marginCoreHighs = (options: object = {}) =>
  new Promise((resolve, reject) => {
    Module(highsModuleOptions({ ...options, wasmBinary: wasm }, reject) as never).then(resolve, reject);
  });
