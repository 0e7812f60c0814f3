import { Column, type ColumnAllocator } from '../memory/columns.js';
import type { HaircutBracket, RateBracket, RuleBasedParams } from './params.js';

/** A bracket schedule as the kernels read it: rows of `stride` brackets, padded with unbounded ones. */
export interface ScheduleColumns {
  /** Upper bound of each bracket (USD), +Infinity for the last real bracket and the padding. */
  upTo: Column<'f64'>;
  /** Lower bound of each bracket: 0 for the first, the previous upTo after. */
  lower: Column<'f64'>;
  /** Σ over the brackets below of width × rate, summed in bracket order (the marginal sum up to `lower`). */
  cumA: Column<'f64'>;
  rateA: Column<'f64'>;
  cumB: Column<'f64'>;
  rateB: Column<'f64'>;
}

/**
 * Rule-based parameters laid out per layout asset, for the kernels. Each bracket schedule (linear
 * requirement rates, collateral haircuts) is a row of one power-of-two stride, padded with +Infinity
 * bounds, with the cumulative amount at each bracket's lower bound: a kernel finds an amount's
 * bracket with a fixed number of comparisons and needs no data-dependent loop. The linear table has
 * one extra all-zero row (`zeroRow`), which options use so they share the linear arithmetic. An
 * asset without its own rule gets the `default` rule.
 */
export class ParamLayout {
  readonly linear: ScheduleColumns;
  readonly haircut: ScheduleColumns;
  readonly optBase: Column<'f64'>;
  readonly optFloor: Column<'f64'>;
  readonly optMm: Column<'f64'>;
  /** Linear IM and MM rates added per unit of the underlying held (params.linearSize; 0 without one). */
  readonly linSizeIm: Column<'f64'>;
  readonly linSizeMm: Column<'f64'>;
  readonly liabIm: Column<'f64'>;
  readonly liabMm: Column<'f64'>;
  readonly linStride: number;
  readonly hairStride: number;
  /** Offset of the all-zero row in the linear table. */
  readonly zeroRow: number;

  constructor(allocator: ColumnAllocator, assets: readonly string[], params: RuleBasedParams) {
    const n = assets.length;
    // Own keys only: an asset named `constructor` is data, not Object.prototype's.
    const pick = <T>(rules: Record<string, T>, asset: string): T => (Object.hasOwn(rules, asset) ? rules[asset] : rules.default);
    // the params' own bracket arrays, one row per asset (no copy of each bracket: a run lays these out every time)
    const linear: (readonly RateBracket[])[] = assets.map((a) => pick(params.linear, a));
    linear.push(ZERO_ROW);
    const collateral = assets.map((a) => pick(params.collateral, a));
    const haircuts = collateral.map((r) => r.brackets);
    const options = assets.map((a) => pick(params.options, a));
    this.linStride = powerOfTwoAtLeast(longest(linear));
    this.hairStride = powerOfTwoAtLeast(longest(haircuts));
    this.zeroRow = n * this.linStride;
    this.linear = schedule(allocator, linear, this.linStride, imRate, mmRate);
    this.haircut = schedule<HaircutBracket>(allocator, haircuts, this.hairStride, imHaircut, mmHaircut);
    const perAsset = (value: (a: number) => number) => {
      const c = Column.allocate(allocator, 'f64', n);
      const v = c.array; // one view for the loop: nothing in it allocates (memory cannot move)
      for (let a = 0; a < n; a++) v[a] = value(a);
      return c;
    };
    this.optBase = perAsset((a) => options[a].imBase);
    this.optFloor = perAsset((a) => options[a].imFloor);
    this.optMm = perAsset((a) => options[a].mmRate);
    const sizes = params.linearSize;
    const size = assets.map((a) => (sizes === undefined ? undefined : Object.hasOwn(sizes, a) ? sizes[a] : sizes.default));
    this.linSizeIm = perAsset((a) => size[a]?.imPerUnit ?? 0);
    this.linSizeMm = perAsset((a) => size[a]?.mmPerUnit ?? 0);
    this.liabIm = perAsset((a) => collateral[a].liabilityWeightIm);
    this.liabMm = perAsset((a) => collateral[a].liabilityWeightMm);
  }

  columns(): Column[] {
    return [...Object.values(this.linear), ...Object.values(this.haircut), this.optBase, this.optFloor, this.optMm, this.linSizeIm, this.linSizeMm, this.liabIm, this.liabMm];
  }

  release(): void {
    for (const c of this.columns()) c.release();
  }
}

