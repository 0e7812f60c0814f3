/**
 * The close-sizing kernel (assembly/liquidation/size-close.ts, JS twin src/kernels/js/size-close.ts) and the probing
 * kernel (assembly/liquidation/probe-closes.ts, twin src/kernels/js/probe-closes.ts): closes of a pooled rule-based
 * account worked by hand, and the same bits on js, wasm-scalar and wasm-simd on random rows and blocks
 * (src/kernels/size-close-abi.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { probeClosesJs } from '../../src/kernels/js/probe-closes.js';
import { sizeClosesJs } from '../../src/kernels/js/size-close.js';
import {
  S_BACKING, S_BASE_MM, S_BASE_QTY, S_BOUND, S_BREAKS, S_BUFFER, S_CASH, S_END_BEFORE, S_END_CAP, S_END_MM, S_END_NOMINAL, S_END_SLACK,
  S_ENOUGH, S_ENTRY, S_FEE_RATE, S_HAS_END, S_LIMIT, S_MARK, S_MULT, S_PRE_GROSS, S_PRE_IM, S_PRE_MM, S_PRE_MTM, S_RAW, S_SLACK0,
  S_SLIP_A, S_SLIP_ADV, S_SLIP_KIND, S_STRIDE, S_TAIL, S_TARGET_IM, S_TERMS, S_VOL, S_W_IM, S_W_MM, SIZE_HEADER, SIZE_OUT, SLIP_LINEAR,
  SLIP_NONE, SLIP_SQRT, sizeRowLength, B_BASE_MM, B_BUFFER, B_CASH, B_N, B_RAW, B_STRIDE, B_TARGET_IM, B_W_IM, B_W_MM, PR_BACKING, PR_CAP,
  PR_CASH_AT_FILL, PR_COST, PR_DYN, PR_ENTRY, PR_NOMINAL, PR_ON, PR_QTY, PROBE_HEADER, PROBE_OUT, probeBlockLength, probeDynamicLength,
  probeStaticLength,
} from '../../src/kernels/size-close-abi.js';
import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import { mulberry32 } from '../support/random.js';

let scalar: WasmKernels, simd: WasmKernels;
beforeAll(async () => {
  scalar = await WasmKernels.create('scalar');
  simd = await WasmKernels.create('simd');
});

interface Position {
  quantity: number;
  entry: number;
  mark: number;
  /** One flat bracket up to `upTo` USD of notional, then `over` rates above it (stride 2), or flat everywhere. */
  mmRate: number;
  imRate: number;
  bracket?: { upTo: number; mmRate: number; imRate: number };
}

/**
 * A row for one position alone (no other slot: no tail), with `cash` USD of stable collateral counted in full, a
 * mark-to-market at the entry, the target mm-buffer `buffer`, and the fee `feeRate` × notional.
 */
