// Probing a liquidation's closes. Twin of src/kernels/js/probe-closes.ts (block: src/kernels/size-close-abi.ts): every
// position's whole step of one pooled rule-based account tried at once (the account's sums with one position at its
// new size, its slack to the target, the close's capped fee). Same operations in the same order as the twin.

const B_N = 0, B_CASH = 1, B_RAW = 2, B_W_IM = 3, B_W_MM = 4, B_BASE_MM = 5, B_TARGET_IM = 6, B_BUFFER = 7, B_STRIDE = 8;
const PROBE_HEADER = 9;
const PR_ON = 0, PR_QTY = 1, PR_ENTRY = 2, PR_CAP = 3, PR_CASH_AT_FILL = 4, PR_COST = 5, PR_NOMINAL = 6, PR_BACKING = 7;
const PR_DYN = 8, PR_TERMS_LENGTH = 14;
const PROBE_OUT = 5;

const T_MULTIPLIER = 0, T_NOTIONAL_UNIT = 1, T_PREMIUM = 2, T_SHORT_IM = 3, T_SHORT_MM = 4, T_ENTRY_WEIGHT = 5, T_MARK = 6;
const T_FIRST_UP_TO = 8, T_FIRST_IM = 9, T_FIRST_MM = 10, T_SCALE = 11, T_SIZE_IM = 12, T_SIZE_MM = 13;

let block: usize = 0;

@inline function B(i: i32): f64 {
  return load<f64>(block + (<usize>i << 3));
}

/** Probes the positions of the block at `blockPtr` whose record says so, into `outPtr` (5 f64 per position; NaN: not tried). */
export function probeCloses(blockPtr: usize, outPtr: usize): void {
  block = blockPtr;
  const n = <i32>B(B_N), stride = <i32>B(B_STRIDE), fixed = PR_TERMS_LENGTH + 6 * stride, baseMm = B(B_BASE_MM);
  const terms0 = PROBE_HEADER, records = PROBE_HEADER + 4 * n, statics = records + PR_DYN * n;
  let preIm: f64 = 0.0, preMm: f64 = 0.0, preMtm: f64 = 0.0, preGross: f64 = 0.0;
  for (let j: i32 = 0; j < n; j++) {
    const r = records + j * PR_DYN;
    if (B(r + PR_ON) != 0.0) {
      const t = statics + j * fixed, entry = B(r + PR_ENTRY), quantity = B(r + PR_QTY) - B(r + PR_CAP);
      const units = quantity * B(t + T_MULTIPLIER);
      const size = abs(units);
      const shortSize = (size - units) * 0.5;
      const longSize = (size + units) * 0.5;
      const pNotional = size * B(t + T_NOTIONAL_UNIT);
      const premium = longSize * B(t + T_PREMIUM);
      let pIm: f64, pMm: f64;
      if (pNotional <= B(t + T_FIRST_UP_TO)) {
        pIm = pNotional * B(t + T_FIRST_IM) + B(t + T_SHORT_IM) * shortSize + premium;
        pMm = pNotional * B(t + T_FIRST_MM) + B(t + T_SHORT_MM) * shortSize + premium;
      } else {
        const sched = t + PR_TERMS_LENGTH, bk = sched + bracketIn(pNotional, sched, stride);
        const over = pNotional - B(bk + stride);
        pIm = B(bk + 2 * stride) + over * B(bk + 3 * stride) + B(t + T_SHORT_IM) * shortSize + premium;
        pMm = B(bk + 4 * stride) + over * B(bk + 5 * stride) + B(t + T_SHORT_MM) * shortSize + premium;
      }
      pIm = pIm + pNotional * (B(t + T_SIZE_IM) * size);
      pMm = pMm + pNotional * (B(t + T_SIZE_MM) * size);
      const scale = B(t + T_SCALE);
      let im = preIm + pIm * scale;
      let mm = preMm + pMm * scale;
      let mtm = preMtm + units * (B(t + T_MARK) - entry * B(t + T_ENTRY_WEIGHT));
      let gross = preGross + pNotional * scale;
      for (let k = terms0 + 4 * (j + 1); k < records; k += 4) {
        im = im + B(k);
        mm = mm + B(k + 1);
        mtm = mtm + B(k + 2);
        gross = gross + B(k + 3);
      }
      const cash = B(B_CASH) + B(r + PR_CASH_AT_FILL);
      const equity = B(B_RAW) + cash + mtm, equityIm = B(B_W_IM) + cash + mtm, equityMm = B(B_W_MM) + cash + mtm;
      let slack: f64;
      if (B(B_TARGET_IM) != 0.0) slack = equityIm - im;
      else {
        const buffer = B(B_BUFFER), haircuts = equity - equityMm;
        slack = equityMm - mm * (1.0 + buffer) - (haircuts > 0.0 ? buffer * haircuts : 0.0);
      }
      const share = !(baseMm > 0.0) ? 1.0 : min(1.0, max(0.0, (baseMm - mm) / baseMm));
      const cap = B(r + PR_BACKING) * share - B(r + PR_COST);
      const fee = max(0.0, min(B(r + PR_NOMINAL), cap));
      const o = outPtr + (<usize>(PROBE_OUT * j) << 3);
      store<f64>(o, slack - fee);
      store<f64>(o + 8, mm);
      store<f64>(o + 16, fee);
      store<f64>(o + 24, slack);
      store<f64>(o + 32, cap);
    } else {
      const o = outPtr + (<usize>(PROBE_OUT * j) << 3);
      for (let f = 0; f < PROBE_OUT; f++) store<f64>(o + (<usize>f << 3), NaN); // not tried
    }
    const k = terms0 + 4 * j;
    preIm = preIm + B(k);
    preMm = preMm + B(k + 1);
    preMtm = preMtm + B(k + 2);
    preGross = preGross + B(k + 3);
  }
}

@inline function bracketIn(x: f64, at: i32, stride: i32): i32 {
  let b: i32 = 0;
  if (stride > 8) b += <i32>(B(at + b + 7) < x) << 3;
  if (stride > 4) b += <i32>(B(at + b + 3) < x) << 2;
  if (stride > 2) b += <i32>(B(at + b + 1) < x) << 1;
  if (stride > 1) b += <i32>(B(at + b) < x);
  return b;
}