/** Schedules hold at most MAX_BRACKETS brackets (validate-params.ts): the kernels' search covers 16. */
function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  if (p > 16) throw new RangeError(`a bracket schedule has ${n} brackets; at most 16 are supported`);
  return p;
}

/** The all-zero row options share the linear arithmetic through. */
const ZERO_ROW: readonly RateBracket[] = [{ upTo: Infinity, imRate: 0, mmRate: 0 }];
const imRate = (b: RateBracket) => b.imRate;
const mmRate = (b: RateBracket) => b.mmRate;
const imHaircut = (b: HaircutBracket) => b.imHaircut;
const mmHaircut = (b: HaircutBracket) => b.mmHaircut;

/** The most brackets of any row. */
function longest(rows: readonly (readonly unknown[])[]): number {
  let n = 0;
  for (const row of rows) n = Math.max(n, row.length);
  return n;
}

/** Rows of brackets as schedule columns, with rates a and b of each bracket (IM and MM). */
function schedule<B extends { upTo: number }>(allocator: ColumnAllocator, rows: readonly (readonly B[])[], stride: number, a: (b: B) => number, b: (b: B) => number): ScheduleColumns {
  const len = rows.length * stride;
  const f64 = () => Column.allocate(allocator, 'f64', len);
  const s: ScheduleColumns = { upTo: f64(), lower: f64(), cumA: f64(), rateA: f64(), cumB: f64(), rateB: f64() };
  // views taken once the six columns are allocated: nothing below allocates (memory cannot move)
  const upTo = s.upTo.array, lowerOf = s.lower.array, cumAOf = s.cumA.array, cumBOf = s.cumB.array, rateA = s.rateA.array, rateB = s.rateB.array;
  upTo.fill(Infinity);
  for (let r = 0; r < rows.length; r++) {
    const brackets = rows[r];
    let lower = 0.0, cumA = 0.0, cumB = 0.0;
    for (let j = 0; j < brackets.length; j++) {
      const bracket = brackets[j], ra = a(bracket), rb = b(bracket);
      const k = r * stride + j;
      upTo[k] = bracket.upTo;
      lowerOf[k] = lower;
      cumAOf[k] = cumA;
      cumBOf[k] = cumB;
      rateA[k] = ra;
      rateB[k] = rb;
      // Same order as summing bracket by bracket: total = total + width·rate.
      cumA = cumA + (bracket.upTo - lower) * ra;
      cumB = cumB + (bracket.upTo - lower) * rb;
      lower = bracket.upTo;
    }
  }
  return s;
}

/** Unreferenced shared layouts kept per allocator, for the next run on the same rules and assets. */
const KEPT_UNUSED = 8;

interface SharedEntry {
  rules: RuleBasedParams;
  /** The assets, in layout order, joined by NUL (no asset symbol holds one). */
  assets: string;
  layout: ParamLayout;
  /** Runs holding it now. */
  refs: number;
}

/** Shared layouts per allocator, least recently used first. */
const SHARED = new WeakMap<ColumnAllocator, SharedEntry[]>();

/**
 * The ParamLayout of `rules` over `assets`, and the function that gives it back. Frozen rules (the validated
 * defaults every run given no params shares, src/session/session.ts) cannot change, so their layouts are kept and
 * shared by identity (perf: shared-defaults, docs/performance.md). Other rules get a layout of their own, released
 * with the run.
 */
export function acquireParamLayout(allocator: ColumnAllocator, assets: readonly string[], rules: RuleBasedParams): { layout: ParamLayout; release: () => void } {
  if (!Object.isFrozen(rules)) {
    const layout = new ParamLayout(allocator, assets, rules);
    return { layout, release: () => layout.release() };
  }
  let entries = SHARED.get(allocator);
  if (entries === undefined) SHARED.set(allocator, (entries = []));
  const key = assets.join('\0');
  let at = entries.findIndex((e) => e.rules === rules && e.assets === key);
  let entry: SharedEntry;
  if (at >= 0) {
    entry = entries[at];
    entries.splice(at, 1);
  } else entry = { rules, assets: key, layout: new ParamLayout(allocator, assets, rules), refs: 0 };
  entries.push(entry); // most recently used last
  entry.refs++;
  let released = false;
  return {
    layout: entry.layout,
    release: () => {
      if (released) return;
      released = true;
      entry.refs--;
      const list = entries;
      let unused = 0;
      for (let k = list.length - 1; k >= 0; k--) {
        if (list[k].refs > 0) continue;
        if (++unused > KEPT_UNUSED) {
          list[k].layout.release();
          list.splice(k, 1);
        }
      }
    },
  };
}
