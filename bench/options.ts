/**
 * The benchmarks' random options, in a module of its own (no Node imports) so the browser benchmark's page builds it too.
 */
import type { GreeksInput } from '../src/model/greeks-types.js';

/** Options like a crypto venue's book: strikes 50%–150% of spot, 1 day to 2 years, vols 10%–90%. */
export function benchOptions(n: number, seed = 7): Required<GreeksInput> {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const input: Required<GreeksInput> = {
    isCall: new Uint8Array(n), spot: new Float64Array(n), strike: new Float64Array(n), expiryYears: new Float64Array(n),
    vol: new Float64Array(n), rate: new Float64Array(n), carry: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    input.isCall[i] = rnd() < 0.5 ? 1 : 0;
    input.spot[i] = 100;
    input.strike[i] = 50 + 100 * rnd();
    input.expiryYears[i] = 1 / 365 + 2 * rnd();
    input.vol[i] = 0.1 + 0.8 * rnd();
    input.rate[i] = 0.05 * rnd();
    input.carry[i] = 0; // written like the others: a column never written would be faulted in by the first call reading it
  }
  return input;
}
