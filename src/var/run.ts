/**
 * The VaR / ES margin method on a laid-out book: after the rule-based cross kernel has computed equity
 * (with haircuts) and gross notional, compute each account's risk measure by the chosen model, write
 * IM = max(measure, floorRate × gross notional, floorUsd if it holds positions) and MM = mmFactor × IM
 * into the output columns; the caller then re-derives statuses (restatus).
 */
import type { GreeksInput, GreeksOutput } from '../greeks/types.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { RiskKernels } from '../kernels/wasm/risk.js';
import type { MarginOutputs } from '../margin/buffers.js';
import { Column } from '../memory/columns.js';
import type { VarExplain } from '../margin/report.js';
import { horizonCovariance, type RiskFactors, riskFactors } from './covariance.js';
import { accountExposures, type InstrumentGreeks, instrumentGreeks } from './exposures.js';
import { deltaGamma, deltaNormal, type MeasureResult } from './parametric.js';
import type { VarParams } from './params.js';
import type { RevaluationBackend } from './revaluation.js';
import { historicalScenarios, monteCarloScenarios, revalue, riskSlots, simulatedMeasures } from './simulation.js';

/**
 * What the method needs from the engine: Greeks (pricing), the risk kernels and the risk-array
 * kernel, each with trap→JS fallback, and the memory they work in.
 */
export interface VarBackend extends RevaluationBackend {
  greeks(input: GreeksInput): GreeksOutput;
  risk(): RiskKernels;
}

export interface VarRun {
  /** Per account: the measure by the chosen model (before floors), NaN where not computable. */
  readonly measure: Float64Array;
  readonly factors: RiskFactors;
  /** Explain for account a (components per underlying, sum = the measure). */
  explain(a: number): VarExplain;
  /** Why account a has no requirement (status error), or undefined. */
  errorOf(a: number): string | undefined;
}

/** Runs the model for every account (no requirement written). `withComponents`: keep what explains need. */
export function measureAccounts(
  layout: BookLayout, market: MarketLayout, params: VarParams, backend: VarBackend, withComponents: boolean,
): { result: MeasureResult; factors: RiskFactors; greeks: InstrumentGreeks } {
  const factors = riskFactors(layout, market);
  const g = instrumentGreeks(layout, market, (input) => backend.greeks(input));
  const risk = backend.risk();
  const needSigma = params.model !== 'historical';
  const sigma = needSigma ? horizonCovariance(params, market, factors) : new Float64Array(0);
  const m = factors.symbols.length;
  const done = (result: MeasureResult) => ({ result, factors, greeks: g });
  switch (params.model) {
    case 'delta-normal': {
      // Dollar deltas built straight into the kernels' memory: the quadratic forms read them in place.
      const deltaColumn = Column.allocate(backend.allocator, 'f64', layout.accountCount * m);
      try {
        const ex = accountExposures(layout, market, factors, g, { deltaInto: deltaColumn.array });
        return done(deltaNormal(risk, sigma, ex, params.confidence, withComponents, deltaColumn));
      } finally {
        deltaColumn.release();
      }
    }
    case 'delta-gamma':
      return done(deltaGamma(risk, sigma, accountExposures(layout, market, factors, g, { gamma: true }), params.confidence));
    case 'monte-carlo':
    case 'historical': {
      const sc = params.model === 'monte-carlo' ? monteCarloScenarios(risk, sigma, factors, params) : historicalScenarios(factors, params);
      const riskArray = revalue(layout, market, factors, g, sc, backend);
      try {
        return done(simulatedMeasures(risk, riskArray, sc.count, riskSlots(layout, factors), m, params.confidence, withComponents));
      } finally {
        riskArray.release();
      }
    }
  }
}

/** Writes IM / MM of every live account into `out` and returns the explain accessors. */
export function runVarMargin(layout: BookLayout, market: MarketLayout, params: VarParams, out: MarginOutputs, backend: VarBackend, withComponents: boolean): VarRun {
  const { result, factors, greeks } = measureAccounts(layout, market, params, backend, withComponents);
  const measure = params.measure === 'var' ? result.var : result.es;
  const im = out.im.array, mm = out.mm.array, gross = out.gross.array, live = layout.live.array;
  const pEnd = layout.positions.end.array, pStart = layout.positions.start.array;
  for (let a = 0; a < layout.accountCount; a++) {
    if (live[a] === 0) continue;
    const x = measure[a];
    // NaN (non-finite P&L) stays NaN: the account gets status error, never a zero requirement.
    const floor = Math.max(params.floorRate * gross[a], pEnd[a] > pStart[a] ? params.floorUsd : 0);
    const req = Number.isNaN(x) ? NaN : Math.max(x, floor, 0);
    im[a] = req;
    mm[a] = params.mmFactor * req;
  }
  return {
    measure,
    factors,
    explain(a) {
      const c = result.components(a, params.measure);
      const components = factors.symbols.map((underlying, j) => ({ underlying, contribution: c[j] })).filter((x) => x.contribution !== 0);
      const ex = accountExposures(layout, market, factors, greeks, { gamma: true, vega: true }, a, 1);
      const exposures = factors.symbols
        .map((underlying, j) => ({ underlying, dollarDelta: ex.delta[j], dollarGamma: ex.gamma[j], vega: ex.vega[j] }))
        .filter((x) => x.dollarDelta !== 0 || x.dollarGamma !== 0 || x.vega !== 0);
      const e: VarExplain = {
        model: params.model, measure: params.measure, confidence: params.confidence, horizonDays: params.horizonDays,
        var: result.var[a], es: result.es[a], floor: Math.max(params.floorRate * gross[a], pEnd[a] > pStart[a] ? params.floorUsd : 0), components, exposures,
      };
      if (params.model === 'monte-carlo') e.scenarios = params.scenarios;
      if (params.model === 'historical') e.scenarios = params.returns!.matrix.length;
      const note = result.note(a);
      if (note) e.note = note;
      return e;
    },
    errorOf(a) {
      return Number.isNaN(measure[a]) ? `the ${params.model} ${params.measure} is not finite: a quantity, amount or price is too large for double precision` : undefined;
    },
  };
}
