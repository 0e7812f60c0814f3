/**
 * The account figures: one table of what every method reports for every account (equity, IM, MM, health, …), in the
 * row's key order. Everything that lists the figures is derived from it (figure-model.ts): the value types below,
 * the row builders (with and without master), the summary columns and their stride, the compact block a shard sends
 * (the figures read from a kernel column; the others are recomputed from them), the packed-row keys, the coin-margined
 * row's USD view (the money figures) and the report schema's part. Adding a figure is one line here, plus its formula
 * in derived-figures.ts when it is made from others.
 */
import type { Interval } from '../model/schema-builder.js';
import { efficiencyOf, excessOverMmOf, healthOf } from './derived-figures.js';

/** The kernels' per-account output columns a figure may be read from (src/kernels/js/margin.ts `MarginColumns`). */
export type FigureColumn = 'equity' | 'equityIm' | 'equityMm' | 'im' | 'mm' | 'gross' | 'collateralValue';

/** One figure of the table. */
export interface FigureSpec {
  /**
   * `money`: in the row's currency (USD, or a coin-margined row's margin asset), so the row's USD view converts it;
   * `ratio`: the same in any currency.
   */
  readonly unit: 'money' | 'ratio';
  /** A stored figure: the kernel output column it is read from (a compact block, what a shard sends, holds these). */
  readonly column?: FigureColumn | undefined;
  /** A coin-margined row's value of this stored figure is its cash (its balance of the margin asset). */
  readonly coinCash?: true | undefined;
  /** A derived figure: the two stored figures its formula reads, in order. */
  readonly of?: readonly [string, string] | undefined;
  /** A derived figure's formula (a pure function of the row's figures: the same bits wherever it is recomputed). */
  readonly formula?: ((x: number, y: number) => number) | undefined;
  /** The report schema's description and bounds for the figure; absent: the shared `$defs/figure` (a number or null). */
  readonly schema?: { readonly description?: string | undefined; readonly interval?: Interval | undefined } | undefined;
}

/**
 * The figures, in the row's key order. Money in USD, or in the row's `marginCurrency` (then `usd` converts it).
 * Each key's comment is the figure's documentation on {@link AccountMargin} (the types below map over these keys).
 */
export const FIGURE_TABLE = {
  /** Collateral value plus settled cash (`cashUsd`) plus mark-to-market of positions, before haircuts. */
  equity: { unit: 'money', column: 'equity' },
  /** Equity with IM haircuts and liability weights: compared with `im`. */
  equityIm: { unit: 'money', column: 'equityIm' },
  /** Equity with MM haircuts and liability weights: compared with `mm`. */
  equityMm: { unit: 'money', column: 'equityMm' },
  /** Initial margin: what the account must hold to open positions. */
  im: { unit: 'money', column: 'im' },
  /** Maintenance margin: below it the account is liquidatable. */
  mm: { unit: 'money', column: 'mm' },
  /**
   * equityMm / mm: below 1 the account is liquidatable (an mm below 1e-12 USD divides as 1e-12, so the ratio stays
   * finite: src/margin/derived-figures.ts). With no maintenance margin (mm = 0) the signed limit: +Infinity when
   * equityMm ≥ 0, −Infinity when equityMm < 0 (null in JSON: the sign is equityMm's).
   */
  health: { unit: 'ratio', of: ['equityMm', 'mm'], formula: healthOf },
  /** equityMm − mm: how much equity can be lost before liquidation. */
  excessOverMm: { unit: 'money', of: ['equityMm', 'mm'], formula: excessOverMmOf },
  /** Σ notional of positions. */
  grossNotional: { unit: 'money', column: 'gross' },
  /**
   * grossNotional / im (im at least 1e-12 USD): exposure carried per dollar of initial margin. Not applicable when
   * im = 0: Infinity (null in JSON).
   */
  efficiency: { unit: 'ratio', of: ['grossNotional', 'im'], formula: efficiencyOf },
  /** Collateral balances at their prices, before haircuts (a coin-margined row: its cash, in its margin asset). */
  collateralValue: { unit: 'money', column: 'collateralValue', coinCash: true },
} as const satisfies Record<string, FigureSpec>;

type Table = typeof FIGURE_TABLE;

/** The name of an account figure. */
export type FigureName = keyof Table;

/** An account's figures by name (each key's documentation is its table line's). */
export type AccountFigureValues = { -readonly [F in keyof Table]: number };

/** The figures in the row's currency: what a coin-margined row's USD view converts. */
export type MoneyFigure = { [F in keyof Table]: Table[F]['unit'] extends 'money' ? F : never }[keyof Table];

/** The figures read from a kernel column (a compact block's). */
export type StoredFigure = { [F in keyof Table]: Table[F] extends { column: FigureColumn } ? F : never }[keyof Table];
