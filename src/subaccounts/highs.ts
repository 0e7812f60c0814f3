/**
 * The HiGHS LP solver (npm `highs`, WebAssembly), loaded once on first use: a dynamic import, so that margin runs
 * that never allocate collateral do not load it.
 */
import type { Highs } from 'highs';
import { loadOptional } from '../optional-dependency.js';

/**
 * What margin-core asks of HiGHS: one solve of an LP in CPLEX LP format. Declared here, not imported from `highs`, so
 * that the published types compile for a user who did not install the optional peer.
 */
export interface LpSolver {
  solve(lp: string, options: { output_flag: boolean }): { Status: string; Columns: Record<string, unknown> };
}

let loading: Promise<LpSolver> | null = null;

export function loadHighs(): Promise<LpSolver> {
  loading ??= loadOptional('highs', 'the LP solver (margin optimisation, collateral allocation)', () => import('highs'))
    .then((m) => (m.default as unknown as (options?: object) => Promise<Highs>)())
    .then((highs): LpSolver => highs); // HiGHS is an LpSolver (checked here, where its types are at hand)
  return loading;
}
