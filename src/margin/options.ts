/** The options of a margin call (every verb that margins takes them): the method, profile, params and how to read them. */
import type { OptionKinds } from '../model/options-check.js';
import type { MarginMethod } from './report.js';

/**
 * A margin method's name where a call takes one: a string literal must be a name of {@link MarginMethods} (a misspelt
 * `'portfolo'` is a compile error, with TypeScript's own did-you-mean); a value typed `string` (read from a file or a
 * command line) passes and is checked at run time: an InputError at `options.method` naming the nearest method. A
 * method of your own adds its name to MarginMethods by declaration merging, as the built-in methods do:
 * `declare module 'margin-core/plugin' { interface MarginMethods { mine: MyParams } }`.
 */
export type MethodName<M extends string> = string extends M ? M : M extends MarginMethod ? M : MarginMethod;

/** What the engine's calls add to their options' type: `method` checked as a {@link MethodName}. */
export interface CheckedMethod<M extends string> {
  method?: MethodName<M> | undefined;
}

export interface MarginOptions {
  /**
   * The margin method, by name: `isolated`, `cross` (the default), `portfolio`, `var`, `span`, `derive`
   * (MARGIN_METHODS), or a method the engine was created with. The engine's calls check a literal name at compile
   * time ({@link MethodName}).
   */
  method?: MarginMethod | (string & {}) | undefined;
  /**
   * A methodology profile by name (src/profiles/: `deribit`; `engine.profiles` lists them): its method, and its
   * parameters with `params` merged over them field by field. A `method` other than the profile's is an error.
   */
  profile?: string | undefined;
  /** Parameters as JSON, merged over the defaults (or over the profile's): the rule-based sections (src/margin/params.ts) and the method's own. */
  params?: unknown;
  /** Add per-position and per-collateral rows and the method's explain to every account. */
  breakdown?: boolean | undefined;
  /**
   * Unknown fields become warnings (`report.warnings`) instead of an InputError: in `params`, and in the
   * book and market when `engine.margin` validates them (a book or market validated before keeps the
   * options it was validated with).
   */
  lenient?: boolean | undefined;
  /** `engine.margin` / `compareMethods` validating JSON: replace a non-PSD correlation by the nearest one (see validateMarket). */
  repairCorrelation?: boolean | undefined;
  /**
   * Locations of `params.locations.at` frozen (a bridge halt, a venue stopping withdrawals): collateral held there
   * counts for neither IM nor MM (docs/locations.md). A stress shock's `freezeLocations` sets it.
   */
  frozenLocations?: readonly string[] | undefined;
}

/**
 * Internal, on a run of one method over a book whose accounts have methods of their own (src/subaccounts/policy.ts):
 * the rows of accounts holding located balances are kept from another run, so a method that allocates collateral
 * (isolated) is not refused for them (src/subaccounts/method-run-options.ts). A symbol: no caller's JSON can set it.
 */
export const LOCATED_ROWS_KEPT_ELSEWHERE: unique symbol = Symbol('margin-core: located rows kept from another run');

/** {@link MarginOptions}' keys, for the engine's check of a call's options (src/model/options-check.ts). */
export const MARGIN_OPTION_KINDS: OptionKinds<MarginOptions> = { method: 'any', profile: 'any', params: 'any', breakdown: 'boolean', lenient: 'boolean', repairCorrelation: 'boolean', frozenLocations: 'any' };

/**
 * The margin options of a verb's options (an optimisation's, a shard task's: they carry keys of their own), for the
 * margin run it prepares, which takes no other key.
 */
export function marginOptionsIn(options: MarginOptions): MarginOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(MARGIN_OPTION_KINDS)) if (Object.hasOwn(options, key)) out[key] = (options as Record<string, unknown>)[key];
  return out as MarginOptions;
}
