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
export { createEngine, Engine, type BackendName, type EngineOptions, type CollateralAllocation, type OptimizeOptions } from './engine.js';
export { InputError, type InputProblem } from './errors.js';
export { MissingDependencyError } from './optional-dependency.js';

// Greeks
export type { GreeksInput, GreeksOutput } from './model/greeks-types.js';
export { GreeksBatch } from './greeks/batch.js';
export { createPricer } from './greeks/pricer.js';

// What users write, and its validation
export type { Book, Account, Position, Instrument, CollateralBalance, Market, ValidatedBook, ValidatedMarket } from './model/types.js';
export { validateBook, validateMarket, validateInputs, type ValidationOptions } from './model/validate.js';
export { generateSample } from './sample/generate.js';
export { syntheticHistoryFor } from './dynamic/synthetic-history.js';

// Sessions
export { MarginSession, type MarginOptions, type PreparedMarginRun } from './session/session.js';
export type { LiveOptions } from './live/open-live.js';
export { LiveSession, type StatusChange, type UpdateResult, type WhatIfResult, type TransferResult } from './live/live-session.js';
export type { SubaccountTransfer } from './live/subaccount-transfer.js';
export type { Tick } from './live/tick.js';
export type { Fill, Transfer, Trade } from './live/requests.js';
export type { CheckResult } from './live/check.js';

// Reports
export type { MarginReport, AccountMargin, MarginTotals, MarginMethod as MarginMethodName } from './margin/report.js';
export { MARGIN_METHODS } from './methods/registry.js';
export { STATUS, type Status } from './margin/status.js';
export { accountColumns, type AccountColumns } from './margin/account-columns.js';
export type { LiquidateOptions } from './liquidation/engine.js';
export type { LiquidationReport, AccountLiquidation } from './liquidation/report.js';
export type { StressOptions } from './stress/stress.js';
export type { StressReport } from './stress/report.js';
export type { Shock } from './stress/shock.js';
export type { BacktestOptions, BacktestReport } from './backtest/backtest.js';
export type { VolForecast, ForecastOptions } from './dynamic/forecast.js';
export type { MethodComparison, CompareOptions } from './session/compare.js';
export type { RestoreResult } from './optimize/restore.js';
export type { CapitalEfficiencyReport, EfficiencyOptions } from './optimize/efficiency.js';
export type { SubaccountRollup } from './margin/subaccount-rollup.js';

// Parameters, one type per section (their defaults and validators: margin-core/plugin)
export type { RuleBasedParams } from './margin/params.js';
export type { PortfolioParams } from './methods/engines/scenario-grid/params.js';
export type { VarParams } from './methods/var/params.js';
export type { SpanParams } from './methods/span/params.js';
export type { DeriveParams } from './methods/derive/params.js';
export type { DeribitParams } from './methods/deribit/params.js';
export type { LiquidationParams } from './liquidation/params.js';
export type { StressParams } from './stress/params.js';
export type { SubaccountParams } from './subaccounts/params.js';
export type { LocationParams } from './locations/params.js';
export type { DynamicParams } from './dynamic/dynamic-params.js';

// Methodology profiles
export { BUILT_IN_PROFILES } from './profiles/registry.js';
export type { MethodologyProfile } from './profiles/profile.js';
