/**
 * An inverse contract's prices in the layout's coordinate, x = −1/price (docs/coin-margined.md: its P&L is linear in
 * x), and the way back to the book's price: the shortest decimal whose −1/price is x, so that a book written from a
 * layout (src/layout/to-book.ts) and read again gives the same x, bit for bit.
 */

/**
 * A book's entry price of an inverse contract in the layout's coordinate, x = −1/entry. A flat position's entry is 0
 * (netting.ts: the entry of a position whose rows close it) and stays 0: its P&L is 0 × (mark − x) whatever x is, and a
 * finite x keeps it 0.
 */
export function inverseCoordinate(entry: number): number {
  return entry === 0 ? 0 : -1 / entry;
}

/** The way back from {@link inverseCoordinate}: {@link inversePreimage} of x, and 0 (a flat position's entry) for 0. */
export function inverseEntry(x: number): number {
  return x === 0 ? 0 : inversePreimage(x);
}

/** The shortest-decimal double e with −1/e = x, among −1/x and its two neighbours (−1/x itself when none is shorter). */
export function inversePreimage(x: number): number {
  const e = -1 / x;
  let best = e;
  for (const candidate of [nextDouble(e, -1), nextDouble(e, 1)]) {
    if (-1 / candidate === x && String(candidate).length < String(best).length) best = candidate;
  }
  return best;
}

/** The next double after a positive finite x, up (+1) or down (−1). */
function nextDouble(x: number, direction: 1 | -1): number {
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] += BigInt(direction);
  return new Float64Array(bits.buffer)[0];
}
