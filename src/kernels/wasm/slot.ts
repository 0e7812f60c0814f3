import { WasmKernels } from './instance.js';

/** The most fresh instances a slot loads after traps: the trap after them leaves it on JS (the fourth, at 3). */
export const MAX_WASM_RECOVERIES = 3;

/**
 * The WASM instance a façade (the engine, a Greeks pricer) serves its calls from, and what a trap does to it: a failed
 * call leaves the instance unsafe, so the slot drops it (callers answer that call from the JS twin, bit-identical),
 * says why once, and loads a fresh instance in the background, up to {@link MAX_WASM_RECOVERIES} times.
 */
export class WasmSlot {
  private instance: WasmKernels | undefined;
  private why: string | undefined;
  private recoveries = 0;

  /** `reason`: why the slot starts empty when WASM was wanted (said once, here). */
  constructor(instance: WasmKernels | undefined, private readonly warn: (message: string) => void, reason?: string) {
    this.instance = instance;
    this.why = reason;
    if (reason) warn(reason);
  }

  /** The instance serving calls, or undefined while calls run on JS. */
  get current(): WasmKernels | undefined {
    return this.instance;
  }

  /** Why calls run on JS when WASM was wanted (undefined when WASM serves them). */
  get reason(): string | undefined {
    return this.why;
  }

  /** Drops the current instance after a failed call and reloads one in the background. */
  discard(error: unknown): void {
    const flavour = this.instance!.flavour;
    this.instance = undefined;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (this.recoveries >= MAX_WASM_RECOVERIES) {
      this.why = `WASM failed ${this.recoveries + 1} times (last: ${what}); staying on the JS backend`;
      this.warn(this.why);
      return;
    }
    this.recoveries++;
    this.why = `WASM failed (${what}); this call and those until a fresh instance loads run on JS`;
    this.warn(this.why);
    WasmKernels.create(flavour).then(
      (fresh) => {
        if (!this.instance) {
          this.instance = fresh;
          this.why = undefined;
        }
      },
      (reloadError: unknown) => {
        this.why = `WASM could not be reloaded (${String(reloadError)}); staying on the JS backend`;
        this.warn(this.why);
      },
    );
  }
}
