/**
 * The probing kernel's JS twin (assembly/liquidation/probe-closes.ts; block: src/kernels/size-close-abi.ts): every
 * position's whole step of one pooled rule-based account tried at once, as src/liquidation/next-step.ts probes them
 * before choosing what to close: the account's sums with one position at its new size (one-change-trials.ts position:
 * the running sums before its slot, its new terms, the base terms after it, in slot order), its slack to the target
 * (target-slack.ts) and the close's fee, capped by the surplus of the part closed (trial.ts tryClose). The same
 * operations in the same order: the same bits as the trials, on every backend.
 */
import {
  B_BASE_MM, B_BUFFER, B_CASH, B_N, B_RAW, B_STRIDE, B_TARGET_IM, B_W_IM, B_W_MM, PR_BACKING, PR_CAP, PR_CASH_AT_FILL, PR_COST, PR_DYN,
  PR_ENTRY, PR_NOMINAL, PR_ON, PR_QTY, PR_TERMS_LENGTH, PROBE_HEADER, PROBE_OUT, probeDynamicLength, probeStaticLength,
} from '../size-close-abi.js';

const T_MULTIPLIER = 0, T_NOTIONAL_UNIT = 1, T_PREMIUM = 2, T_SHORT_IM = 3, T_SHORT_MM = 4, T_ENTRY_WEIGHT = 5, T_MARK = 6;
const T_FIRST_UP_TO = 8, T_FIRST_IM = 9, T_FIRST_MM = 10, T_SCALE = 11, T_SIZE_IM = 12, T_SIZE_MM = 13;

/** Probes the positions of the block B (from 0) whose record says so, into `out` (PROBE_OUT per position; NaN: not tried). */
export function probeClosesJs(B: Float64Array, out: Float64Array): void {
  const n = B[B_N], stride = B[B_STRIDE], fixed = probeStaticLength(stride), baseMm = B[B_BASE_MM];
  const terms0 = PROBE_HEADER, records = PROBE_HEADER + 4 * n, statics = probeDynamicLength(n);
  let preIm = 0.0, preMm = 0.0, preMtm = 0.0, preGross = 0.0;
  for (let j = 0; j < n; j++) {
    const r = records + j * PR_DYN;
    if (B[r + PR_ON] !== 0) {
      // the position's terms at its size after the close (margin.ts positionTerms)
      const t = statics + j * fixed, entry = B[r + PR_ENTRY], quantity = B[r + PR_QTY] - B[r + PR_CAP];
      const units = quantity * B[t + T_MULTIPLIER];
      const size = Math.abs(units);
      const shortSize = (size - units) * 0.5;
      const longSize = (size + units) * 0.5;
      const pNotional = size * B[t + T_NOTIONAL_UNIT];
      const premium = longSize * B[t + T_PREMIUM];
      let pIm: number, pMm: number;
      if (pNotional <= B[t + T_FIRST_UP_TO]) {
        pIm = pNotional * B[t + T_FIRST_IM] + B[t + T_SHORT_IM] * shortSize + premium;
        pMm = pNotional * B[t + T_FIRST_MM] + B[t + T_SHORT_MM] * shortSize + premium;
      } else {
        const sched = t + PR_TERMS_LENGTH, bk = sched + bracketIn(B, pNotional, sched, stride);
        const over = pNotional - B[bk + stride];
        pIm = B[bk + 2 * stride] + over * B[bk + 3 * stride] + B[t + T_SHORT_IM] * shortSize + premium;
        pMm = B[bk + 4 * stride] + over * B[bk + 5 * stride] + B[t + T_SHORT_MM] * shortSize + premium;
      }
      pIm = pIm + pNotional * (B[t + T_SIZE_IM] * size);
      pMm = pMm + pNotional * (B[t + T_SIZE_MM] * size);
      const scale = B[t + T_SCALE];
      let im = preIm + pIm * scale;
      let mm = preMm + pMm * scale;
      let mtm = preMtm + units * (B[t + T_MARK] - entry * B[t + T_ENTRY_WEIGHT]);
      let gross = preGross + pNotional * scale;
      for (let k = terms0 + 4 * (j + 1); k < records; k += 4) {
        im = im + B[k];
        mm = mm + B[k + 1];
        mtm = mtm + B[k + 2];
        gross = gross + B[k + 3];
      }
      const cash = B[B_CASH] + B[r + PR_CASH_AT_FILL];
      const equity = B[B_RAW] + cash + mtm, equityIm = B[B_W_IM] + cash + mtm, equityMm = B[B_W_MM] + cash + mtm;
      let slack: number;
      if (B[B_TARGET_IM] !== 0) slack = equityIm - im;
      else {
        const buffer = B[B_BUFFER], haircuts = equity - equityMm;
        slack = equityMm - mm * (1 + buffer) - (haircuts > 0 ? buffer * haircuts : 0);
      }
      const share = !(baseMm > 0) ? 1 : Math.min(1, Math.max(0, (baseMm - mm) / baseMm));
      const cap = B[r + PR_BACKING] * share - B[r + PR_COST];
      const fee = Math.max(0, Math.min(B[r + PR_NOMINAL], cap));
      const o = PROBE_OUT * j;
      out[o] = slack - fee;
      out[o + 1] = mm;
      out[o + 2] = fee;
      out[o + 3] = slack;
      out[o + 4] = cap;
    } else out.fill(Number.NaN, PROBE_OUT * j, PROBE_OUT * j + PROBE_OUT); // not tried
    // the running sums before the next slot, as one-change-trials.ts keeps them
    const k = terms0 + 4 * j;
    preIm = preIm + B[k];
    preMm = preMm + B[k + 1];
    preMtm = preMtm + B[k + 2];
    preGross = preGross + B[k + 3];
  }
}

/** margin.ts bracketOf on the bracket bounds at B[at, at + stride): the bracket's index in the row. */
function bracketIn(B: Float64Array, x: number, at: number, stride: number): number {
  let b = 0;
  if (stride > 8) b += (B[at + b + 7] < x ? 1 : 0) << 3;
  if (stride > 4) b += (B[at + b + 3] < x ? 1 : 0) << 2;
  if (stride > 2) b += (B[at + b + 1] < x ? 1 : 0) << 1;
  if (stride > 1) b += B[at + b] < x ? 1 : 0;
  return b;
}
