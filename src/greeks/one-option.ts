/**
 * One option's generalised-BSM price through the JS twin of the Greeks kernel (the same bits as every backend's
 * batch price), with no allocation per call: for searches that price one option at many spots or vols (liquidation
 * prices, liquidation fills).
 */
import { bsmGreeksJs } from '../kernels/js/bsm.js';

const one = {
  isCall: new Uint8Array(1), spot: new Float64Array(1), strike: new Float64Array(1), expiryYears: new Float64Array(1),
  vol: new Float64Array(1), rate: new Float64Array(1), carry: new Float64Array(1),
  price: new Float64Array(1), delta: new Float64Array(1), gamma: new Float64Array(1), vega: new Float64Array(1), theta: new Float64Array(1), rho: new Float64Array(1),
};

/** Price per unit of the underlying (USD). Units: years, annualised decimal vol, continuous rate and carry. */
export function optionPrice(isCall: boolean, spot: number, strike: number, expiryYears: number, vol: number, rate: number, carry: number): number {
  return priceOne(isCall, spot, strike, expiryYears, vol, rate, carry).price[0];
}

/** ∂price/∂spot (per unit of the underlying), same units as {@link optionPrice}. */
export function optionDelta(isCall: boolean, spot: number, strike: number, expiryYears: number, vol: number, rate: number, carry: number): number {
  return priceOne(isCall, spot, strike, expiryYears, vol, rate, carry).delta[0];
}

function priceOne(isCall: boolean, spot: number, strike: number, expiryYears: number, vol: number, rate: number, carry: number): typeof one {
  one.isCall[0] = isCall ? 1 : 0;
  one.spot[0] = spot;
  one.strike[0] = strike;
  one.expiryYears[0] = expiryYears;
  one.vol[0] = vol;
  one.rate[0] = rate;
  one.carry[0] = carry;
  bsmGreeksJs(one, 0, 1);
  return one;
}
