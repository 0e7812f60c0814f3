/**
 * `private/get_positions` items (OpenAPI 2.1.1 schema `position`) as book positions. Units from the schema: `size` is
 * USD for inverse futures and perpetuals, the base coin for options and linear contracts; `average_price`,
 * `mark_price`, `settlement_price` are USD per coin for inverse futures, the coin per unit for inverse options, the
 * stablecoin per coin for linear contracts; `floating_profit_loss` is the session's unrealized P&L in the settlement
 * currency (from the last settlement price, or from the average price for a position opened since).
 */
import { describeValue, type InputProblem, type ProblemList } from '../../errors.js';
import { isRecord, numberAt, numbersOrNull, optionalNumber, stringAt } from '../fields.js';
import { type DeribitInstrument, inverseContractUsd, parseDeribitName } from './names.js';

export interface DeribitPosition {
  instrument: DeribitInstrument;
  /** Signed: buy > 0, sell < 0 (units of `size`). */
  size: number;
  /** Contracts in the book: size ÷ the contract's USD face value for inverse futures, else size. */
  quantity: number;
  /** USD face value per contract (inverse futures), else 1. */
  multiplier: number;
  /** The price P&L is measured from in the session (see {@link sessionReference}). */
  entryPrice: number;
  /** The field `entryPrice` was read from (or, when derived, the one it was derived from), for paths. */
  entryField: 'settlement_price' | 'average_price' | 'floating_profit_loss';
  /**
   * How far the book's value of it may be from the venue's: a future's, the tolerance {@link sessionReference} accepted;
   * an option's size × mark, 1e-8 (the venue's `options_value`, rounded to it).
   */
  valueTolerance: number;
  mark: number;
  /** The position's own `index_price` (used to tell index responses apart). */
  indexPrice?: number | undefined;
  path: string;
}

/** The positions read, and the settlement currencies of those skipped (undefined: a skipped entry of unknown currency). */
export interface ReadPositions {
  positions: DeribitPosition[];
  skippedCurrencies: Set<string | undefined>;
}

/**
 * Reads the positions of every result; what is not a future, perpetual or option, or not readable, is added to
 * `skipped` with its path; flat positions (size 0) are noted and left out. Deribit reports one position per instrument:
 * an instrument named again (in the same response or another) is a problem at its `instrument_name`, naming the first.
 */
export function readPositions(results: { result: unknown; path: string }[], problems: ProblemList, skipped: InputProblem[], notes: InputProblem[]): ReadPositions {
  const out: DeribitPosition[] = [];
  const skippedCurrencies = new Set<string | undefined>();
  const first = new Map<string, string>();
  for (const { result, path } of results) {
    if (!Array.isArray(result)) {
      problems.add(path, `expected the array of positions, got ${describeValue(result)}`);
      continue;
    }
    result.forEach((item, i) => {
      const at = `${path}[${i}]`;
      const name = isRecord(item) ? item.instrument_name : undefined;
      if (typeof name === 'string' && name.length > 0) {
        const seen = first.get(name);
        if (seen !== undefined) {
          problems.add(`${at}.instrument_name`, `${JSON.stringify(name)} again (${seen}): Deribit reports one position per instrument; save each currency's get_positions once`);
          return;
        }
        first.set(name, at);
      }
      const before = skipped.length;
      const position = readPosition(item, at, problems, skipped, notes);
      if (position) out.push(position);
      else if (skipped.length > before) skippedCurrencies.add(settlementOf(name));
    });
  }
  return { positions: out, skippedCurrencies };
}

/** The settlement currency a skipped entry's name tells, if it tells one. */
function settlementOf(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const parsed = parseDeribitName(name);
  return 'error' in parsed ? undefined : parsed.settlement;
}

