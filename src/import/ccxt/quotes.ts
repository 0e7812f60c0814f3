/**
 * ccxt's tickers and greeks as this import reads them: keyed by unified symbol, each quote's numeric fields checked.
 */
import { describeValue, type ProblemList } from '../../errors.js';
import { isRecord, type JsonRecord, numbersOrNull } from '../fields.js';

/**
 * The numeric fields of a ticker or greeks structure this import reads (ccxt writes each a number, or null or nothing
 * when the venue gave none). Read where they are needed with optionalNumber, which takes anything else for "none": a
 * string ("91490", a file saved through another tool) had skipped a position as "no price".
 */
const QUOTE_NUMBERS = ['indexPrice', 'markPrice', 'last', 'close', 'timestamp', 'markImpliedVolatility', 'underlyingPrice'];

/** Entries of an object keyed by symbol, an array of objects with a `symbol`, or one such object. */
export function keyedBySymbol(json: unknown, file: string, problems: ProblemList): Map<string, { value: JsonRecord; path: string }> {
  const out = new Map<string, { value: JsonRecord; path: string }>();
  const add = (value: unknown, path: string, key?: string) => {
    if (!isRecord(value)) return problems.add(path, `expected an object, got ${describeValue(value)}`);
    const symbol = typeof value.symbol === 'string' ? value.symbol : key;
    if (symbol === undefined) return problems.add(`${path}.symbol`, 'missing (expected a unified symbol)');
    // a hand-merged file: a quote filed under another symbol, or twice, would price the wrong instrument silently
    if (key !== undefined && symbol !== key) return problems.add(`${path}.symbol`, `${JSON.stringify(symbol)} under the key ${JSON.stringify(key)}: a quote is keyed by its own symbol`);
    const twice = out.get(symbol);
    if (twice !== undefined) return problems.add(`${path}.symbol`, `${JSON.stringify(symbol)} again (first at ${twice.path}): one quote per symbol`);
    numbersOrNull(value, path, QUOTE_NUMBERS, problems);
    out.set(symbol, { value, path });
  };
  if (Array.isArray(json)) json.forEach((v, i) => add(v, `${file}[${i}]`));
  else if (isRecord(json) && typeof json.symbol === 'string') add(json, file);
  else if (isRecord(json)) for (const key of Object.keys(json)) add(json[key], `${file}[${JSON.stringify(key)}]`, key);
  else problems.add(file, `expected tickers or greeks keyed by symbol, got ${describeValue(json)}`);
  return out;
}
