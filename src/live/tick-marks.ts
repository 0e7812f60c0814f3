/**
 * The price-tick mark rule, in the one place every tick passes (validateTick, src/live/tick.ts): a tick that moves
 * an asset's index price and gives no mark for an instrument on it that has a quoted mark (a future, perpetual or
 * spot contract; not an option, whose mark is its own quote) moves that mark with the index, holding the
 * mark/index ratio: mark' = mark · (price' / price), by the function a stress shock moves marks with. A contract
 * settled in another asset than USD and its underlying (a USDC perpetual) is quoted in that asset, its index S/P: its
 * mark moves by (S'/S)/(P'/P), with either price
 * (src/model/move-market.ts markHeldToIndex); the liquidation-price search holds the same ratio when it moves an
 * underlying (src/methods/engines/rule-based/liquidation-price.ts). A mark the tick gives wins. An instrument without a
 * quoted mark is derived from the index already (market-layout.ts writeMark: F = S·e^{(r−q)T}).
 *
 * The moved marks become the tick's own marks, so the live market snapshot holds them and a fresh session on it
 * gives the same figures. A mark moved out of the price domain is a problem at the asset's price path.
 */
import type { ProblemList } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION } from '../layout/codes.js';
import { keyPath } from '../model/checks.js';
import { DOMAIN, domainProblem } from '../model/domain.js';
import { markHeldToIndex } from '../model/move-market.js';
import type { Market } from '../model/types.js';

/**
 * Adds to `marks` (the tick's, by instrument id) the held mark of every quoted non-option instrument whose underlying,
 * or settlement asset (other than its underlying), `prices` (symbol → new price) moves and that `marks` does not name.
 * `market`: the live snapshot before the tick; `held` collects the ids whose marks it set.
 */
export function holdMarksToIndex(
  prices: ReadonlyMap<string, number>, marks: Map<string, number>, market: Market, layout: BookLayout, base: string, problems: ProblemList, held: Set<string>,
): void {
  if (prices.size === 0 || market.marks === undefined) return;
  const ins = layout.instruments;
  const kind = ins.kind.array, underlying = ins.underlying.array, settlement = ins.settlement.array;
  const quoted = market.marks;
  // price after / before by asset index (1: not moved)
  const ratio = new Float64Array(layout.assets.length).fill(1);
  for (const [symbol, after] of prices) {
    const a = layout.assetIndex(symbol);
    if (a >= 0) ratio[a] = after / market.assets[symbol].price;
  }
  for (let i = 0; i < ins.count; i++) {
    const id = ins.ids[i], u = underlying[i], s = settlement[i];
    const quote = s >= 0 && s !== u ? ratio[s] : 1; // the asset it is quoted in, when not USD nor its underlying
    if ((ratio[u] === 1 && quote === 1) || kind[i] === KIND_OPTION || marks.has(id) || !Object.hasOwn(quoted, id)) continue;
    const mark = markHeldToIndex(quoted[id], ratio[u] / quote);
    const wrong = domainProblem(DOMAIN.price, mark);
    const moved = layout.assets[ratio[u] !== 1 ? u : s];
    if (wrong !== null) problems.add(`${keyPath(`${base}.assets`, moved)}.price`, `would move the mark of ${JSON.stringify(id)} to ${asClause(wrong)} (marks keep their ratio to the index; give the mark in the tick)`);
    else {
      marks.set(id, mark);
      held.add(id);
    }
  }
}

/** `1e13 is above the largest price 1e12` as `1e13, above the largest price 1e12`: the end of the sentence it closes. */
function asClause(problem: string): string {
  return problem.replace(/^(\S+) is /, '$1, ');
}
