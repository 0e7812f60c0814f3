import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import { KIND_LINEAR, KIND_OPTION, type RiskArrayInput, type ScenarioKernels, jsScenario, wasmScenario } from '../../src/kernels/scenario.js';

/** The three implementations of the scenario kernels: JS twin, WASM scalar, WASM SIMD (JS first). */
export async function scenarioBackends(): Promise<ScenarioKernels[]> {
  return [jsScenario(), wasmScenario(await WasmKernels.create('scalar')), wasmScenario(await WasmKernels.create('simd'))];
}

/** Index of the first entry whose bits differ (Object.is), or −1. */
export function firstBitDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/**
 * Random risk-array inputs: n instruments (80% options, incl. expired, near-zero vol and deep
 * OTM/ITM ones) on u underlyings, S scenarios with independent moves per underlying (Monte Carlo
 * style when `independent`, else a shared ±range grid), some vol shocks that hit the floor.
 */
export function randomRiskInput(n: number, u: number, nS: number, rnd: () => number, independent = true): RiskArrayInput {
  const spot = Float64Array.from({ length: u }, () => 10 ** (rnd() * 6 - 2));
  const input: RiskArrayInput = {
    kind: new Uint8Array(n), underlying: new Int32Array(n), isCall: new Uint8Array(n),
    strike: new Float64Array(n), expiryYears: new Float64Array(n), vol: new Float64Array(n),
    volScale: new Float64Array(n), baseValue: new Float64Array(n),
    spot,
    rate: Float64Array.from({ length: u }, () => (rnd() - 0.3) * 0.1),
    carry: Float64Array.from({ length: u }, () => (rnd() - 0.3) * 0.1),
    volFloor: Float64Array.from({ length: u }, () => (rnd() < 0.2 ? 0 : 0.05 * rnd())),
    spotMove: new Float64Array(u * nS),
    volShock: new Float64Array(u * nS),
  };
  for (let j = 0; j < u; j++) {
    for (let s = 0; s < nS; s++) {
      const grid = nS === 1 ? 0 : -0.3 + (0.6 * s) / (nS - 1);
      input.spotMove[j * nS + s] = independent ? Math.expm1(0.3 * (rnd() - 0.5) * (rnd() < 0.05 ? 10 : 1)) : grid;
      input.volShock[j * nS + s] = independent ? (rnd() - 0.5) * (rnd() < 0.05 ? 4 : 0.8) : [-0.3, 0, 0.4][s % 3];
    }
  }
  for (let i = 0; i < n; i++) {
    const regime = rnd();
    const j = Math.floor(rnd() * u);
    input.underlying[i] = j;
    input.kind[i] = rnd() < 0.8 ? KIND_OPTION : KIND_LINEAR;
    input.isCall[i] = rnd() < 0.5 ? 1 : 0;
    input.strike[i] = spot[j] * Math.exp((rnd() - 0.5) * (regime < 0.05 ? 8 : 1.2));
    input.expiryYears[i] = regime < 0.03 ? -rnd() : regime < 0.05 ? 0 : regime < 0.07 ? 1e-12 * rnd() : 1 / 365 + 2 * rnd() ** 2;
    input.vol[i] = regime > 0.97 ? 0 : 0.05 + 1.5 * rnd();
    input.volScale[i] = 0.3 + 2 * rnd();
    input.baseValue[i] = input.kind[i] === KIND_OPTION ? spot[j] * 0.1 * rnd() : spot[j] * (0.9 + 0.2 * rnd());
  }
  return input;
}

import { type PortfolioKernels, type ReduceInput, jsPortfolio, wasmPortfolio } from '../../src/kernels/portfolio.js';

export async function portfolioBackends(): Promise<PortfolioKernels[]> {
  return [jsPortfolio(), wasmPortfolio(await WasmKernels.create('scalar')), wasmPortfolio(await WasmKernels.create('simd'))];
}

/** Random groups over a random risk array (rows × S), with grid weights 1 and some tail weights < 1. */
export function randomReduceInput(nGroups: number, rows: number, u: number, nS: number, rnd: () => number): ReduceInput {
  const groupStart = new Int32Array(nGroups), groupEnd = new Int32Array(nGroups), groupUnderlying = new Int32Array(nGroups);
  const slotRow: number[] = [], slotScale: number[] = [];
  for (let g = 0; g < nGroups; g++) {
    groupStart[g] = slotRow.length;
    const n = Math.floor(rnd() * 12);
    for (let k = 0; k < n; k++) {
      slotRow.push(Math.floor(rnd() * rows));
      slotScale.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 4));
    }
    groupEnd[g] = slotRow.length;
    groupUnderlying[g] = Math.floor(rnd() * u);
  }
  const riskArray = Float64Array.from({ length: rows * nS }, () => (rnd() - 0.5) * 1000);
  // ties: a few rows repeat a value across scenarios so the tie rule matters
  for (let r = 0; r < rows; r += 7) riskArray.fill(-3, r * nS, r * nS + Math.min(nS, 5));
  const weight = Float64Array.from({ length: u * nS }, (_, k) => (k % nS < nS - 4 ? 1 : 0.25 + 0.5 * rnd()));
  return { groupStart, groupEnd, groupUnderlying, slotRow: Int32Array.from(slotRow), slotScale: Float64Array.from(slotScale), riskArray, weight };
}