function oneRow(p: Position, cash: number, slippage: { kind: number; a: number; adv: number; vol: number }, feeRate: number, buffer: number, limit: number): Float64Array {
  const stride = p.bracket ? 2 : 1;
  const row = new Float64Array(sizeRowLength(0, 0, stride));
  const notional = Math.abs(p.quantity) * p.mark;
  const mm = p.bracket && notional > p.bracket.upTo ? p.bracket.upTo * p.mmRate + (notional - p.bracket.upTo) * p.bracket.mmRate : notional * p.mmRate;
  const equity = cash + p.quantity * (p.mark - p.entry);
  row[S_LIMIT] = limit;
  row[S_SLACK0] = equity - mm * (1 + buffer);
  row[S_ENOUGH] = 1e-9 * (notional + Math.abs(equity) + 1);
  row[S_BASE_MM] = mm;
  row[S_BOUND] = Infinity;
  row[S_HAS_END] = 0;
  row[S_BASE_QTY] = p.quantity;
  row[S_ENTRY] = p.entry;
  row[S_CASH] = 0;
  row[S_BACKING] = equity;
  row[S_MARK] = p.mark;
  row[S_MULT] = 1;
  row[S_SLIP_KIND] = slippage.kind;
  row[S_SLIP_A] = slippage.a;
  row[S_SLIP_ADV] = slippage.adv;
  row[S_VOL] = slippage.vol;
  row[S_FEE_RATE] = feeRate;
  row[S_TARGET_IM] = 0;
  row[S_BUFFER] = buffer;
  row[S_RAW] = row[S_W_IM] = row[S_W_MM] = cash;
  // terms: multiplier, notional per unit, premium, short IM and MM, entry weight, mark, schedule, first bracket's
  // bound and IM and MM rates, scale, size-growing IM and MM
  row.set([1, p.mark, 0, 0, 0, 1, p.mark, 0, p.bracket ? p.bracket.upTo : Infinity, p.imRate, p.mmRate, 1, 0, 0], S_TERMS);
  row[S_TAIL] = 0;
  row[S_BREAKS] = 0;
  row[S_STRIDE] = stride;
  if (p.bracket) {
    const b = p.bracket;
    // up to, lower, cumulative IM, IM rate, cumulative MM, MM rate of the two brackets
    row.set([b.upTo, Infinity, 0, b.upTo, 0, b.upTo * p.imRate, p.imRate, b.imRate, 0, b.upTo * p.mmRate, p.mmRate, b.mmRate], SIZE_HEADER);
  } else row.set([Infinity, 0, 0, p.imRate, 0, p.mmRate], SIZE_HEADER);
  return row;
}

function sizeOn(which: 'js' | 'wasm-scalar' | 'wasm-simd', rows: Float64Array, count: number): Float64Array {
  const out = new Float64Array(SIZE_OUT * count);
  if (which === 'js') sizeClosesJs(rows, count, out);
  else (which === 'wasm-scalar' ? scalar : simd).sizeCloses(rows, rows.length, count, out);
  return out;
}

const BACKENDS = ['js', 'wasm-scalar', 'wasm-simd'] as const;
const NO_SLIPPAGE = { kind: SLIP_NONE, a: 0, adv: 1, vol: 0 };

