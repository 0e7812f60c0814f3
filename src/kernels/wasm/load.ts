import { simdSupported, type WasmFlavour, type WasmUrls } from './binary.js';
import { WasmKernels } from './instance.js';
import { describeValue, type InputProblem } from '../../errors.js';
import { nearestName } from '../../model/checks.js';
import type { OptionKinds } from '../../model/options-check.js';

/** How a façade wants its kernels loaded (the shared part of createEngine's and createPricer's options). */
export interface KernelLoadOptions {
  /** `auto` (default): WASM if it loads (SIMD when supported), else JS. `wasm`: fail if WASM cannot load. `js`: never WASM. */
  backend?: 'auto' | 'wasm' | 'js' | undefined;
  /** Use the SIMD build when the runtime supports it (default true). `false` forces the scalar build. */
  simd?: boolean | undefined;
  /**
   * Where the page serves the `.wasm` files, to compile them while they download (see {@link WasmUrls}); default: the
   * bytes embedded in the bundle.
   */
  wasmUrls?: WasmUrls | undefined;
}

/** {@link KernelLoadOptions}' keys (src/model/options-check.ts). */
export const KERNEL_LOAD_OPTION_KINDS: OptionKinds<KernelLoadOptions> = { backend: 'any', simd: 'boolean', wasmUrls: 'any' };

/** Adds to `problems` the backend of `options` when it is not one of the three, at `options.backend`. */
export function checkKernelLoadOptions(options: KernelLoadOptions | Record<string, unknown>, problems: InputProblem[]): void {
  const backend = options.backend, urls = options.wasmUrls;
  if (backend !== undefined && backend !== 'auto' && backend !== 'wasm' && backend !== 'js') {
    problems.push({ path: 'options.backend', message: `expected 'auto', 'wasm' or 'js', got ${describeValue(backend)}` });
  }
  if (urls !== undefined && (typeof urls !== 'object' || urls === null || Array.isArray(urls))) {
    problems.push({ path: 'options.wasmUrls', message: `expected { simd, scalar } URLs, got ${describeValue(urls)}` });
  } else if (urls !== undefined) checkWasmUrls(urls as Record<string, unknown>, problems);
}

const WASM_FLAVOURS = ['simd', 'scalar'];

/** Each key of `wasmUrls` a flavour, each value a URL (a string that parses, absolute or relative to the page, or a URL). */
function checkWasmUrls(urls: Record<string, unknown>, problems: InputProblem[]): void {
  for (const [key, value] of Object.entries(urls)) {
    const path = `options.wasmUrls.${key}`;
    if (!WASM_FLAVOURS.includes(key)) {
      const near = nearestName(key, WASM_FLAVOURS);
      problems.push({ path, message: `unknown flavour${near ? ` (did you mean "${near}"?)` : ''}: expected simd or scalar` });
    } else if (value !== undefined && !(value instanceof URL) && !(typeof value === 'string' && value !== '' && parsesAsUrl(value))) {
      problems.push({ path, message: `expected a URL (absolute, or relative to the page), got ${describeValue(value)}` });
    }
  }
}

/** True when `text` is a URL, absolute or relative to a page. */
export function parsesAsUrl(text: string): boolean {
  try {
    new URL(text, 'http://page.invalid/');
    return true;
  } catch {
    return false;
  }
}

/** The loaded kernels: an instance, or none and why (the façade then serves from the JS twin). */
export type LoadedKernels = { wasm: WasmKernels; flavour: WasmFlavour; reason?: undefined } | { wasm?: undefined; flavour?: undefined; reason?: string | undefined };

/**
 * Loads the kernels as `options` ask. `backend: 'wasm'` rejects when WASM cannot load; `'auto'` returns the reason
 * instead; `'js'` loads nothing. `onWarning` hears about a stream that fell back to the embedded bytes.
 */
export async function loadKernels(options: KernelLoadOptions, onWarning: (message: string) => void): Promise<LoadedKernels> {
  const wanted = options.backend ?? 'auto'; // checked by the façade (checkKernelLoadOptions)
  if (wanted === 'js') return {};
  let flavour: WasmFlavour = 'scalar';
  try {
    if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available in this runtime');
    flavour = options.simd !== false && simdSupported() ? 'simd' : 'scalar';
    return { wasm: await WasmKernels.create(flavour, { urls: options.wasmUrls, onFallback: onWarning }), flavour };
  } catch (error) {
    if (wanted === 'wasm') throw new Error(`margin-core: could not load the ${flavour} WASM kernels: ${String(error)}`, { cause: error });
    return { reason: `WASM unavailable (${error instanceof Error ? error.message : String(error)}); using the JS backend` };
  }
}

/** The default warning sink: the console, prefixed. */
export function consoleWarning(message: string): void {
  console.warn(`margin-core: ${message}`);
}
