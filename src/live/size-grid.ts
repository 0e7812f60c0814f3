/**
 * The grid of order sizes a pre-trade check searches: multiples of the limits' `quantityStep` (contracts). A size n
 * steps up is the double nearest its decimal value (n × 0.001 is 51.727, not n·0.001 = 51.727000000000004), so the
 * largest accepted size reads as the multiple it is, and a user who sends it back sends the size that was tried.
 */
export class SizeGrid {
  /** 10^d, the step's decimals (1 when the step is not a short decimal: sizes are then n·step). */
  private readonly scale: number;
  /** The step × {@link scale}: an integer when the step is a decimal of at most {@link MAX_DECIMALS} places. */
  private readonly units: number;

  constructor(readonly step: number) {
    let scale = 1;
    for (let d = 0; d < MAX_DECIMALS && !isWhole(step * scale); d++) scale *= 10;
    const whole = isWhole(step * scale);
    this.scale = whole ? scale : 1;
    this.units = whole ? Math.round(step * scale) : step;
  }

  /** The size (contracts) of n steps: n·units / 10^d, correctly rounded (n·units is exact below 2^53). */
  size(n: number): number {
    return (n * this.units) / this.scale;
  }

  /**
   * `x` (contracts) as the size on the grid it is within rounding of, else `x`: rounding of the order of a few ulps of
   * `magnitude`, the largest operand of the arithmetic that gave `x` (a limit less the position held).
   */
  snap(x: number, magnitude: number): number {
    const n = Math.round(x / this.step), on = this.size(n);
    return Math.abs(on - x) <= 4 * Number.EPSILON * Math.max(magnitude, Math.abs(x)) ? on : x;
  }

  /** The most steps whose size is at most `x` (contracts, ≥ 0): ⌊x / step⌋, corrected where the division rounded. */
  stepsWithin(x: number): number {
    let n = Math.floor(x / this.step);
    if (this.size(n + 1) <= x) n++;
    else if (n > 0 && this.size(n) > x) n--;
    return n;
  }
}

/** Decimal places a step may have to be read as a decimal (0.000000000001 contracts). */
const MAX_DECIMALS = 12;

/** True when x is an integer up to the rounding of a short decimal times a power of ten (a few ulps). */
function isWhole(x: number): boolean {
  return Math.abs(x - Math.round(x)) <= 1e-14 * Math.max(1, Math.abs(x));
}
