/**
 * Rule-based (standard) margin, per position from the schedules of src/margin/params.ts, as two methods:
 * `cross` (requirements summed, collateral and P&L pooled) and `isolated` (each position against the collateral
 * allocated to it; the account's status is its worst position's). Both are the rule-based kernel alone
 * (assembly/margin/rule-based.ts), in one mode or the other; their parameters are the shared rule-based sections
 * every method's equity uses, so they have no section of their own.
 */
import { RULE_ISOLATED } from '../../kernels/backend.js';
import { marginColumnMap, marginViews } from '../../margin/outputs.js';
import { STATUS } from '../../margin/status.js';
import type { MarginMethodPlugin, MethodContext, MethodRun } from '../method.js';
import { liquidationPrice } from './liquidation-price.js';
import { ruleBasedBreakpoints, ruleBasedWhatIf } from './what-if.js';

export type RuleBasedMode = 'cross' | 'isolated';

export function ruleBasedMethod(mode: RuleBasedMode, description: string): MarginMethodPlugin<null> {
  return {
    name: mode,
    description,
    section: null,
    validateParams: () => null,
    prepare: (context) => ruleBasedRun(context, mode),
  };
}

function ruleBasedRun(ctx: MethodContext, mode: RuleBasedMode): MethodRun {
  const flags = mode === 'isolated' ? RULE_ISOLATED : 0;
  return {
    run: () => ctx.ruleBased(flags),
    remargin: (a) => ctx.ruleBased(flags, { first: a, last: a + 1 }),
    whatIf: ruleBasedWhatIf(ctx, mode === 'isolated'),
    marketMoved: (move) => ctx.ruleBased(flags, { list: move.accounts }),
    sizeBreakpoints: (a, instrument, direction) => ruleBasedBreakpoints(ctx, a, instrument, direction),
    errorOf: () => undefined,
    explain(row, a) {
      const c = marginViews(marginColumnMap(ctx.layout, ctx.market, ctx.rules, ctx.out));
      if (mode === 'isolated' && row.positions) {
        row.positions.forEach((position, k) => {
          const p = c.posStart[a] + k;
          position.allocated = c.posAlloc[p];
          position.status = STATUS[c.posStatus[p]];
        });
      }
      const liquidation = liquidationPrice(ctx.layout, ctx.market, c, a);
      if (liquidation) row.liquidationPrice = liquidation;
    },
    release: () => {},
  };
}
