/** Cross margin: rule-based requirements summed, collateral and P&L pooled (src/methods/engines/rule-based/). */
import { ruleBasedMethod } from '../engines/rule-based/method.js';

export const crossMethod = ruleBasedMethod('cross', 'rule-based, requirements summed against pooled collateral', {
  target: 'the same brackets, haircuts and option rule as isolated, summed over the account against pooled collateral',
  source: 'Binance USDS-M brackets (cross margin); Deribit standard option margin',
});

declare module '../../margin/report.js' {
  interface MarginMethods {
    /** Rule-based margin, requirements summed against pooled collateral and P&L (src/margin/params.ts). */
    cross: null;
  }
}
