// Range check of a Greeks batch: finds the first option whose inputs are outside the supported
// domain (NaN fails every comparison), so the façade can name it. It only answers "where"; the
// messages are built in TypeScript (src/model/greeks-validate.ts), from the same ranges passed in here,
// so both sides flag exactly the same values.

// Column pointer slots in the argument block (see bsm.ts) and range slots in the ranges block:
// [lo, hi] for spot, strike, expiryYears, vol, rate, carry, in that order.
const FIELDS = 6;

@inline function inRange(x: f64, ranges: usize, field: i32): bool {
  return x >= load<f64>(ranges + (<usize>field << 4)) && x <= load<f64>(ranges + (<usize>field << 4) + 8);
}

@inline function optionOk(isCall: usize, args: usize, ranges: usize, i: usize): bool {
  if (load<u8>(isCall + i) > 1) return false;
  for (let f = 0; f < FIELDS; f++) {
    const column = <usize>load<u32>(args + (<usize>f << 2));
    if (!inRange(load<f64>(column + (i << 3)), ranges, f)) return false;
  }
  return true;
}

/** Index of the first option in [0, n) with an input outside its range, or −1 when all are fine. */
export function checkGreeks(n: i32, isCall: usize, args: usize, ranges: usize): i32 {
  let i: usize = 0;
  const end = <usize>n;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= end; i += 2) {
      let ok = i64x2.splat(-1);
      for (let f = 0; f < FIELDS; f++) {
        const x = v128.load(<usize>load<u32>(args + (<usize>f << 2)) + (i << 3));
        const lo = v128.load64_splat(ranges + (<usize>f << 4));
        const hi = v128.load64_splat(ranges + (<usize>f << 4) + 8);
        ok = v128.and(ok, v128.and(f64x2.ge(x, lo), f64x2.le(x, hi)));
      }
      if (!i64x2.all_true(ok) || load<u16>(isCall + i) & 0xfefe) {
        return optionOk(isCall, args, ranges, i) ? <i32>i + 1 : <i32>i;
      }
    }
  }
  for (; i < end; i++) if (!optionOk(isCall, args, ranges, i)) return <i32>i;
  return -1;
}
