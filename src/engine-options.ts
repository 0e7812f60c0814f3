/**
 * {@link createEngine}'s options, and their check: a misspelt key (`workerURL`, `wokers`) left its default in place with
 * no sign of why, so a key the options do not take is refused as every engine call's are (src/model/options-check.ts),
 * and each value at its path.
 */
import { describeValue, InputError } from './errors.js';
import { checkKernelLoadOptions, KERNEL_LOAD_OPTION_KINDS, type KernelLoadOptions } from './kernels/wasm/load.js';
import type { MarginMethodPlugin } from './methods/method.js';
import { type OptionKinds, optionProblems } from './model/options-check.js';
import { isRecord } from './model/checks.js';
import type { MethodologyProfile } from './profiles/profile.js';

/** `backend`, `simd` and `wasmUrls` (where a page serves the .wasm files): see {@link KernelLoadOptions}. */
export interface EngineOptions extends KernelLoadOptions {
  /** Where the engine reports a fallback (once per event). Default: console.warn. */
  onWarning?: (message: string) => void;
  /**
   * The margin methods the engine offers (default: the built-in ones, MARGIN_METHODS). Pass
   * `[...BUILT_IN_METHODS, myMethod]` to add a method of your own (src/methods/method.ts).
   */
  methods?: readonly MarginMethodPlugin[];
  /**
   * The methodology profiles `options.profile` may name (default: the built-in ones, src/profiles/registry.ts). Pass
   * `[...BUILT_IN_PROFILES, myProfile]` to add one of your own.
   */
  profiles?: readonly MethodologyProfile[];
  /**
   * Workers for {@link Engine.openShardedBook} (default 1: no pool, shards run in this thread): worker threads in Node
   * (piscina), Web Workers in browsers (dist/browser/scale-worker.js beside the bundle). Each gets the compiled WASM
   * module and makes its own instance. Call {@link Engine.close} when done. In a browser, createEngine resolves once
   * every Web Worker is ready, and rejects, naming the script's URL, when one does not start (docs/browser.md).
   */
  workers?: number;
  /**
   * Where the page serves the Web Workers' script, dist/browser/scale-worker.js (a string or URL; relative: to the
   * page), for a bundle that does not ship it beside itself (docs/browser.md, "With a bundler"). Default: `./scale-worker.js`
   * beside the bundle. Node's worker threads run dist/node/scale-worker.js and do not read it.
   */
  workerUrl?: string | URL;
}

/** Most worker threads one engine starts. */
export const MAX_WORKERS = 256;

/** {@link EngineOptions}' keys (src/model/options-check.ts). */
export const ENGINE_OPTION_KINDS: OptionKinds<EngineOptions> = {
  ...KERNEL_LOAD_OPTION_KINDS, onWarning: 'any', methods: 'any', profiles: 'any', workers: 'any', workerUrl: 'any',
};

/** Throws an InputError naming each option of `options` that createEngine cannot take, at its path (`options.workers`). */
export function checkEngineOptions(options: unknown): asserts options is EngineOptions {
  const problems = optionProblems(options, ENGINE_OPTION_KINDS);
  if (options !== undefined && !isRecord(options)) throw new InputError(problems);
  const o = (options ?? {}) as Record<string, unknown>;
  checkKernelLoadOptions(o, problems);
  const { workers, workerUrl, methods, profiles, onWarning } = o;
  // a list given as one name (`methods: 'cross'`) was read as a list of undefined plug-ins
  if (methods !== undefined && !Array.isArray(methods)) problems.push({ path: 'options.methods', message: `expected an array of margin methods, got ${describeValue(methods)}` });
  if (profiles !== undefined && !Array.isArray(profiles)) problems.push({ path: 'options.profiles', message: `expected an array of profiles, got ${describeValue(profiles)}` });
  if (onWarning !== undefined && typeof onWarning !== 'function') problems.push({ path: 'options.onWarning', message: `expected a function, got ${describeValue(onWarning)}` });
  if (workers !== undefined && !(Number.isInteger(workers) && (workers as number) >= 1 && (workers as number) <= MAX_WORKERS)) {
    problems.push({ path: 'options.workers', message: `expected an integer from 1 to ${MAX_WORKERS}, got ${describeValue(workers)}` });
  }
  if (workerUrl !== undefined && !(typeof workerUrl === 'string' && workerUrl !== '') && !(typeof URL === 'function' && workerUrl instanceof URL)) {
    problems.push({ path: 'options.workerUrl', message: `expected a non-empty string or a URL, got ${describeValue(workerUrl)}` });
  }
  if (problems.length > 0) throw new InputError(problems);
}