describe('the close-sizing kernel on closes worked by hand', () => {
  it.each(BACKENDS)('a linear requirement: the root of −21 + 4.1q, on %s', (backend) => {
    // long 10 X at 100 (entered at 100), 30 USD, MM 5%, buffer 2%, fee 1%, no slippage. Closing q leaves
    // MM = 0.05 × 100 × (10 − q) = 50 − 5q, target 1.02 × MM = 51 − 5.1q, equity 30 (a close at the mark realizes 0);
    // the fee is min(1% × 100q, cap) with cap = 30 × (5q / 50) − 0 = 3q, so q. S(q) = 30 − 51 + 5.1q − q = −21 + 4.1q,
    // whose root is q = 21 / 4.1 = 5.1219512…; the fee at it is q USD.
    const row = oneRow({ quantity: 10, entry: 100, mark: 100, mmRate: 0.05, imRate: 0.1 }, 30, NO_SLIPPAGE, 0.01, 0.02, 10);
    const [root, fee] = sizeOn(backend, row, 1);
    expect(row[S_SLACK0]).toBeCloseTo(-21, 12);
    // the slack at the root is in [0, tolerance]: slope 4.1, tolerance 1e-9 × (1,000 + 30 + 1)
    expect(root).toBeGreaterThanOrEqual(21 / 4.1 - 1e-12);
    expect(root - 21 / 4.1).toBeLessThan((1e-9 * 1031) / 4.1);
    expect(fee).toBeCloseTo(21 / 4.1, 6);
  });

  it.each(BACKENDS)('a short closes by buying back: the root is negative, −21 / 4.1, on %s', (backend) => {
    // short 10 X at 100, 30 USD: the same slack by symmetry (a buy-back at the mark realizes 0), closed by q < 0
    const row = oneRow({ quantity: -10, entry: 100, mark: 100, mmRate: 0.05, imRate: 0.1 }, 30, NO_SLIPPAGE, 0.01, 0.02, -10);
    const [root] = sizeOn(backend, row, 1);
    expect(root).toBeLessThanOrEqual(-21 / 4.1 + 1e-12);
    expect(-21 / 4.1 - root).toBeLessThan((1e-9 * 1031) / 4.1);
  });

  it.each(BACKENDS)('linear depth: the smaller of two roots, S(q) = −3.6 + 3.58q − 0.175q², on %s', (backend) => {
    // long 20 X at 100, 78 USD, MM 4%, fee 0.5%, depth 0.35 USD per unit (a close of q fills at 100 − 0.175q):
    // MM = 80 − 4q, target 81.6 − 4.08q; the fill realizes −0.175q²; the fee 0.5q (below its cap
    // 78 × 0.05q − 0.175q² while q < 19.4). S(q) = 78 − 0.175q² − 81.6 + 4.08q − 0.5q, roots 1.0606… and 19.39…
    const depth = { kind: SLIP_LINEAR, a: 0.35, adv: 1, vol: 0 };
    const row = oneRow({ quantity: 20, entry: 100, mark: 100, mmRate: 0.04, imRate: 0.08 }, 78, depth, 0.005, 0.02, 20);
    const [root] = sizeOn(backend, row, 1);
    const smaller = (3.58 - Math.sqrt(3.58 ** 2 - 4 * 0.175 * 3.6)) / 0.35;
    expect(smaller).toBeCloseTo(1.0606, 4);
    expect(Math.abs(root - smaller)).toBeLessThan(1e-6);
  });

  it.each(BACKENDS)('no close restores: NaN, on %s', (backend) => {
    // long 10 X at 100 with 2 USD: the fee is min(q, its cap 2 × (5q / 50) = 0.2q) = 0.2q, so S(q) = 2 − 51 + 5.1q − 0.2q
    // = −49 + 4.9q, below 0 up to a step of 5 (−24.5). (The whole 10 would leave exactly 0: a full close's fee takes
    // the equity the fill leaves, and that restores.)
    const row = oneRow({ quantity: 10, entry: 100, mark: 100, mmRate: 0.05, imRate: 0.1 }, 2, NO_SLIPPAGE, 0.01, 0.02, 5);
    expect(sizeOn(backend, row, 1)[0]).toBeNaN();
    const whole = oneRow({ quantity: 10, entry: 100, mark: 100, mmRate: 0.05, imRate: 0.1 }, 2, NO_SLIPPAGE, 0.01, 0.02, 10);
    expect(sizeOn(backend, whole, 1)).toEqual(Float64Array.from([10, 2]));
  });

  it.each(BACKENDS)('a bracket edge: the root past it, on %s', (backend) => {
    // long 10 X at 100 (notional 1,000), MM 4% up to 500 USD and 8% above: MM = 20 + 0.08 × 500 = 60. With 40 USD, no
    // fee: above the edge (q < 5) S(q) = 40 − 1.02 × (60 − 8q) = −21.2 + 8.16q, which is 0 at q = 2.598… < 5
    const row = oneRow({ quantity: 10, entry: 100, mark: 100, mmRate: 0.04, imRate: 0.08, bracket: { upTo: 500, mmRate: 0.08, imRate: 0.16 } }, 40, NO_SLIPPAGE, 0, 0.02, 10);
    expect(row[S_BASE_MM]).toBe(60);
    const [root, fee] = sizeOn(backend, row, 1);
    // S at the root is in [0, tolerance]: slope 8.16, tolerance 1e-9 × (1,000 + 40 + 1)
    expect(root).toBeGreaterThanOrEqual(21.2 / 8.16 - 1e-12);
    expect(root - 21.2 / 8.16).toBeLessThan((1e-9 * 1041) / 8.16);
    expect(fee).toBe(0);
  });
});

