/**
 * The HiGHS LP solver (npm `highs`, WebAssembly), loaded once on first use: a dynamic import, so that margin runs
 * that never allocate collateral do not load it.
 */
import type { Highs } from 'highs';
import { loadOptional } from '../optional-dependency.js';

let loading: Promise<Highs> | null = null;

export function loadHighs(): Promise<Highs> {
  loading ??= loadOptional('highs', 'the LP solver (margin optimisation, collateral allocation)', () => import('highs')).then((m) => (m.default as unknown as (options?: object) => Promise<Highs>)());
  return loading;
}
