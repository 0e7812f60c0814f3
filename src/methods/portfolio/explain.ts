/** The `account.portfolio` breakdown of one account after a {@link PortfolioRun} ran (or re-margined it). */
import { VOL_SHOCK_LABELS } from '../engines/scenario-grid/params.js';
import type { PortfolioRun } from '../engines/scenario-grid/run.js';
import type { PortfolioExplain, ScenarioGrid } from './types.js';

export function explainAccount(run: PortfolioRun, a: number): PortfolioExplain {
  const { layout } = run;
  const S = run.kernelScenarios; // risk-array row stride
  const groups = run.groupsOf(a);
  const red = groups.reduce;
  const risk = red.riskArray;
  const posInstrument = layout.positions.column<'i32'>('instrument').array;
  const colAsset = layout.collateral.column<'i32'>('asset').array;
  const underlyings: PortfolioExplain['underlyings'] = [];
  for (let g = groups.first; g < groups.last; g++) {
    const u = red.groupUnderlying[g];
    const scenarios = run.scenarios[u];
    const pnl = run.groupPnl(groups, g);
    const s = red.worstScenario[g];
    const worst = scenarios[Math.max(s, 0)];
    const contributions: PortfolioExplain['underlyings'][number]['contributions'] = [];
    for (let k = red.groupStart[g]; k < red.groupEnd[g]; k++) {
      const source = groups.source[k];
      // the kernel's own product, times the scenario's weight (exactly the product on the grid, weight 1)
      const value = s < 0 ? NaN : red.slotScale[k] * risk[red.slotRow[k] * S + s] * worst.weight;
      contributions.push(
        source >= 0
          ? { source: 'position', id: layout.instruments.ids[posInstrument[source]], pnl: value }
          : { source: 'collateral', id: layout.assets[colAsset[-1 - source]], pnl: value },
      );
    }
    underlyings.push({
      underlying: layout.assets[u],
      worstLoss: red.worstLoss[g],
      worstScenario: { spotMove: worst.spotMove, volShock: worst.volShock, tail: worst.tail, weight: worst.weight, label: s < 0 ? 'not computable (non-finite P&L)' : worst.label },
      contributions,
      grid: gridOf(run, u, pnl),
    });
  }
  return {
    underlyings,
    aggregation: run.params.aggregation,
    scenarioLoss: run.scenarioLoss[a],
    addOns: run.addOnsOf(a).map((x) => ({
      kind: x.kind, underlying: layout.assets[x.underlying], ...(x.strike !== undefined ? { strike: x.strike } : {}), net: x.net, amount: x.amount,
    })),
  };
}

function gridOf(run: PortfolioRun, u: number, pnl: Float64Array): ScenarioGrid {
  const scenarios = run.scenarios[u];
  const grid = scenarios.filter((s) => !s.tail);
  const steps = grid.length / VOL_SHOCK_LABELS.length;
  return {
    spotMoves: grid.slice(0, steps).map((s) => s.spotMove),
    volShocks: [...VOL_SHOCK_LABELS],
    pnl: VOL_SHOCK_LABELS.map((_, v) => Array.from(pnl.subarray(v * steps, (v + 1) * steps))),
    tails: scenarios.flatMap((s, i) => (s.tail ? [{ spotMove: s.spotMove, volShock: s.volShock, weight: s.weight, pnl: pnl[i] * s.weight }] : [])),
  };
}
