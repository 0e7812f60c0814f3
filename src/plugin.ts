/**
 * margin-core/plugin: what the author of a margin method needs (docs/adding-a-method.md). A method is a
 * {@link MarginMethodPlugin}: it prepares a {@link MethodRun} from a {@link MethodContext} (the laid-out book and market,
 * the kernels, the output columns); an engine created with `createEngine({ methods: [...BUILT_IN_METHODS, mine] })`
 * offers it. Here too: the kernels' flags, the requirement model a method may describe its margin by, the layouts a run
 * reads and writes, and the built-in methods' defaults. The application API (engine, sessions, reports, the types users
 * write) is `margin-core`.
 */

// The method seam
export type {
  MarginMethodPlugin, MethodRun, MethodContext, MarketMove, AccountChange, FillChange, TransferChange, CashChange, AccountRequirement, Binding,
  TablePart, InstrumentTable, UnionHoldings, AccountHoldings, HoldingsMargin, AccountTerms, HoldingChange, LiquidationTargetSpec,
  MethodTrial, LiquidationCapability, LiveCapability, OptimizeCapability, PoolsCapability, ScaleCapability,
} from './methods/method.js';
export type { MarginMethods } from './margin/report.js';
export { BUILT_IN_METHODS } from './methods/registry.js';
// what createEngine throws for a method whose `needs` are not met, or a second method of one name
export { MethodRegistrationError } from './methods/manifest.js';
// what a plug-in's throw becomes, naming the method and the call (src/methods/plugin-guard.ts)
export { MethodRunError } from './methods/plugin-guard.js';
// The JSON Schemas of a registry of your own (schemas/*.json are the built-in methods'). This entry's functions and
// ArrayLease check what they are given (src/plugin-checked.ts): a mistake throws an InputError naming it by path
export { paramsSchema, reportSchema } from './plugin-checked.js';
export { RULE_ISOLATED, RULE_KEEP_POSITIONS, type MarginKernels } from './kernels/backend.js';
export { KIND_LINEAR as RISK_KIND_LINEAR, KIND_OPTION as RISK_KIND_OPTION } from './kernels/scenario.js';
export { requirementAt } from './plugin-checked.js';
export type { RequirementModel } from './margin/requirement-model.js';

// What a run reads and writes
export type { BookLayout } from './layout/book-layout.js';
export type { MarketLayout } from './layout/market-layout.js';
export type { ParamLayout } from './margin/param-layout.js';
export type { MarginOutputs } from './margin/outputs.js';
export type { ColumnAllocator } from './memory/columns.js';
export type { BufferPool } from './memory/allocators.js';
export { ArrayLease } from './plugin-checked.js';
export type { MethodReporting } from './margin/build-report.js';

// The built-in methods' defaults (their params types are margin-core's; validators, explain sections and the parts of
// each params type are reached through them and are not named here)
export { DEFAULT_RULE_BASED_PARAMS } from './margin/params.js';
export { DEFAULT_PORTFOLIO_PARAMS } from './methods/engines/scenario-grid/params.js';
export { DEFAULT_VAR_PARAMS } from './methods/var/params.js';
export { DEFAULT_SPAN_PARAMS } from './methods/span/params.js';
export { DEFAULT_DERIVE_PARAMS } from './methods/derive/params.js';
export { DEFAULT_DERIBIT_PARAMS } from './methods/deribit/params.js';
