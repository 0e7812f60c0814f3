/**
 * The portfolio method's per-book preparation (src/methods/engines/scenario-grid/book-groups.ts, add-on-plan.ts) against
 * straightforward references kept here: the slots stably insertion-sorted by underlying and cut into groups
 * (slot-groups.ts, as re-margined accounts and pools build theirs), and the add-on entries found by a linear search
 * per position and ordered by a stable sort, as scanAddOns orders them. On random books (repeated strikes across
 * underlyings and instruments, the same instrument twice in an account, −0 and 0 quantities, more than 31
 * underlyings, balances of exposed, stable and zero amounts, accounts not live, coin-settled accounts) and on pools
 * of many positions, every field has the reference's bits; the plan's totals equal scanAddOns' (add-on-scan.ts).
 * The groups and plan are built in lent memory full of stale bytes (as an engine's heap lends it, uncleared): every
 * element read must have been written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { layoutBook } from '../../src/layout/index.js';
import type { BookLayout } from '../../src/layout/book-layout.js';
import { KIND_FUTURE, KIND_OPTION, KIND_PERPETUAL } from '../../src/layout/codes.js';
import { type BufferPool, HeapAllocator } from '../../src/memory/allocators.js';
import type { ColumnAllocator } from '../../src/memory/columns.js';
import { ArrayLease } from '../../src/memory/array-lease.js';
import { validateBook } from '../../src/model/validate.js';
import { AddOnPlan, concatenatedPositions, type PlanPositions } from '../../src/methods/engines/scenario-grid/add-on-plan.js';
import { addOnsIn, AddOnScan } from '../../src/methods/engines/scenario-grid/add-on-scan.js';
import { bookGroupsOf } from '../../src/methods/engines/scenario-grid/book-groups.js';
import type { PortfolioRule } from '../../src/methods/engines/scenario-grid/params.js';
import { markGroups, sortByUnderlying } from '../../src/methods/engines/scenario-grid/slot-groups.js';
import { type KernelBackend, kernelBackends } from '../support/margin-kernels.js';
import { mulberry32 } from '../support/random.js';

const STABLE = new Set(['USD', 'USDC', 'USDT', 'DAI']);
const COINS = Array.from({ length: 40 }, (_, k) => `C${k}`); // more than 32: the mask's shared bit 31, a second word of bits
const STRIKES = [0.5, 1, 2, 50, 100, 100.5, 2000]; // few, so (underlying, strike) keys repeat across instruments

function randomBook(rnd: () => number, accounts: number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const coins = COINS.slice(0, 2 + Math.floor(rnd() * COINS.length));
  const instruments: Record<string, unknown>[] = [];
  for (let i = 0; i < 10 + rnd() * 50; i++) {
    const underlying = pick(coins), r = rnd(), id = `I${i}`;
    if (r < 0.6) instruments.push({ id, kind: 'option', underlying, right: rnd() < 0.5 ? 'call' : 'put', strike: pick(STRIKES), expiry: `2027-0${1 + Math.floor(rnd() * 9)}-01T08:00:00Z`, multiplier: pick([1, 0.1, 10]) });
    else if (r < 0.75) instruments.push({ id, kind: 'future', underlying, expiry: '2027-03-26T08:00:00Z', multiplier: pick([1, 0.01]) });
    else if (r < 0.9) instruments.push({ id, kind: 'perpetual', underlying, multiplier: pick([1, 3]) });
    else instruments.push({ id, kind: 'spot', underlying });
  }
  // coin-settled (Deribit style): accounts holding them hold only them
  instruments.push({ id: 'C0-INV', kind: 'perpetual', underlying: 'C0', multiplier: 10, settlement: 'C0' });
  instruments.push({ id: 'C0-OC', kind: 'option', underlying: 'C0', right: 'call', strike: 100, expiry: '2027-01-01T08:00:00Z', settlement: 'C0' });
  instruments.push({ id: 'C0-OP', kind: 'option', underlying: 'C0', right: 'put', strike: 100, expiry: '2027-01-01T08:00:00Z', settlement: 'C0' });
  const usd = instruments.filter((x) => x.settlement === undefined).map((x) => x.id as string);
  const list = [];
  for (let a = 0; a < accounts; a++) {
    const coin = rnd() < 0.1;
    const ids = coin ? ['C0-INV', 'C0-OC', 'C0-OP'] : usd;
    const positions = [];
    for (let k = 0; k < Math.floor(rnd() * (rnd() < 0.1 ? 60 : 12)); k++) {
      const size = pick([1, 2, 0.5, 0.25, 3]) * (rnd() < 0.5 ? -1 : 1);
      positions.push({ instrument: pick(ids), quantity: size, entryPrice: 1 });
    }
    // distinct assets, at least one (an account holds something)
    const held = coin ? ['C0'] : [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick([...coins, 'USD', 'USDC', 'DAI'])))];
    const collateral = held.map((asset) => ({ asset, amount: pick([0, 1.5, -2, 1000, 0.001]) }));
    list.push({ id: `a${a}`, ...(coin ? { marginCurrency: 'C0' } : {}), positions, collateral });
  }
  return { instruments, accounts: list };
}

/** The highest underlying index (layout order) a position of the layout is on. */
function highestUnderlying(layout: BookLayout): number {
  const underlying = layout.instruments.underlying.array, instrument = layout.positions.column<'i32'>('instrument').array;
  const start = layout.positions.start.array, end = layout.positions.end.array;
  let highest = -1;
  for (let a = 0; a < layout.accountCount; a++) for (let p = start[a]; p < end[a]; p++) highest = Math.max(highest, underlying[instrument[p]]);
  return highest;
}

