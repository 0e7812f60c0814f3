import { Column, type ColumnAllocator } from '../memory/columns.js';
import type { RuleBasedParams } from './params.js';

/**
 * Rule-based parameters laid out per layout asset, for the kernels: bracket lists as CSR by asset
 * (`linStart[a] … linStart[a+1]`), option and liability constants as one f64 per asset. An asset
 * without its own rule gets the `default` rule.
 */
export class ParamLayout {
  readonly linStart: Column<'i32'>;
  readonly linUpTo: Column<'f64'>;
  readonly linIm: Column<'f64'>;
  readonly linMm: Column<'f64'>;
  readonly optBase: Column<'f64'>;
  readonly optFloor: Column<'f64'>;
  readonly optMm: Column<'f64'>;
  readonly hairStart: Column<'i32'>;
  readonly hairUpTo: Column<'f64'>;
  readonly hairIm: Column<'f64'>;
  readonly hairMm: Column<'f64'>;
  readonly liabIm: Column<'f64'>;
  readonly liabMm: Column<'f64'>;

  constructor(allocator: ColumnAllocator, assets: readonly string[], params: RuleBasedParams) {
    const n = assets.length;
    const pick = <T>(rules: Record<string, T>, asset: string): T => rules[asset] ?? rules.default;
    const linear = assets.map((a) => pick(params.linear, a));
    const collateral = assets.map((a) => pick(params.collateral, a));
    const options = assets.map((a) => pick(params.options, a));
    const linCount = linear.reduce((s, b) => s + b.length, 0);
    const hairCount = collateral.reduce((s, r) => s + r.brackets.length, 0);
    const f64 = (len: number) => Column.allocate(allocator, 'f64', len);
    this.linStart = Column.allocate(allocator, 'i32', n + 1);
    this.linUpTo = f64(linCount);
    this.linIm = f64(linCount);
    this.linMm = f64(linCount);
    this.optBase = f64(n);
    this.optFloor = f64(n);
    this.optMm = f64(n);
    this.hairStart = Column.allocate(allocator, 'i32', n + 1);
    this.hairUpTo = f64(hairCount);
    this.hairIm = f64(hairCount);
    this.hairMm = f64(hairCount);
    this.liabIm = f64(n);
    this.liabMm = f64(n);
    let lin = 0;
    let hair = 0;
    for (let a = 0; a < n; a++) {
      this.linStart.array[a] = lin;
      for (const b of linear[a]) {
        this.linUpTo.array[lin] = b.upTo;
        this.linIm.array[lin] = b.imRate;
        this.linMm.array[lin] = b.mmRate;
        lin++;
      }
      this.hairStart.array[a] = hair;
      for (const b of collateral[a].brackets) {
        this.hairUpTo.array[hair] = b.upTo;
        this.hairIm.array[hair] = b.imHaircut;
        this.hairMm.array[hair] = b.mmHaircut;
        hair++;
      }
      this.optBase.array[a] = options[a].imBase;
      this.optFloor.array[a] = options[a].imFloor;
      this.optMm.array[a] = options[a].mmRate;
      this.liabIm.array[a] = collateral[a].liabilityWeightIm;
      this.liabMm.array[a] = collateral[a].liabilityWeightMm;
    }
    this.linStart.array[n] = lin;
    this.hairStart.array[n] = hair;
  }

  columns(): Column[] {
    return [this.linStart, this.linUpTo, this.linIm, this.linMm, this.optBase, this.optFloor, this.optMm, this.hairStart, this.hairUpTo, this.hairIm, this.hairMm, this.liabIm, this.liabMm];
  }

  release(): void {
    for (const c of this.columns()) c.release();
  }
}
