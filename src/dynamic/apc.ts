/**
 * Anti-procyclicality (APC) of a margin series: what a requirement becomes once the tools of EMIR RTS 153/2013
 * Art. 28(1) are applied to the margin a model calculated each day, and which tool decided each day's figure.
 *
 * Art. 28(1) asks a CCP to apply one of three tools (Commission Delegated Regulation (EU) No 153/2013, Art. 28):
 *  (a) `buffer`: "a margin buffer at least equal to 25 % of the calculated margins which it allows to be temporarily
 *      exhausted in periods where calculated margin requirements are rising significantly";
 *  (b) `stressed-weight`: "assigning at least 25 % weight to stressed observations in the lookback period";
 *  (c) `lookback-floor`: "ensuring that its margin requirements are not lower than those that would be calculated
 *      using volatility estimated over a 10 year historical lookback period".
 * On top, a speed limit caps the daily increase of the APC margin (the issue's ask; a limit never takes the margin
 * below the calculated one, which stays the minimum). Units: any money unit, the same in every series; days are
 * the series' steps.
 *
 * The buffer's release (margin-core's rule, since the regulation leaves it to the CCP): day t is in a release period
 * when the calculated margin rose by more than `releaseOnRise` over the last `releaseWindowDays` days
 * (raw[t] > raw[t − n]·(1 + releaseOnRise)); then the requirement stays at the previous day's APC margin while that
 * still covers the calculated margin with at most the full buffer: apc[t] = max(raw[t], min(raw[t]·(1 + rate),
 * apc[t − 1])). Outside release periods apc[t] = raw[t]·(1 + rate).
 */

export type ApcTool = 'buffer' | 'stressed-weight' | 'lookback-floor';

export interface ApcParams {
  /** The Art. 28(1) tool, or null for none (only the speed limit, if any, applies). */
  tool: ApcTool | null;
  /** (a): the buffer as a fraction of the calculated margin (≥ 0.25 by the regulation). */
  bufferRate: number;
  /** (a): a rise of the calculated margin by more than this fraction over the window releases the buffer. */
  releaseOnRise: number;
  /** (a): the window of that rise, in days (steps of the series). */
  releaseWindowDays: number;
  /** (b): the weight on the margin from stressed observations (≥ 0.25 by the regulation). */
  stressedWeight: number;
  /** The largest daily increase of the APC margin, as a fraction (0.25 = +25% a day); null: no limit. */
  maxDailyIncrease: number | null;
}

export const DEFAULT_APC_PARAMS: ApcParams = {
  tool: 'buffer',
  bufferRate: 0.25,
  releaseOnRise: 0.1,
  releaseWindowDays: 5,
  stressedWeight: 0.25,
  maxDailyIncrease: null,
};

/** What decided a day's APC margin. */
export type ApcBinding = 'buffer' | 'buffer-released' | 'stressed-weight' | 'lookback-floor' | 'speed-limit' | 'calculated';

export interface ApcInput {
  /** The margin the model calculated each day (≥ 0, finite). */
  raw: ArrayLike<number>;
  /** (b): the margin from the stressed observations each day (e.g. the model on the stressed lookback's volatility). */
  stressed?: ArrayLike<number> | undefined;
  /** (c): the margin from a 10-year lookback's volatility each day. */
  tenYear?: ArrayLike<number> | undefined;
}

export interface ApcResult {
  /** The APC margin each day. */
  margin: Float64Array;
  /** What decided it each day. */
  binding: ApcBinding[];
  /** Days in a buffer release period (tool `buffer`). */
  released: Uint8Array;
}

/**
 * The APC margin of each day of `input` under `params` (a validated {@link ApcParams}). The series must be of one
 * length, finite and ≥ 0; the tool's extra series must be given (RangeError otherwise: callers validate inputs).
 */
export function applyApc(input: ApcInput, params: ApcParams): ApcResult {
  const n = input.raw.length;
  const raw = input.raw;
  const extra = params.tool === 'stressed-weight' ? input.stressed : params.tool === 'lookback-floor' ? input.tenYear : undefined;
  if ((params.tool === 'stressed-weight' || params.tool === 'lookback-floor') && (extra === undefined || extra.length !== n)) {
    throw new RangeError(`the ${params.tool} tool needs its series (${params.tool === 'stressed-weight' ? 'stressed' : 'tenYear'}) of ${n} days`);
  }
  const margin = new Float64Array(n);
  const binding: ApcBinding[] = new Array(n);
  const released = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    const r = raw[t];
    let m = r;
    let why: ApcBinding = 'calculated';
    if (params.tool === 'buffer') {
      const full = r * (1 + params.bufferRate);
      const back = t - params.releaseWindowDays;
      const rising = back >= 0 && r > raw[back] * (1 + params.releaseOnRise);
      if (rising && t > 0) {
        released[t] = 1;
        m = Math.max(r, Math.min(full, margin[t - 1]));
        why = m === r ? 'calculated' : 'buffer-released';
      } else {
        m = full;
        why = full > r ? 'buffer' : 'calculated';
      }
    } else if (params.tool === 'stressed-weight') {
      m = (1 - params.stressedWeight) * r + params.stressedWeight * extra![t];
      if (m < r) m = r; // the stressed observations never lower the calculated margin
      why = m > r ? 'stressed-weight' : 'calculated';
    } else if (params.tool === 'lookback-floor') {
      if (extra![t] > r) {
        m = extra![t];
        why = 'lookback-floor';
      }
    }
    if (params.maxDailyIncrease !== null && t > 0) {
      const cap = margin[t - 1] * (1 + params.maxDailyIncrease);
      if (m > cap) {
        m = Math.max(cap, r);
        why = m === r ? 'calculated' : 'speed-limit';
      }
    }
    margin[t] = m;
    binding[t] = why;
  }
  return { margin, binding, released };
}