/** A random book laid out (in `allocator`'s memory), then written in place: repeated instruments, −0 and 0 quantities, accounts not live. */
function randomLayout(seed: number, accounts: number, allocator: ColumnAllocator = new HeapAllocator()): BookLayout {
  const rnd = mulberry32(seed);
  const layout = layoutBook(validateBook(randomBook(rnd, accounts)), allocator);
  const start = layout.positions.start.array, end = layout.positions.end.array;
  const instrument = layout.positions.column<'i32'>('instrument').array, quantity = layout.positions.column<'f64'>('quantity').array;
  const settlement = layout.instruments.settlement.array;
  for (let a = 0; a < layout.accountCount; a++) {
    if (rnd() < 0.05) layout.live.array[a] = 0;
    for (let p = start[a]; p < end[a]; p++) {
      const r = rnd();
      if (r < 0.05) quantity[p] = -0;
      else if (r < 0.1) quantity[p] = 0;
      // the same instrument again, where the account's first position is of the same settlement
      else if (r < 0.25 && p > start[a] && (settlement[instrument[start[a]]] >= 0) === (settlement[instrument[p - 1]] >= 0)) instrument[p] = instrument[start[a] + Math.floor(rnd() * (p - start[a]))];
    }
  }
  return layout;
}

/** The groups as the slots stably sorted by underlying and cut (slot-groups.ts), with one array per group field sized to fit. */
function referenceGroups(layout: BookLayout) {
  const ins = layout.instruments, A = layout.accountCount, U = layout.assets.length;
  const live = layout.live.array, underlying = ins.underlying.array, multiplier = ins.multiplier.array;
  const ps = layout.positions.start.array, pe = layout.positions.end.array, cs = layout.collateral.start.array, ce = layout.collateral.end.array;
  const instrument = layout.positions.column<'i32'>('instrument').array, quantity = layout.positions.column<'f64'>('quantity').array;
  const asset = layout.collateral.column<'i32'>('asset').array, amount = layout.collateral.column<'f64'>('amount').array;
  const assetRow = new Int32Array(U).fill(-1);
  let nRows = ins.count;
  for (let a = 0; a < A; a++) {
    if (live[a] === 0) continue;
    for (let k = cs[a]; k < ce[a]; k++) if (!STABLE.has(layout.assets[asset[k]]) && amount[k] !== 0 && assetRow[asset[k]] < 0) assetRow[asset[k]] = nRows++;
  }
  const row: number[] = [], scale: number[] = [], source: number[] = [], u: number[] = [];
  const accountGroupStart = new Int32Array(A), accountGroupEnd = new Int32Array(A);
  const big = 1 << 16;
  const gs = new Int32Array(big), ge = new Int32Array(big), gu = new Int32Array(big);
  let g = 0;
  for (let a = 0; a < A; a++) {
    accountGroupStart[a] = g;
    if (live[a] !== 0) {
      const from = row.length;
      for (let p = ps[a]; p < pe[a]; p++) {
        row.push(instrument[p]);
        scale.push(quantity[p] * multiplier[instrument[p]]);
        source.push(p);
        u.push(underlying[instrument[p]]);
      }
      for (let k = cs[a]; k < ce[a]; k++) {
        if (assetRow[asset[k]] < 0 || amount[k] === 0) continue;
        row.push(assetRow[asset[k]]);
        scale.push(amount[k]);
        source.push(-1 - k);
        u.push(asset[k]);
      }
      const n = row.length - from;
      const su = Int32Array.from(u.slice(from)), sr = Int32Array.from(row.slice(from)), ss = Float64Array.from(scale.slice(from)), so = Int32Array.from(source.slice(from));
      sortByUnderlying(0, n, su, sr, ss, so);
      for (let k = 0; k < n; k++) [u[from + k], row[from + k], scale[from + k], source[from + k]] = [su[k], sr[k], ss[k], so[k]];
      g = markGroups(from, row.length, Int32Array.from(u), gs, ge, gu, g);
    }
    accountGroupEnd[a] = g;
  }
  return {
    nRows, assetRow, slotRow: Int32Array.from(row), slotScale: Float64Array.from(scale), slotSource: Int32Array.from(source),
    groupStart: gs.slice(0, g), groupEnd: ge.slice(0, g), groupUnderlying: gu.slice(0, g), accountGroupStart, accountGroupEnd,
  };
}

