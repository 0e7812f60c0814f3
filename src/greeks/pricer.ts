/**
 * Option Greeks alone: the kernels and nothing of the margin engine (no books, methods, liquidation, workers or LP
 * solver), for a page or service that only prices options. The same calls and bits as the engine's.
 *
 * ```ts
 * import { createPricer } from 'margin-core';
 * const pricer = await createPricer();
 * const { price, delta } = pricer.greeks({ isCall, spot, strike, expiryYears, vol, rate });
 * ```
 */
import type { BackendName } from '../kernels/backend-name.js';
import { checkKernelLoadOptions, consoleWarning, KERNEL_LOAD_OPTION_KINDS, type KernelLoadOptions, loadKernels } from '../kernels/wasm/load.js';
import { InputError } from '../errors.js';
import { type OptionKinds, optionProblems } from '../model/options-check.js';
import { isRecord } from '../model/checks.js';
import type { WasmKernels } from '../kernels/wasm/instance.js';
import { WasmSlot } from '../kernels/wasm/slot.js';
import type { GreeksBatch } from './batch.js';
import { GreeksCalls } from './run.js';
import type { GreeksInput, GreeksOutput } from '../model/greeks-types.js';

export interface PricerOptions extends KernelLoadOptions {
  /** Where the pricer reports a fallback (once per event). Default: console.warn. */
  onWarning?: ((message: string) => void) | undefined;
}

/** {@link PricerOptions}' keys (src/model/options-check.ts): a misspelt one is refused, not left at its default. */
export const PRICER_OPTION_KINDS: OptionKinds<PricerOptions> = { ...KERNEL_LOAD_OPTION_KINDS, onWarning: 'function' };

/** Batch Greeks on WASM (SIMD when supported) with the JS twin as fallback; see {@link createPricer}. */
export class GreeksPricer {
  private readonly slot: WasmSlot;
  private readonly calls: GreeksCalls;

  /** Prefer {@link createPricer}. */
  constructor(wasm: WasmKernels | undefined, options: { onWarning?: ((message: string) => void) | undefined; fallbackReason?: string | undefined } = {}) {
    this.slot = new WasmSlot(wasm, options.onWarning ?? consoleWarning, options.fallbackReason);
    this.calls = new GreeksCalls(this.slot);
  }

  /** The backend that will serve the next call. */
  get backend(): BackendName {
    const wasm = this.slot.current;
    return !wasm ? 'js' : wasm.flavour === 'simd' ? 'wasm-simd' : 'wasm-scalar';
  }

  /** Why the pricer runs on JS when WASM was wanted (undefined when it runs as requested). */
  get fallbackReason(): string | undefined {
    return this.slot.reason;
  }

  /** Prices a batch of European options; returns new arrays. Throws InputError on bad input. */
  greeks(input: GreeksInput): GreeksOutput {
    return this.calls.greeks(input);
  }

  /** Like {@link greeks} but writes into caller-provided arrays (no allocation); returns `out`. */
  greeksInto(input: GreeksInput, out: GreeksOutput): GreeksOutput {
    return this.calls.greeksInto(input, out);
  }

  /** A reusable zero-copy batch in the kernels' memory; see {@link GreeksBatch}. */
  createGreeksBatch(capacity: number): GreeksBatch {
    return this.calls.createGreeksBatch(capacity);
  }
}

/**
 * Creates a Greeks pricer: WASM (SIMD when the runtime validates it) unless `backend: 'js'`; with `'auto'` (default) a
 * WASM that cannot load falls back to the JS twin with one warning saying why, with `'wasm'` the promise rejects.
 */
export async function createPricer(options: PricerOptions = {}): Promise<GreeksPricer> {
  const problems = optionProblems(options, PRICER_OPTION_KINDS);
  if (isRecord(options)) checkKernelLoadOptions(options, problems);
  if (problems.length > 0) throw new InputError(problems);
  const warn = options.onWarning ?? consoleWarning;
  const loaded = await loadKernels(options, warn);
  return new GreeksPricer(loaded.wasm, { onWarning: warn, fallbackReason: loaded.reason });
}
