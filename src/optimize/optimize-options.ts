/** engine.optimize's options, and their keys for the engine's check of a call's options. */
import { MARGIN_OPTION_KINDS, type MarginOptions } from '../margin/options.js';
import type { OptionKinds } from '../model/options-check.js';
import { RESTORE_OPTION_KINDS, type RestoreOptions } from './result.js';
import type { SolverLoadOptions } from './solver.js';

/** engine.optimize's options: the method and params as for margin, the account, the candidate hedges, the target. */
export interface OptimizeOptions extends MarginOptions, RestoreOptions {
  /** The account to restore (its id in the book). */
  account: string;
  /** Candidate hedges, JSON: `[{ instrument, spread, fee, maxQuantity, side }]` (src/optimize/hedges.ts). */
  hedges: unknown;
  /** Where the HiGHS solver's WASM comes from, when not beside the `highs` package (browsers). */
  solver?: SolverLoadOptions | undefined;
}

/** {@link OptimizeOptions}' keys (src/model/options-check.ts). */
export const OPTIMIZE_OPTION_KINDS: OptionKinds<OptimizeOptions> = { ...MARGIN_OPTION_KINDS, ...RESTORE_OPTION_KINDS, account: 'any', hedges: 'any', solver: 'any' };
