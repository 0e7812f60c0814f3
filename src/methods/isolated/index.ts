/** Isolated margin: each position margined against the collateral allocated to it (src/methods/rule-based/). */
import { ruleBasedMethod } from '../rule-based/method.js';

export const isolatedMethod = ruleBasedMethod('isolated', 'rule-based, per position against its allocated collateral');

declare module '../../margin/report.js' {
  interface MarginMethods {
    /** Rule-based margin per position, each against its own allocation (src/margin/params.ts). */
    isolated: null;
  }
}