interface ReferenceEntries {
  options: [u: number, units: number][];
  linear: [u: number, instrument: number[], units: number[]][];
  mask: number;
  coin: number;
}

/** An account's add-on entries as scanAddOns finds and orders them: keys by linear search, stable sorts. */
function referenceEntries(layout: BookLayout, positions: PlanPositions, a: number): ReferenceEntries {
  const ins = layout.instruments, kind = ins.kind.array, underlying = ins.underlying.array, strike = ins.strike.array, multiplier = ins.multiplier.array;
  const { instrument, quantity } = positions;
  const p0 = positions.start[a], p1 = positions.end[a];
  const opt: { u: number; k: number; net: number }[] = [], lin: { u: number; ps: number[] }[] = [];
  for (let p = p0; p < p1; p++) {
    const i = instrument[p];
    if (kind[i] === KIND_OPTION) {
      let e = opt.find((x) => x.u === underlying[i] && x.k === strike[i]);
      if (!e) opt.push((e = { u: underlying[i], k: strike[i], net: 0 }));
      e.net += quantity[p] * multiplier[i];
    } else if (kind[i] === KIND_FUTURE || kind[i] === KIND_PERPETUAL) {
      let e = lin.find((x) => x.u === underlying[i]);
      if (!e) lin.push((e = { u: underlying[i], ps: [] }));
      e.ps.push(p);
    }
  }
  opt.sort((x, y) => x.u - y.u || x.k - y.k); // stable; keys distinct
  lin.sort((x, y) => x.u - y.u);
  const bit = (u: number) => (u < 31 ? 1 << u : 1 << 31);
  const options = opt.filter((e) => e.net < 0).map((e): [number, number] => [e.u, -e.net]);
  const linear = lin.map((e): [number, number[], number[]] => [e.u, e.ps.map((p) => instrument[p]), e.ps.map((p) => quantity[p] * multiplier[instrument[p]])]);
  let mask = 0;
  for (const [u] of options) mask |= bit(u);
  for (const [u] of linear) mask |= bit(u);
  return { options, linear, mask, coin: p1 > p0 && ins.settlement.array[instrument[p0]] >= 0 ? 1 : 0 };
}

