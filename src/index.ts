/**
 * margin-core: margin and risk kernels in WebAssembly with a bit-identical pure-JS fallback.
 *
 * ```ts
 * import { createEngine } from 'margin-core';
 * const engine = await createEngine();
 * const { price, delta } = engine.greeks({ isCall, spot, strike, expiryYears, vol, rate });
 * ```
 *
 * This entry is the application API: the engine, its sessions, validation, the reports and the parameters' types.
 * Beside it (docs/api.md): `margin-core/plugin` (what a margin method's author needs), `margin-core/scale` (shards and
 * transports), `margin-core/math` (normal distribution, correlation, EWMA, coin valuation), `margin-core/io` (venue
 * imports, Arrow IPC, columnar books and reports, price histories) and `margin-core/greeks` (the pricer alone, for pages).
 * etc/api/*.api.md lists each entry's names; test/architecture/api-report.test.ts keeps the lists current.
 */

// The engine
export { createEngine, Engine } from './engine.js';
export { InputError, type InputProblem } from './errors.js';
export { MissingDependencyError } from './optional-dependency.js';

// Greeks
export type { GreeksInput, GreeksOutput } from './model/greeks-types.js';
export { GreeksBatch } from './greeks/batch.js';
export { createPricer } from './greeks/pricer.js';

// What users write, and its validation
export type { Book, Account, Position, Instrument, CollateralBalance, Market, ValidatedBook, ValidatedMarket } from './model/types.js';
export { validateBook, validateMarket, validateInputs } from './model/validate.js';
export { generateSample } from './sample/generate.js';
export { syntheticHistoryFor } from './dynamic/synthetic-history.js';

// Sessions
export { MarginSession, type PreparedMarginRun } from './session/session.js';
export { LiveSession, type StatusChange } from './live/live-session.js';
export type { Tick } from './live/tick.js';
export type { Fill, Transfer, Trade } from './live/requests.js';

// Reports
export type { MarginReport, AccountMargin, MarginMethod as MarginMethodName } from './margin/report.js';
export { MARGIN_METHODS } from './methods/registry.js';
export { STATUS, type Status } from './margin/status.js';
export { accountColumns } from './margin/account-columns.js';
export type { LiquidationReport, AccountLiquidation } from './liquidation/report.js';
export type { StressReport } from './stress/report.js';
export type { Shock } from './stress/shock.js';
export type { BacktestReport } from './backtest/backtest.js';
export type { RestoreResult } from './optimize/restore.js';

// Parameters: each section's type, by section (their defaults: margin-core/plugin)
export type { ParamTypes } from './param-types.js';

// Methodology profiles
export { BUILT_IN_PROFILES } from './profiles/registry.js';
export type { MethodologyProfile } from './profiles/profile.js';
