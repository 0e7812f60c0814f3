/**
 * A seeded synthetic daily price history with volatility clustering and jumps, so forecasts and backtests run offline:
 * per asset, GARCH(1,1) variance with normal innovations plus a compound-Poisson jump,
 *   r[t] = σ[t]·z[t] + Σ_{j ≤ N[t]} J[j],   N[t] ~ Poisson(jumpsPerDay),   J ~ Normal(jumpMean, jumpSd),
 *   σ²[t + 1] = ω + α·r[t]² + β·σ²[t]        (a jump feeds the next days' variance: clustering after a shock),
 * σ²[0] = ω / (1 − α − β); the assets' z[t] correlated through a factor of `correlation` (src/model/correlation.ts,
 * semidefinite matrices accepted); closes[t + 1] = closes[t]·e^r[t]. Deterministic: the project's xoshiro128** PRNG
 * (src/sample/random.ts: +, ×, log, sqrt and cos only), so a seed gives the same bits on every engine.
 *
 * Default parameters (daily): a BTC-like asset, σ ≈ 3% a day (~57% a year) as ω = 4.5e-5 with α = 0.10, β = 0.85
 * (typical of published daily GARCH fits of BTC: α 0.05–0.15, β 0.80–0.92), and two jumps a month of −1% ± 6%.
 */
import { optionProblems, type OptionKinds } from '../model/options-check.js';
import { describeValue, InputError } from '../errors.js';
import { semidefiniteFactor } from '../model/correlation.js';
import { Random } from '../sample/random.js';
import type { PriceHistory } from './history.js';
import type { Market, ValidatedMarket } from '../model/types.js';
import { isValidatedMarket, validateMarket } from '../model/validate.js';
import { exp, ln } from './math.js';

export interface SyntheticAsset {
  symbol: string;
  /** The first close (USD). */
  price: number;
  omega: number;
  alpha: number;
  beta: number;
  jumpsPerDay: number;
  /** Jump size in log return: mean and standard deviation. */
  jumpMean: number;
  jumpSd: number;
}

export const DEFAULT_SYNTHETIC_ASSET: Omit<SyntheticAsset, 'symbol' | 'price'> = {
  omega: 4.5e-5, alpha: 0.1, beta: 0.85, jumpsPerDay: 2 / 30, jumpMean: -0.01, jumpSd: 0.06,
};

export interface SyntheticHistoryOptions {
  assets: SyntheticAsset[];
  /** Row-major correlation of the assets' normal innovations (default: independent). */
  correlation?: number[][] | undefined;
  /** Number of daily closes (≥ 2). */
  days: number;
  seed: number;
  /** The first timestamp (ISO 8601; default 2016-01-01T00:00:00Z). */
  start?: string | undefined;
}

export function syntheticHistory(o: SyntheticHistoryOptions): PriceHistory {
  const m = o.assets.length, n = o.days;
  if (m === 0 || !(n >= 2) || !Number.isInteger(n)) throw new RangeError('a synthetic history needs at least one asset and an integer number of days ≥ 2');
  for (const a of o.assets) {
    if (!(a.omega > 0 && a.alpha >= 0 && a.beta >= 0 && a.alpha + a.beta < 1)) throw new RangeError(`${a.symbol}: GARCH parameters must have ω > 0, α, β ≥ 0, α + β < 1`);
    if (!(a.price > 0) || !(a.jumpsPerDay >= 0) || !(a.jumpSd >= 0)) throw new RangeError(`${a.symbol}: price > 0, jumpsPerDay ≥ 0, jumpSd ≥ 0`);
  }
  let factor: Float64Array | null = null;
  if (o.correlation) {
    const f = semidefiniteFactor(Float64Array.from(o.correlation.flat()), m);
    if (!f.l) throw new RangeError(`the correlation is not positive semidefinite (smallest eigenvalue ${f.minEigenvalue})`);
    factor = f.l;
  }
  const rng = new Random(o.seed);
  const start = Date.parse(o.start ?? '2016-01-01T00:00:00Z');
  const times = Float64Array.from({ length: n }, (_, t) => start + t * 86_400_000);
  const closes = o.assets.map((a) => {
    const c = new Float64Array(n);
    c[0] = a.price;
    return c;
  });
  const variance = Float64Array.from(o.assets, (a) => a.omega / (1 - a.alpha - a.beta));
  const z = new Float64Array(m), e = new Float64Array(m);
  for (let t = 0; t + 1 < n; t++) {
    for (let k = 0; k < m; k++) z[k] = normal(rng);
    for (let i = 0; i < m; i++) {
      let x = z[i];
      if (factor) {
        x = 0;
        for (let k = 0; k <= i; k++) x += factor[i * m + k] * z[k];
      }
      e[i] = x;
    }
    o.assets.forEach((a, k) => {
      let r = Math.sqrt(variance[k]) * e[k];
      // Poisson by inversion of the cumulative distribution: a handful of terms at these intensities
      const u = rng.float();
      let count = 0, p = exp(-a.jumpsPerDay), cdf = p;
      while (u > cdf && count < 50) {
        count++;
        p *= a.jumpsPerDay / count;
        cdf += p;
      }
      for (let j = 0; j < count; j++) r += a.jumpMean + a.jumpSd * normal(rng);
      closes[k][t + 1] = closes[k][t] * exp(r);
      variance[k] = a.omega + a.alpha * r * r + a.beta * variance[k];
    });
  }
  return { assets: o.assets.map((a) => a.symbol), times, closes };
}