/** The plan's private columns (add-on-plan.ts). */
/** The plan's entries of account a, read from its columns. */
function planEntries(plan: AddOnPlan, a: number): ReferenceEntries {
  const x = plan.entries();
  const options: [number, number][] = [], linear: [number, number[], number[]][] = [];
  for (let k = x.optStart[a]; k < x.optEnd[a]; k++) options.push([x.optUnderlying[k], x.optUnits[k]]);
  for (let e = x.linStart[a]; e < x.linEnd[a]; e++) {
    linear.push([x.linUnderlying[e], Array.from(x.linInstrument.subarray(x.linFrom[e], x.linTo[e])), Array.from(x.linUnits.subarray(x.linFrom[e], x.linTo[e]))]);
  }
  return { options, linear, mask: x.mask[a], coin: x.coin[a] };
}

/** The fields of a book's groups as arrays: the run's slot columns read out (groups up to the count written). */
function groupArrays({ groups, slots }: ReturnType<typeof bookGroupsOf>) {
  const G = groups.nGroups, source = groups.slotSource;
  return {
    nRows: groups.nRows, assetRow: groups.assetRow, slotRow: slots.slotRow.array.slice(), slotScale: slots.slotScale.array.slice(),
    slotSource: source instanceof Int32Array ? source : source.array.slice(), groupStart: slots.groupStart.array.slice(0, G),
    groupEnd: slots.groupEnd.array.slice(0, G), groupUnderlying: slots.groupUnderlying.array.slice(0, G),
    accountGroupStart: groups.accountGroupStart, accountGroupEnd: groups.accountGroupEnd,
  };
}

/** Same values, bit for bit (−0 is not +0), in typed arrays or nested lists. */
function expectBits(actual: unknown, expected: unknown, what: string): void {
  const bits = (v: unknown): unknown => {
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v;
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, bits);
    if (Array.isArray(v)) return v.map(bits);
    return v;
  };
  expect(bits(actual), what).toEqual(bits(expected));
}

function randomRules(rnd: () => number, U: number): PortfolioRule[] {
  return Array.from({ length: U }, () => ({ shortOptionRate: rnd() < 0.2 ? 0 : 0.01 * rnd(), linearRate: rnd() < 0.2 ? 0 : 0.02 * rnd() }) as PortfolioRule);
}

/** The plan's totals against scanAddOns' on random spots and marks. */
function expectScanTotals(layout: BookLayout, plan: AddOnPlan, positions: PlanPositions, accounts: number, rnd: () => number): void {
  const ins = layout.instruments, U = layout.assets.length;
  const rules = randomRules(rnd, U);
  const rates = { shortOption: Float64Array.from(rules, (r) => r.shortOptionRate), linear: Float64Array.from(rules, (r) => r.linearRate) };
  const price = Float64Array.from({ length: U }, () => 10 ** (4 * rnd() - 1));
  const mark = Float64Array.from({ length: ins.count }, () => (rnd() < 0.05 ? 0 : 10 ** (4 * rnd() - 1)));
  const columns = { kind: ins.kind.array, underlying: ins.underlying.array, strike: ins.strike.array, multiplier: ins.multiplier.array, mark, price, settlement: ins.settlement.array };
  const scan = new AddOnScan();
  for (let a = 0; a < accounts; a++) {
    const expected = addOnsIn(scan, rules, columns, positions.instrument, positions.quantity, positions.start[a], positions.end[a]);
    expectBits(plan.total(a, rates, price, mark), expected, `total of entry ${a}`);
  }
}

/** A pool whose every buffer is full of 0xFF bytes (NaN doubles, −1 integers): what a reused buffer may hold. */
const STALE: BufferPool = {
  take: (byteLength) => {
    const buffer = new ArrayBuffer(byteLength);
    new Uint8Array(buffer).fill(0xff);
    return buffer;
  },
  give: () => {},
};

