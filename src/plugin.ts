/**
 * margin-core/plugin: what the author of a margin method needs (docs/adding-a-method.md). A method is a
 * {@link MarginMethodPlugin}: it prepares a {@link MethodRun} from a {@link MethodContext} (the laid-out book and market,
 * the kernels, the output columns); an engine created with `createEngine({ methods: [...BUILT_IN_METHODS, mine] })`
 * offers it. Here too: the kernels' flags, the requirement model a method may describe its margin by, the built-in
 * methods' and sections' parameter defaults and validators, the explain sections of the built-in methods, and the
 * model's validated types. The application API (engine, sessions, reports, the types users write) is `margin-core`.
 */

// The method seam
export type {
  MarginMethodPlugin, MethodRun, MethodContext, MarketMove, AccountChange, FillChange, TransferChange, CashChange, AccountRequirement, Binding,
  TablePart, InstrumentTable, UnionHoldings, AccountHoldings, HoldingsMargin, AccountTerms, HoldingChange, LiquidationTargetSpec,
  MethodTrial, LiquidationCapability, LiveCapability, OptimizeCapability, PoolsCapability, ScaleCapability,
} from './methods/method.js';
export type { MarginMethods } from './margin/report.js';
export { BUILT_IN_METHODS } from './methods/registry.js';
// The JSON Schemas of a registry of your own (schemas/*.json are the built-in methods')
export { paramsSchema, reportSchema } from './schemas/generate.js';
export { RULE_ISOLATED, RULE_KEEP_POSITIONS, type MarginKernels } from './kernels/backend.js';
export { KIND_LINEAR as RISK_KIND_LINEAR, KIND_OPTION as RISK_KIND_OPTION } from './kernels/scenario.js';
export { requirementAt, type RequirementModel, type ConvexTerm, type RequirementBound, type NormPart, type NormVector } from './margin/requirement-model.js';

// What a run reads and writes
export type { BookLayout } from './layout/book-layout.js';
export type { MarketLayout } from './layout/market-layout.js';
export type { ParamLayout } from './margin/param-layout.js';
export type { MarginOutputs } from './margin/outputs.js';
export type { ColumnAllocator } from './memory/columns.js';
export type { BufferPool } from './memory/allocators.js';
export { ArrayLease } from './memory/array-lease.js';
export type { MethodReporting } from './margin/build-report.js';
export type { PositionMargin, CollateralMargin, UsdView } from './margin/report.js';
export type { AccountFigures, RunColumns } from './session/types.js';
export type {
  InstrumentKind, OptionRight, SpotInstrument, FutureInstrument, PerpetualInstrument, OptionInstrument, AssetMarket, Correlation,
  ValidatedInstrument, ValidatedPosition, ValidatedCollateral, ValidatedAccount, ValidatedAssetMarket, ValidatedCorrelation,
} from './model/types.js';

// The built-in methods' explain sections
export type { PortfolioExplain, ScenarioGrid } from './methods/portfolio/types.js';
export type { VarExplain } from './methods/var/types.js';
export type { SpanExplain, SpanCommodityExplain, SpanSpreadExplain } from './methods/span/types.js';
export type { DeriveExplain } from './methods/derive/types.js';
export type { DeribitExplain } from './methods/deribit/run.js';

// Parameters: defaults, validators and their parts
export { DEFAULT_RULE_BASED_PARAMS, type RateBracket, type HaircutBracket, type OptionRule, type CollateralRule, type SizeRateRule } from './margin/params.js';
export { validateRuleBasedParams } from './methods/engines/rule-based/validate.js';
export { DEFAULT_PORTFOLIO_PARAMS, DEFAULT_PORTFOLIO_RULE, type PortfolioRule, type TailMove } from './methods/engines/scenario-grid/params.js';
export { validatePortfolioParams } from './methods/portfolio/validate.js';
export { DEFAULT_VAR_PARAMS, type VarModel, type VarMeasure, type ReturnsMatrix, type CovarianceSource } from './methods/var/params.js';
export { validateVarParams } from './methods/var/validate.js';
export {
  DEFAULT_SPAN_PARAMS, type SpanCommodity, type SpanTier, type IntraSpread, type IntraLeg, type InterSpread, type InterLeg, type SpreadSide,
} from './methods/span/params.js';
export { validateSpanParams } from './methods/span/validate.js';
export { DEFAULT_DERIVE_PARAMS } from './methods/derive/params.js';
export { validateDeriveParams } from './methods/derive/validate.js';
export { DEFAULT_DERIBIT_PARAMS, type DeribitCurrencyRule, type DeribitPairRule } from './methods/deribit/params.js';
export { DEFAULT_LIQUIDATION_PARAMS, type LiquidationTarget, type CloseOrder, type AdlPolicy, type SlippageModel } from './liquidation/params.js';
export { validateLiquidationParams } from './liquidation/validate.js';
export { DEFAULT_STRESS_PARAMS, type ImpactModel } from './stress/params.js';
export { DEFAULT_SUBACCOUNT_PARAMS, SUBACCOUNT_POLICIES, validateSubaccountParams, type SubaccountPolicy } from './subaccounts/params.js';
export { DEFAULT_LOCATION_PARAMS, DELAY_RULES, validateLocationParams, type Location, type DelayRule } from './locations/params.js';
export { locationKeep } from './locations/adjust.js';
export type { ProfileSource } from './profiles/profile.js';
