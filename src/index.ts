/**
 * margin-core: margin and risk kernels in WebAssembly with a bit-identical pure-JS fallback.
 *
 * ```ts
 * import { createEngine } from 'margin-core';
 * const engine = await createEngine();
 * const { price, delta } = engine.greeks({ isCall, spot, strike, expiryYears, vol, rate });
 * ```
 */
export { createEngine, Engine, type BackendName, MAX_WORKERS, type EngineOptions, type CollateralAllocation, type OptimizeOptions } from './engine.js';
export { InputError, type InputProblem } from './errors.js';
export type { GreeksInput, GreeksOutput } from './greeks/types.js';
export { GreeksBatch } from './greeks/batch.js';
export { createPricer, GreeksPricer, type PricerOptions } from './greeks/pricer.js';
export type { WasmUrls } from './kernels/wasm/binary.js';
export { bookOptions, type BookOptions } from './greeks/book-options.js';
export { validateBook, validateMarket, validateInputs, type ValidationOptions, type MarketValidationOptions } from './model/validate.js';
export type * from './model/types.js';
export { nearestCorrelation, semidefiniteFactor } from './model/correlation.js';
export { generateSample } from './sample/generate.js';
export { GREEKS_LIMITS } from './greeks/limits.js';
export { MarginSession, type MarginOptions, type PreparedMarginRun, type LiveOptions } from './session/session.js';
export { LiveSession, type StatusChange, type UpdateResult, type WhatIfResult, type TransferResult } from './live/live-session.js';
export type { SubaccountTransfer } from './live/subaccount-transfer.js';
export type { Tick } from './live/tick.js';
export type { Fill, Transfer, Trade } from './live/requests.js';
export type { CheckResult, LimitsJson } from './live/check.js';
export type { MarginReport, AccountMargin, PositionMargin, CollateralMargin, MarginTotals, MarginMethod, MarginMethods } from './margin/report.js';
export type { PortfolioExplain, ScenarioGrid } from './methods/portfolio/types.js';
export type { VarExplain } from './methods/var/types.js';
export type { SpanExplain, SpanCommodityExplain, SpanSpreadExplain } from './methods/span/types.js';
export { MARGIN_METHODS, BUILT_IN_METHODS } from './methods/registry.js';
export { BUILT_IN_PROFILES } from './profiles/registry.js';
export type { MethodologyProfile, ProfileSource } from './profiles/profile.js';
export type { MarginMethodPlugin, MethodRun, MethodContext, MarketMove, AccountChange, FillChange, TransferChange, CashChange, AccountRequirement, Binding } from './methods/method.js';
export { RULE_ISOLATED, RULE_KEEP_POSITIONS, type MarginKernels } from './kernels/backend.js';
export { DEFAULT_RULE_BASED_PARAMS, type RuleBasedParams, type RateBracket, type HaircutBracket, type OptionRule, type CollateralRule } from './margin/params.js';
export { validateRuleBasedParams } from './methods/rule-based/validate.js';
export { STATUS, type Status } from './margin/status.js';
export { accountColumns, type AccountColumns, type SummaryFigure } from './margin/account-columns.js';
export { normCdf, normPdf } from './kernels/js/normal.js';
export { DEFAULT_VAR_PARAMS, type VarParams, type VarModel, type VarMeasure, type ReturnsMatrix, type CovarianceSource } from './methods/var/params.js';
export { validateVarParams } from './methods/var/validate.js';
export {
  DEFAULT_SPAN_PARAMS, type SpanParams, type SpanCommodity, type SpanTier, type IntraSpread, type IntraLeg, type InterSpread, type InterLeg, type SpreadSide,
} from './methods/span/params.js';
export { validateSpanParams } from './methods/span/validate.js';
export { ewmaCovariance } from './methods/var/covariance.js';
export { normalQuantile } from './methods/var/normal-quantile.js';
export { compareMethods, type MethodComparison, type AccountComparison, type CapitalFreed, type CompareOptions } from './session/compare.js';
export { DEFAULT_PORTFOLIO_PARAMS, DEFAULT_PORTFOLIO_RULE, type PortfolioParams, type PortfolioRule, type TailMove } from './methods/portfolio/params.js';
export { coinGreeks, forwardPrice, inverseMovePnl, inversePnlCoin, inverseSizeCoin, type OptionGreeks } from './margin/coin-valuation.js';
export type { UsdView } from './margin/report.js';
export { DEFAULT_DERIBIT_PARAMS, type DeribitCurrencyRule, type DeribitPairRule, type DeribitParams } from './methods/deribit/params.js';
export type { DeribitExplain } from './methods/deribit/run.js';
export { validatePortfolioParams } from './methods/portfolio/validate.js';
export { wasmScenario, jsScenario, type ScenarioKernels, type RiskArrayInput, KIND_LINEAR as RISK_KIND_LINEAR, KIND_OPTION as RISK_KIND_OPTION } from './kernels/scenario.js';
export { DEFAULT_LIQUIDATION_PARAMS, type LiquidationParams, type LiquidationTarget, type CloseOrder, type AdlPolicy, type SlippageModel } from './liquidation/params.js';
export { validateLiquidationParams } from './liquidation/validate.js';
export type { LiquidateOptions } from './liquidation/engine.js';
export type { LiquidationReport, AccountLiquidation, LiquidationStep, AdlFill, LiquidationTotals, LiquidationSnapshot, LiquidationState } from './liquidation/report.js';
export { DEFAULT_STRESS_PARAMS, type StressParams, type ImpactModel } from './stress/params.js';
export { validateShock, type Shock, type ValidShock } from './stress/shock.js';
export type { StressOptions } from './stress/stress.js';
export type {
  StressReport, CascadeResult, CascadeRound, CascadeMetrics, CascadeStop, ReverseStressResult, MonteCarloStressResult, MonteCarloPath, Distribution,
} from './stress/report.js';
export type { AccountFigures } from './session/types.js';
export { readHistory, type PriceHistory, type HistoryOptions } from './dynamic/history.js';
export { syntheticHistory, syntheticHistoryFor, DEFAULT_SYNTHETIC_ASSET, type SyntheticAsset, type SyntheticHistoryOptions } from './dynamic/synthetic-history.js';
export type { VolForecast, AssetForecast, ForecastOptions } from './dynamic/forecast.js';
export type { BacktestOptions, BacktestReport, BacktestSeries, BacktestSeriesName } from './dynamic/backtest.js';
export type { DynamicParams, DynamicMethod, ForecastParams } from './dynamic/dynamic-params.js';
export type { ApcParams, ApcTool, ApcBinding } from './dynamic/apc.js';
export type { CircuitBreakerParams, CircuitBreakerEvent } from './dynamic/circuit-breaker.js';
export type { CoverageTest, Transitions } from './dynamic/backtest-stats.js';
export type { Procyclicality, LargestIncrease } from './dynamic/procyclicality.js';
export { DEFAULT_SUBACCOUNT_PARAMS, SUBACCOUNT_POLICIES, validateSubaccountParams, type SubaccountParams, type SubaccountPolicy } from './subaccounts/params.js';
export type { SubaccountRollup, MasterRollup, GroupFigures } from './subaccounts/report.js';
export { allocateCollateral, type AllocationProblem, type AllocationAccount, type AllocationSource, type AllocationResult } from './subaccounts/allocate.js';
export { DEFAULT_LOCATION_PARAMS, DELAY_RULES, validateLocationParams, type LocationParams, type Location, type DelayRule } from './locations/params.js';
export { locationKeep } from './locations/adjust.js';
export { restoreHealth, slackOf, type RestoreOptions, type RestoreResult, type HedgeTrade, type HealthTarget } from './optimize/restore.js';
export { readHedges, type Hedge, type HedgeJson, type HedgeSide } from './optimize/hedges.js';
export { loadSolver, type LpSolver, type LinearProgram, type LpSolution, type SolverLoadOptions } from './optimize/solver.js';
export type { CapitalEfficiencyReport, CapitalEfficiencyRow, EfficiencyRow, EfficiencyOptions, HedgeEffect } from './optimize/efficiency.js';
export type { MasterEfficiencyRow } from './optimize/master-efficiency.js';
export { requirementAt, type RequirementModel, type ConvexTerm, type RequirementBound, type NormPart, type NormVector } from './margin/requirement-model.js';
export { ShardedBook } from './scale/sharded-book.js';
export type { ShardTransport, TransportHealth, WorkerHealth } from './scale/transport.js';
export type { ShardBook } from './scale/shard-book.js';
export type { ShardTask, ShardOutcome, ShardReport, ShardMarginOptions } from './scale/tasks.js';
export { shardOf } from './scale/hash.js';
export { importDeribit, type DeribitResponses, type DeribitImportOptions } from './import/deribit/index.js';
export { importCcxt, type CcxtStructures, type CcxtImportOptions } from './import/ccxt/index.js';
export type { ImportResult, ImportedBook, ImportedInstrument, ImportedAccount, ImportedPosition, VenueEquity } from './import/types.js';
export { readArrowBook, type ArrowBookOptions } from './io/arrow/read-book.js';
export { writeArrowBook, ArrowBookBatches, type ArrowBookShape } from './io/arrow/write-book.js';
export { writeArrowReport, arrowReport } from './io/arrow/write-report.js';
export { columnarReport, type ColumnarMarginReport } from './margin/columnar-report.js';
export { marginReportJson } from './io/report-json.js';
export { columnarBook, type BookColumns } from './model/book-columns.js';
