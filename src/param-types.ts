/**
 * The params JSON's sections as the engine reads them, one type per section, by name: `ParamTypes['var']` is what
 * `params.var` holds (every field optional when written: it is merged over the defaults). `ruleBased` is the rule-based
 * sections together (`linear`, `options`, `linearSize`, `collateral`). One name on the public surface instead of one per
 * section (docs/api.md).
 */
import type { RuleBasedParams } from './margin/params.js';
import type { PortfolioParams } from './methods/engines/scenario-grid/params.js';
import type { VarParams } from './methods/var/params.js';
import type { SpanParams } from './methods/span/params.js';
import type { DeriveParams } from './methods/derive/params.js';
import type { DeribitParams } from './methods/deribit/params.js';
import type { LiquidationParams } from './liquidation/params.js';
import type { StressParams } from './stress/params.js';
import type { SubaccountParams } from './subaccounts/params.js';
import type { LocationParams } from './locations/params.js';
import type { DynamicParams } from './dynamic/dynamic-params.js';

export interface ParamTypes {
  ruleBased: RuleBasedParams;
  portfolio: PortfolioParams;
  var: VarParams;
  span: SpanParams;
  derive: DeriveParams;
  deribit: DeribitParams;
  liquidation: LiquidationParams;
  stress: StressParams;
  subaccounts: SubaccountParams;
  locations: LocationParams;
  dynamic: DynamicParams;
}
