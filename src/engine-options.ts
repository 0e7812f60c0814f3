/**
 * {@link createEngine}'s options, and their check: a misspelt key (`workerURL`, `wokers`) left its default in place with
 * no sign of why, so a key the options do not take is refused as every engine call's are (src/model/options-check.ts),
 * and each value at its path.
 */
import { describeValue, InputError, type InputProblem } from './errors.js';
import { checkKernelLoadOptions, KERNEL_LOAD_OPTION_KINDS, type KernelLoadOptions, parsesAsUrl } from './kernels/wasm/load.js';
import type { MarginMethodPlugin } from './methods/method.js';
import { type OptionKinds, optionProblems } from './model/options-check.js';
import { isRecord } from './model/checks.js';
import type { MethodologyProfile } from './profiles/profile.js';

/** `backend`, `simd` and `wasmUrls` (where a page serves the .wasm files): see {@link KernelLoadOptions}. */
export interface EngineOptions extends KernelLoadOptions {
  /** Where the engine reports a fallback (once per event). Default: console.warn. */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * The margin methods the engine offers (default: the built-in ones, MARGIN_METHODS). Pass
   * `[...BUILT_IN_METHODS, myMethod]` to add a method of your own (src/methods/method.ts).
   */
  methods?: readonly MarginMethodPlugin[] | undefined;
  /**
   * The methodology profiles `options.profile` may name (default: the built-in ones, src/profiles/registry.ts). Pass
   * `[...BUILT_IN_PROFILES, myProfile]` to add one of your own.
   */
  profiles?: readonly MethodologyProfile[] | undefined;
  /**
   * Workers for {@link Engine.openShardedBook} (default 1: no pool, shards run in this thread): worker threads in Node
   * (piscina), Web Workers in browsers (dist/browser/scale-worker.js beside the bundle). Each gets the compiled WASM
   * module and makes its own instance. Call {@link Engine.close} when done. In a browser, createEngine resolves once
   * every Web Worker is ready, and rejects, naming the script's URL, when one does not start (docs/browser.md).
   */
  workers?: number | undefined;
  /**
   * Where the page serves the Web Workers' script, dist/browser/scale-worker.js (a string or URL; relative: to the
   * page), for a bundle that does not ship it beside itself (docs/browser.md, "With a bundler"). Default: `./scale-worker.js`
   * beside the bundle. Node's worker threads run dist/node/scale-worker.js and do not read it.
   */
  workerUrl?: string | URL | undefined;
}

/** Most worker threads one engine starts. */
export const MAX_WORKERS = 256;

/** {@link EngineOptions}' keys (src/model/options-check.ts). */
export const ENGINE_OPTION_KINDS: OptionKinds<EngineOptions> = {
  ...KERNEL_LOAD_OPTION_KINDS, onWarning: 'function', methods: 'any', profiles: 'any', workers: 'any', workerUrl: 'any',
};

/** Throws an InputError naming each option of `options` that createEngine cannot take, at its path (`options.workers`). */
export function checkEngineOptions(options: unknown): asserts options is EngineOptions {
  const problems = optionProblems(options, ENGINE_OPTION_KINDS);
  if (options !== undefined && !isRecord(options)) throw new InputError(problems);
  const o = (options ?? {}) as Record<string, unknown>;
  checkKernelLoadOptions(o, problems);
  const { workers, workerUrl, methods, profiles } = o;
  // a list given as one name (`methods: 'cross'`) was read as a list of undefined plug-ins
  if (methods !== undefined && !Array.isArray(methods)) problems.push({ path: 'options.methods', message: `expected an array of margin methods, got ${describeValue(methods)}` });
  if (profiles !== undefined && !Array.isArray(profiles)) problems.push({ path: 'options.profiles', message: `expected an array of profiles, got ${describeValue(profiles)}` });
  // each plug-in and profile in its shape: `[{}]` failed later with a TypeError or "unknown method undefined"
  if (Array.isArray(methods)) {
    if (methods.length === 0) problems.push({ path: 'options.methods', message: 'empty: an engine needs at least one margin method (leave the option out for the built-in ones)' });
    methods.forEach((m: unknown, k) => pluginProblems(m, `options.methods[${k}]`, problems));
  }
  if (Array.isArray(profiles)) profiles.forEach((p: unknown, k) => profileProblems(p, `options.profiles[${k}]`, problems));
  if (workers !== undefined && !(Number.isInteger(workers) && (workers as number) >= 1 && (workers as number) <= MAX_WORKERS)) {
    problems.push({ path: 'options.workers', message: `expected an integer from 1 to ${MAX_WORKERS}, got ${describeValue(workers)}` });
  }
  if (workerUrl !== undefined && !(typeof workerUrl === 'string' && workerUrl !== '') && !(typeof URL === 'function' && workerUrl instanceof URL)) {
    problems.push({ path: 'options.workerUrl', message: `expected a non-empty string or a URL, got ${describeValue(workerUrl)}` });
  } else if (typeof workerUrl === 'string' && !parsesAsUrl(workerUrl)) {
    problems.push({ path: 'options.workerUrl', message: `expected a URL (absolute, or relative to the page), got ${describeValue(workerUrl)}` });
  }
  if (problems.length > 0) throw new InputError(problems);
}

/** A margin method plug-in's shape (src/methods/method.ts): a name, a description, a section, and its two functions. */
function pluginProblems(m: unknown, path: string, problems: InputProblem[]): void {
  if (!isRecord(m)) {
    problems.push({ path, message: `expected a margin method plug-in (name, description, section, validateParams, prepare), got ${describeValue(m)}` });
    return;
  }
  if (typeof m.name !== 'string' || m.name === '') problems.push({ path: `${path}.name`, message: `expected a non-empty string, got ${describeValue(m.name)}` });
  if (typeof m.description !== 'string') problems.push({ path: `${path}.description`, message: `expected a string, got ${describeValue(m.description)}` });
  if (m.section !== null && typeof m.section !== 'string') problems.push({ path: `${path}.section`, message: `expected a string or null, got ${describeValue(m.section)}` });
  for (const fn of ['validateParams', 'prepare'] as const) {
    if (typeof m[fn] !== 'function') problems.push({ path: `${path}.${fn}`, message: `expected a function, got ${describeValue(m[fn])}` });
  }
}

/** A methodology profile's shape (src/profiles/profile.ts): its name, version and method, and its params an object. */
function profileProblems(p: unknown, path: string, problems: InputProblem[]): void {
  if (!isRecord(p)) {
    problems.push({ path, message: `expected a methodology profile (name, version, method, params), got ${describeValue(p)}` });
    return;
  }
  for (const key of ['name', 'version', 'method'] as const) {
    if (typeof p[key] !== 'string' || p[key] === '') problems.push({ path: `${path}.${key}`, message: `expected a non-empty string, got ${describeValue(p[key])}` });
  }
  if (!isRecord(p.params)) problems.push({ path: `${path}.params`, message: `expected an object of params, got ${describeValue(p.params)}` });
}