/** Random rows of every shape the engine writes: tails, breakpoints, bracket rows, slippage models, caps known or not. */
function randomRows(count: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  const parts: Float64Array[] = [];
  for (let r = 0; r < count; r++) {
    const tail = Math.floor(rnd() * 6), stride = [1, 2, 4, 8, 16][Math.floor(rnd() * 5)], mark = 10 ** (rnd() * 4);
    const quantity = (rnd() < 0.5 ? -1 : 1) * (0.5 + rnd() * 50), entry = mark * (0.8 + 0.4 * rnd());
    const breaks = Array.from({ length: Math.floor(rnd() * 4) }, () => rnd() * Math.abs(quantity)).sort((x, y) => x - y);
    const row = new Float64Array(sizeRowLength(tail, breaks.length, stride));
    const notional = Math.abs(quantity) * mark, mm = notional * (0.01 + 0.1 * rnd()), cash = mm * (0.3 + 1.2 * rnd());
    const limit = Math.sign(quantity) * Math.abs(quantity) * (rnd() < 0.5 ? 1 : 0.25);
    row[S_LIMIT] = limit;
    row[S_SLACK0] = -mm * 0.3 * rnd() - 1e-3;
    row[S_ENOUGH] = 1e-9 * (notional + cash + 1);
    row[S_BASE_MM] = mm * (0.9 + 0.2 * rnd());
    row[S_BOUND] = rnd() < 0.2 ? -1 : Infinity;
    row[S_HAS_END] = rnd() < 0.3 ? 1 : 0;
    for (const f of [S_END_SLACK, S_END_MM, S_END_BEFORE, S_END_NOMINAL, S_END_CAP]) row[f] = (rnd() - 0.5) * mm;
    row[S_BASE_QTY] = quantity;
    row[S_ENTRY] = entry;
    row[S_CASH] = cash * rnd();
    row[S_BACKING] = cash * (0.5 + rnd());
    row[S_MARK] = mark;
    row[S_MULT] = rnd() < 0.5 ? 1 : 0.01 * (1 + Math.floor(rnd() * 10));
    row[S_SLIP_KIND] = Math.floor(rnd() * 3);
    row[S_SLIP_A] = row[S_SLIP_KIND] === SLIP_SQRT ? 0.5 + rnd() : rnd() * mark * 0.01;
    row[S_SLIP_ADV] = 1e5 + rnd() * 1e8;
    row[S_VOL] = 0.2 + rnd();
    row[S_FEE_RATE] = rnd() * 0.01;
    row[S_TARGET_IM] = rnd() < 0.2 ? 1 : 0;
    row[S_BUFFER] = rnd() * 0.05;
    row[S_RAW] = cash;
    row[S_W_IM] = cash * 0.95;
    row[S_W_MM] = cash * 0.98;
    row[S_PRE_IM] = mm * rnd();
    row[S_PRE_MM] = mm * rnd() * 0.5;
    row[S_PRE_MTM] = (rnd() - 0.5) * mm;
    row[S_PRE_GROSS] = notional * rnd();
    const upTo0 = notional * rnd();
    row.set([row[S_MULT], mark, 0, rnd() * 0.01, rnd() * 0.005, 1, mark, 0, upTo0, 0.02 + 0.1 * rnd(), 0.01 + 0.05 * rnd(), 1, rnd() * 1e-6, rnd() * 1e-6], S_TERMS);
    row[S_TAIL] = tail;
    row[S_BREAKS] = breaks.length;
    row[S_STRIDE] = stride;
    let at = SIZE_HEADER;
    for (let k = 0; k < 4 * tail; k++) row[at++] = (rnd() - 0.3) * mm * 0.2;
    for (const b of breaks) row[at++] = b;
    // a bracket row: bounds ascending (padded with Infinity), lower bounds, cumulative and marginal rates
    let bound = upTo0;
    for (let k = 0; k < stride; k++) {
      const padded = k >= stride - 1 || rnd() < 0.2;
      row[at + k] = padded ? Infinity : (bound += notional * rnd());
      row[at + stride + k] = k === 0 ? 0 : row[at + k - 1];
      row[at + 2 * stride + k] = mm * k * 0.1;
      row[at + 3 * stride + k] = 0.02 + 0.02 * k;
      row[at + 4 * stride + k] = mm * k * 0.05;
      row[at + 5 * stride + k] = 0.01 + 0.01 * k;
      if (padded) for (let j = k + 1; j < stride; j++) row[at + j] = Infinity;
      if (padded) break;
    }
    parts.push(row);
  }
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

describe('the close-sizing kernel on random rows', () => {
  it('gives the same bits on js, wasm-scalar and wasm-simd, roots and fees', () => {
    const count = 600, rows = randomRows(count, 52);
    const [js, wasmScalar, wasmSimd] = BACKENDS.map((b) => sizeOn(b, rows, count));
    let found = 0;
    for (let k = 0; k < count; k++) if (!Number.isNaN(js[SIZE_OUT * k])) found++;
    // the rows are not all hopeless or all trivial: the search runs both ways
    expect(found).toBeGreaterThan(count / 10);
    expect(found).toBeLessThan(count);
    for (const out of [wasmScalar, wasmSimd]) {
      for (let k = 0; k < out.length; k++) if (!Object.is(out[k], js[k])) expect.fail(`result ${k}: ${out[k]} against the twin's ${js[k]}`);
    }
  });

  it('sizes a batch as it sizes each row alone', () => {
    const count = 40, rows = randomRows(count, 7), batch = sizeOn('wasm-simd', rows, count);
    let o = 0;
    for (let r = 0; r < count; r++) {
      const length = sizeRowLength(rows[o + S_TAIL], rows[o + S_BREAKS], rows[o + S_STRIDE]);
      const alone = sizeOn('js', rows.slice(o, o + length), 1);
      expect(Object.is(alone[0], batch[SIZE_OUT * r]) && Object.is(alone[1], batch[SIZE_OUT * r + 1])).toBe(true);
      o += length;
    }
  });
});

function probeOn(which: 'js' | 'wasm-scalar' | 'wasm-simd', block: Float64Array): Float64Array {
  const out = new Float64Array(PROBE_OUT * block[B_N]);
  if (which === 'js') probeClosesJs(block, out);
  else (which === 'wasm-scalar' ? scalar : simd).probeCloses(block, block.length, probeDynamicLength(block[B_N]), 1, out, out.length);
  return out;
}

/** A block of n positions with random terms, one flat or bracketed schedule each, and random closes; some not probed. */
function randomBlock(n: number, rnd: () => number): Float64Array {
  const stride = [1, 2, 4, 8][Math.floor(rnd() * 4)], block = new Float64Array(probeBlockLength(n, stride));
  const mm = 100 + 1000 * rnd();
  block[B_N] = n;
  block[B_CASH] = (rnd() - 0.5) * mm;
  block[B_RAW] = mm * rnd();
  block[B_W_IM] = block[B_RAW] * 0.9;
  block[B_W_MM] = block[B_RAW] * 0.95;
  block[B_BASE_MM] = rnd() < 0.1 ? 0 : mm;
  block[B_TARGET_IM] = rnd() < 0.2 ? 1 : 0;
  block[B_BUFFER] = rnd() * 0.05;
  block[B_STRIDE] = stride;
  for (let k = 0; k < 4 * n; k++) block[PROBE_HEADER + k] = (rnd() - 0.3) * mm * 0.2;
  const records = PROBE_HEADER + 4 * n, statics = probeDynamicLength(n), fixed = probeStaticLength(stride);
  for (let j = 0; j < n; j++) {
    const r = records + j * PR_DYN, t = statics + j * fixed, mark = 10 ** (rnd() * 4), quantity = (rnd() < 0.5 ? -1 : 1) * (0.1 + 20 * rnd());
    block[r + PR_ON] = rnd() < 0.8 ? 1 : 0;
    block[r + PR_QTY] = quantity;
    block[r + PR_ENTRY] = mark * (0.8 + 0.4 * rnd());
    block[r + PR_CAP] = quantity * (rnd() < 0.5 ? 1 : 0.25);
    block[r + PR_CASH_AT_FILL] = (rnd() - 0.5) * mark;
    block[r + PR_COST] = rnd() * mark * 0.01;
    block[r + PR_NOMINAL] = rnd() * mark * 0.02;
    block[r + PR_BACKING] = (rnd() - 0.2) * mm;
    const upTo0 = Math.abs(quantity) * mark * rnd();
    block.set([rnd() < 0.5 ? 1 : 0.1, mark, rnd() < 0.3 ? mark * 0.05 : 0, rnd() * 0.01, rnd() * 0.005, rnd() < 0.8 ? 1 : 0, mark, 0, upTo0, 0.1 * rnd(), 0.05 * rnd(), rnd() < 0.8 ? 1 : 1 / mark, rnd() * 1e-6, rnd() * 1e-6], t);
    let bound = upTo0;
    for (let k = 0; k < stride; k++) {
      const last = k === stride - 1;
      block[t + 14 + k] = last ? Infinity : (bound += Math.abs(quantity) * mark * rnd());
      block[t + 14 + stride + k] = k === 0 ? 0 : block[t + 14 + k - 1];
      block[t + 14 + 2 * stride + k] = mm * k * 0.1;
      block[t + 14 + 3 * stride + k] = 0.02 + 0.02 * k;
      block[t + 14 + 4 * stride + k] = mm * k * 0.05;
      block[t + 14 + 5 * stride + k] = 0.01 + 0.01 * k;
    }
  }
  return block;
}

describe('the probing kernel', () => {
  it.each(BACKENDS)('a capped step of one position worked by hand, on %s', (backend) => {
    // long 10 X at 100 (entered at 100), 30 USD, MM 5%, buffer 2%: a step of 2.5 at the mark leaves MM 37.5, target
    // 1.02 × 37.5 = 38.25, slack before the fee 30 − 38.25 = −8.25. Its fee: 1% of 250 = 2.5, below its cap
    // 30 × (12.5 / 50) − 0 = 7.5; slack after it −10.75.
    const block = new Float64Array(probeBlockLength(1, 1));
    block[B_N] = 1;
    block[B_RAW] = block[B_W_IM] = block[B_W_MM] = 30;
    block[B_BASE_MM] = 50;
    block[B_BUFFER] = 0.02;
    block[B_STRIDE] = 1;
    block.set([1000, 100, 0, 1000], PROBE_HEADER); // the base terms: IM 10% and MM 5% of 1,000, P&L 0, notional 1,000
    const r = PROBE_HEADER + 4;
    block.set([1, 10, 100, 2.5, 0, 0, 2.5, 30], r); // probed, size 10, entry 100, close 2.5 at the mark, fee 2.5, equity 30
    block.set([1, 100, 0, 0, 0, 1, 100, 0, Infinity, 0.1, 0.05, 1, 0, 0, Infinity, 0, 0, 0.1, 0, 0.05], probeDynamicLength(1));
    const [slack, mm, fee, before, cap] = probeOn(backend, block);
    expect(mm).toBe(37.5);
    expect(before).toBeCloseTo(-8.25, 12);
    expect(fee).toBe(2.5);
    expect(cap).toBe(7.5);
    expect(slack).toBeCloseTo(-10.75, 12);
  });

  it('gives the same bits on js, wasm-scalar and wasm-simd on random blocks', () => {
    const rnd = mulberry32(48);
    for (let b = 0; b < 200; b++) {
      const block = randomBlock(1 + Math.floor(rnd() * 24), rnd);
      const [js, wasmScalar, wasmSimd] = BACKENDS.map((k) => probeOn(k, block));
      for (const out of [wasmScalar, wasmSimd]) {
        for (let k = 0; k < out.length; k++) if (!Object.is(out[k], js[k])) expect.fail(`block ${b}, result ${k}: ${out[k]} against the twin's ${js[k]}`);
      }
    }
  });
});