describe('portfolio book groups and add-on plan against the references', () => {
  let backends: KernelBackend[];
  beforeAll(async () => {
    backends = await kernelBackends();
  });

  it('groups: every field has the stable sort\'s bits on random books, by the JS twin and by each backend\'s kernels', () => {
    let highest = -1;
    for (const backend of [undefined, ...backends]) {
      const name = backend?.name ?? 'twin';
      for (let seed = 1; seed <= 40; seed++) {
        const layout = randomLayout(seed, 1 + (seed % 7) * 9, backend?.allocator);
        const expected = referenceGroups(layout);
        highest = Math.max(highest, highestUnderlying(layout));
        // the layout's first run (its own columns), its second (built and kept), its third (the kept groups)
        for (const call of ['first', 'kept', 'reused']) {
          const groups = groupArrays(bookGroupsOf(layout, STABLE, layout.live.allocator, new ArrayLease(STALE), backend?.kernels));
          for (const [field, value] of Object.entries(expected)) expectBits(groups[field as keyof typeof groups], value, `${name}, seed ${seed}, ${call}: ${field}`);
        }
      }
    }
    expect(highest).toBeGreaterThanOrEqual(32); // some account's positions are on an underlying in a second word of bits
  });

  it('plan: every account\'s entries have the reference\'s bits and its totals scanAddOns\' on random books, by the JS twin and by each backend\'s kernels', () => {
    let entries = 0;
    for (const backend of [undefined, ...backends]) for (let seed = 1; seed <= 40; seed++) {
      const layout = randomLayout(seed, 1 + (seed % 7) * 9, backend?.allocator);
      const A = layout.accountCount;
      const positions: PlanPositions = {
        start: layout.positions.start.array.slice(0, A), end: layout.positions.end.array.slice(0, A),
        instrument: layout.positions.column<'i32'>('instrument').array, quantity: layout.positions.column<'f64'>('quantity').array,
      };
      for (let a = 0; a < A; a++) if (layout.live.array[a] === 0) positions.end[a] = positions.start[a];
      // the layout's first run (the kernel's columns read in place), its second (kept: plain arrays), its third (the kept plan)
      for (const call of ['first', 'kept', 'reused']) {
        const plan = bookGroupsOf(layout, STABLE, layout.live.allocator, new ArrayLease(STALE), backend?.kernels).groups.addOns;
        for (let a = 0; a < A; a++) {
          const expected = referenceEntries(layout, positions, a);
          if (call === 'first') entries += expected.options.length + expected.linear.length;
          expectBits(planEntries(plan, a), expected, `${backend?.name ?? 'twin'}, seed ${seed}, ${call}, account ${a}`);
        }
        expectScanTotals(layout, plan, positions, A, mulberry32(seed));
      }
    }
    expect(entries).toBeGreaterThan(4 * 1000);
  });

  it('plan of pools: dozens to hundreds of positions, instruments repeated, −0 quantities', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rnd = mulberry32(100 + seed);
      const layout = randomLayout(seed, 20);
      const n = layout.instruments.count;
      const pools = Array.from({ length: 6 }, (_, r) => {
        const size = [0, 1, 31, 32, 33, 300][r];
        const instrument = Int32Array.from({ length: size }, () => Math.floor(rnd() * Math.min(n, 12)));
        const quantity = Float64Array.from({ length: size }, () => (rnd() < 0.1 ? -0 : (rnd() - 0.5) * 8));
        return { instrument, quantity };
      });
      const positions = concatenatedPositions(pools);
      const plan = new AddOnPlan(layout, pools.length, positions);
      for (let r = 0; r < pools.length; r++) expectBits(planEntries(plan, r), referenceEntries(layout, positions, r), `seed ${seed}, pool ${r}`);
      expectScanTotals(layout, plan, positions, pools.length, rnd);
    }
  });
});