function readPosition(item: unknown, at: string, problems: ProblemList, skipped: InputProblem[], notes: InputProblem[]): DeribitPosition | undefined {
  if (!isRecord(item)) {
    problems.add(at, `expected a position object, got ${describeValue(item)}`);
    return undefined;
  }
  // the fields read as optional are numbers or null, never another type taken for none
  numbersOrNull(item, at, ['index_price', 'settlement_price', 'average_price'], problems);
  const name = stringAt(item, 'instrument_name', at, problems);
  const kind = stringAt(item, 'kind', at, problems);
  if (name === undefined || kind === undefined) return undefined;
  if (kind !== 'future' && kind !== 'option') {
    skipped.push({ path: `${at}.kind`, message: `${name}: kind ${JSON.stringify(kind)} is not supported (futures, perpetuals and options are)` });
    return undefined;
  }
  const parsed = parseDeribitName(name);
  if ('error' in parsed) {
    skipped.push({ path: `${at}.instrument_name`, message: parsed.error });
    return undefined;
  }
  if ((parsed.kind === 'option') !== (kind === 'option')) {
    problems.add(`${at}.kind`, `${name} is ${parsed.kind === 'option' ? 'an option' : 'a future'} by its name, but kind is ${JSON.stringify(kind)}`);
    return undefined;
  }
  const direction = item.direction;
  const size = numberAt(item, 'size', at, problems);
  const average = numberAt(item, 'average_price', at, problems);
  const mark = numberAt(item, 'mark_price', at, problems);
  const floating = numberAt(item, 'floating_profit_loss', at, problems, parsed.kind === 'option');
  if (direction !== 'buy' && direction !== 'sell' && direction !== 'zero') problems.add(`${at}.direction`, `expected "buy", "sell" or "zero", got ${describeValue(direction)}`);
  if (size === undefined || average === undefined || mark === undefined || (parsed.kind !== 'option' && floating === undefined)) return undefined;
  if (size === 0 || direction === 'zero') {
    notes.push({ path: at, message: `${name}: flat (size 0), not imported` });
    return undefined;
  }
  if ((direction === 'buy' && size < 0) || (direction === 'sell' && size > 0)) {
    problems.add(`${at}.size`, `size ${size} disagrees with direction ${JSON.stringify(direction)}`);
    return undefined;
  }
  if (!(mark > 0)) {
    problems.add(`${at}.mark_price`, `not positive (${mark})`);
    return undefined;
  }
  let multiplier = 1;
  if (parsed.inverse && parsed.kind !== 'option') {
    const face = inverseContractUsd(parsed.base);
    if (face === undefined) {
      skipped.push({ path: `${at}.instrument_name`, message: `${name}: no inverse contract size known for ${parsed.base} (Deribit lists inverse futures on BTC and ETH)` });
      return undefined;
    }
    multiplier = face;
    // an inverse future's size is whole contracts of its face in USD: a size between them is no position Deribit holds
    const contracts = size / face;
    if (Math.abs(contracts - Math.round(contracts)) > 1e-9 * Math.max(1, Math.abs(contracts))) {
      problems.add(`${at}.size`, `${size} USD is not a whole number of ${name}'s ${face} USD contracts`);
      return undefined;
    }
  }
  const common = { instrument: parsed, size, quantity: size / multiplier, multiplier, mark, indexPrice: optionalNumber(item, 'index_price'), path: at };
  if (parsed.kind === 'option') return { ...common, entryPrice: average, entryField: 'average_price', valueTolerance: 1e-8 };
  const { price, field } = sessionReference(item, size, mark, floating as number, parsed.inverse, at, notes);
  return { ...common, entryPrice: price, entryField: field, valueTolerance: sessionTolerance(parsed.inverse, floating as number) };
}

/**
 * How far a future's P&L from its reference price may be from its `floating_profit_loss` and still be taken as the
 * same: Deribit prints P&L in a coin to 1e-8 (the satoshi) and in USDC to 1e-6, plus the doubles' rounding.
 */
function sessionTolerance(inverse: boolean, floating: number): number {
  return (inverse ? 1e-8 : 1e-6) + 1e-12 * Math.abs(floating);
}

/**
 * The price a future's session P&L runs from: the settlement price or the average price, whichever reproduces the
 * position's `floating_profit_loss` at its mark (to the venue's rounding), else the price that does. Margin
 * equity counts only the session's P&L: what was settled before is in the balance already.
 * Inverse: P&L (coin) = size_usd·(1/ref − 1/mark); linear: size·(mark − ref).
 */
function sessionReference(item: Record<string, unknown>, size: number, mark: number, floating: number, inverse: boolean, at: string, notes: InputProblem[]): { price: number; field: DeribitPosition['entryField'] } {
  const pnl = (ref: number) => (inverse ? size * (1 / ref - 1 / mark) : size * (mark - ref));
  const tolerance = sessionTolerance(inverse, floating);
  for (const key of ['settlement_price', 'average_price'] as const) {
    const ref = optionalNumber(item, key);
    if (ref !== undefined && ref > 0 && Math.abs(pnl(ref) - floating) <= tolerance) return { price: ref, field: key };
  }
  const derived = inverse ? 1 / (1 / mark + floating / size) : mark - floating / size;
  notes.push({ path: `${at}.floating_profit_loss`, message: `neither settlement_price nor average_price reproduces floating_profit_loss; entry set to ${derived}, the price it runs from` });
  return { price: derived, field: 'floating_profit_loss' };
}
