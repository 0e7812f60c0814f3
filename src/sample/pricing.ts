/**
 * Black-Scholes-Merton price and delta, only to give sample positions plausible entry prices and
 * hedges. Not the engine's pricer (that is the Greeks kernel, accurate to ~1e-15); the normal CDF
 * here is Abramowitz & Stegun 26.2.17 (|error| < 7.5e-8), ample for synthetic data.
 */

function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = Math.exp(-0.5 * x * x) * 0.3989422804014327 * poly;
  return x >= 0 ? 1 - tail : tail;
}

export interface OptionQuote {
  /** Premium in USD per unit of the underlying. */
  price: number;
  /** ∂price/∂spot. */
  delta: number;
}

/** Generalised BSM with continuous carry q: forward S·e^{(r−q)T}. */
export function quoteOption(isCall: boolean, spot: number, strike: number, years: number, vol: number, rate: number, carry: number): OptionQuote {
  const sd = vol * Math.sqrt(years);
  const growth = Math.exp(-carry * years);
  const discount = Math.exp(-rate * years);
  const d1 = (Math.log(spot / strike) + (rate - carry) * years) / sd + sd / 2;
  const d2 = d1 - sd;
  if (isCall) {
    return { price: spot * growth * normalCdf(d1) - strike * discount * normalCdf(d2), delta: growth * normalCdf(d1) };
  }
  return { price: strike * discount * normalCdf(-d2) - spot * growth * normalCdf(-d1), delta: -growth * normalCdf(-d1) };
}
