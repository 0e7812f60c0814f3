/** Isolated margin: each position margined against the collateral allocated to it (src/methods/engines/rule-based/). */
import { ruleBasedMethod } from '../engines/rule-based/method.js';

export const isolatedMethod = ruleBasedMethod('isolated', 'rule-based, per position against its allocated collateral', {
  target: 'leverage brackets per position (BTC: IM 0.8% up to 50,000 USD notional, i.e. 125×, rising to 20%), short options max(15% - OTM, 10%) of spot plus mark, collateral haircuts',
  source: 'Binance USDS-M leverage and margin brackets; Deribit standard option margin; haircuts are margin-core\'s own modelling',
});

declare module '../../margin/report.js' {
  interface MarginMethods {
    /** Rule-based margin per position, each against its own allocation (src/margin/params.ts). */
    isolated: null;
  }
}