/**
 * A synthetic history for the risky assets of a market (vol > 0): each starts at the market's price with the default
 * BTC-like dynamics ({@link DEFAULT_SYNTHETIC_ASSET}), the innovations correlated by the market's correlation matrix
 * (assets it does not list: uncorrelated). What `margin-core backtest` runs on when no history is given. `marketJson`:
 * a market validateMarket returned, or market JSON (validated here: a bad one is an InputError naming its path).
 */
export function syntheticHistoryFor(marketJson: ValidatedMarket | Market | unknown, o: { days: number; seed: number; start?: string | undefined }): PriceHistory {
  checkSyntheticOptions(o);
  const market = isValidatedMarket(marketJson) ? marketJson : validateMarket(marketJson);
  const symbols = [...market.assets].filter(([, a]) => a.vol > 0).map(([s]) => s).sort();
  if (symbols.length === 0) {
    // nothing to draw from (an imported market without option quotes has vol 0 everywhere): the caller's input, named
    throw new InputError([{ path: 'market.assets', message: 'no asset has a vol > 0: a synthetic history draws each asset\'s moves from its market vol (give a price history instead, or the assets\' vols)' }]);
  }
  const listed = market.correlation.assets, k = listed.length;
  const index = (s: string) => listed.indexOf(s);
  const correlation = symbols.map((a) => symbols.map((b) => {
    if (a === b) return 1;
    const i = index(a), j = index(b);
    return i < 0 || j < 0 ? 0 : market.correlation.matrix[i * k + j];
  }));
  return syntheticHistory({
    assets: symbols.map((symbol) => ({ symbol, price: market.assets.get(symbol)!.price, ...DEFAULT_SYNTHETIC_ASSET })),
    correlation, days: o.days, seed: o.seed, start: o.start,
  });
}

/**
 * A standard normal draw by Marsaglia's polar method: uniform pairs in the unit disc, then √(−2 ln s / s)·u. Only
 * arithmetic, √ and the deterministic ln (src/dynamic/math.ts): the same history in every JavaScript engine (the
 * Box–Muller of Random.normal uses Math.cos and Math.log, whose last bits differ between engines).
 */
function normal(rng: Random): number {
  for (;;) {
    const u = 2 * rng.float() - 1, v = 2 * rng.float() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * ln(s)) / s);
  }
}

/**
 * {@link syntheticHistoryFor}'s options, each at `options.<key>`: a misspelt `dys` or a `days` given as text had been
 * said as "needs days ≥ 2", naming no option.
 */
function checkSyntheticOptions(o: unknown): void {
  if (o === undefined) throw new InputError([{ path: 'options', message: 'missing: expected { days, seed, start? }' }]);
  const problems = optionProblems(o, SYNTHETIC_OPTION_KINDS);
  if (problems.length === 0) {
    const { days, seed } = o as { days: unknown; seed: unknown };
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 2) problems.push({ path: 'options.days', message: `expected a whole number of days ≥ 2, got ${describeValue(days)}` });
    if (typeof seed !== 'number' || !Number.isFinite(seed)) problems.push({ path: 'options.seed', message: `expected a finite number (equal seeds, equal histories), got ${describeValue(seed)}` });
  }
  if (problems.length > 0) throw new InputError(problems);
}

const SYNTHETIC_OPTION_KINDS: OptionKinds<{ days: number; seed: number; start?: string | undefined }> = { days: 'any', seed: 'any', start: 'any' };
