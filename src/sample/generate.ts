/**
 * Deterministic sample books: `generateSample({ accounts, seed })` always returns the same book and
 * market for the same arguments (byte-identical JSON), and both pass validation.
 */

import { describeValue, InputError } from '../errors.js';
import { type OptionKinds, optionProblems } from '../model/options-check.js';
import { isRecord } from '../model/checks.js';
import { formatIsoTimestamp, parseIsoTimestamp } from '../model/time.js';
import type { Account, Book, Market } from '../model/types.js';
import { ARCHETYPES } from './archetypes.js';
import { profileOf, toLots } from './assets.js';
import { Random } from './random.js';
import { buildUniverse, significant, type Universe } from './universe.js';
import { coinAccount, coinListing } from './coin.js';

export const DEFAULT_VALUATION_TIME = '2026-11-20T08:00:00Z';

/** The most accounts a sample has (and coin accounts beside them): margining a book this size needs ~8 GB of memory (README). */
export const MAX_GENERATED_ACCOUNTS = 10_000_000;

export interface SampleOptions {
  /** Number of accounts, 1 to {@link MAX_GENERATED_ACCOUNTS}. */
  accounts: number;
  /** Any integer; same seed, same sample. */
  seed: number;
  /** ISO-8601 with a zone. Default 2026-11-20T08:00:00Z. */
  valuationTime?: string | undefined;
  /**
   * Positions per account: when given, every account holds exactly this many (≥ 0; one per instrument at most, so a
   * count beyond the instruments holds each once): its archetype's positions,
   * trimmed to the first n, or padded with small positions on instruments it does not hold yet (their own seeded
   * stream, so the archetypes' draws do not move). Default: what each archetype holds (2.3 on average).
   */
  positionsPerAccount?: number | undefined;
  /**
   * Accounts per master group (≥ 1): accounts 0, k, 2k, … are masters and the k − 1 accounts after each name it as
   * their `master` (docs/subaccounts.md). The accounts are otherwise the same. Default: no masters.
   */
  accountsPerMaster?: number | undefined;
  /**
   * BTC-margined subaccounts appended after the others (≥ 0; src/sample/coin.ts): with any, the instruments and
   * market add Deribit-style BTC instruments settled in BTC (an inverse perpetual, coin-settled options), drawn from
   * streams of their own, so the rest of the sample is unchanged. Default 0.
   */
  coinAccounts?: number | undefined;
}

/** {@link SampleOptions}' keys (src/model/options-check.ts). */
const SAMPLE_OPTION_KINDS: OptionKinds<SampleOptions> = { accounts: 'any', seed: 'any', valuationTime: 'any', positionsPerAccount: 'any', accountsPerMaster: 'any', coinAccounts: 'any' };

/**
 * The options checked, every problem at once at its path (`options.accounts`): a count beyond the domain would run for
 * hours and end out of memory, a fractional seed give an integer seed's sample (the generator truncates it).
 */
function checkedSampleOptions(options: SampleOptions) {
  if (options === undefined) throw new InputError([{ path: 'options', message: 'missing (expected { accounts, seed })' }]);
  const problems = optionProblems(options, SAMPLE_OPTION_KINDS);
  if (!isRecord(options)) throw new InputError(problems);
  const integerIn = (key: keyof SampleOptions, value: unknown, min: number, max = Infinity): void => {
    if (!(Number.isInteger(value) && (value as number) >= min && (value as number) <= max)) {
      const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max.toLocaleString('en-US')}`;
      problems.push({ path: `options.${key}`, message: `expected an integer ${range}, got ${describeValue(value)}` });
    }
  };
  const { accounts: count, seed, positionsPerAccount: perAccount, accountsPerMaster: perMaster, coinAccounts: coinCount = 0 } = options;
  integerIn('accounts', count, 1, MAX_GENERATED_ACCOUNTS);
  if (!Number.isInteger(seed)) problems.push({ path: 'options.seed', message: `expected an integer, got ${describeValue(seed)}` });
  // an account holds each instrument once at most: a count beyond them all holds them all
  if (perAccount !== undefined) integerIn('positionsPerAccount', perAccount, 0);
  if (perMaster !== undefined) integerIn('accountsPerMaster', perMaster, 1);
  integerIn('coinAccounts', coinCount, 0, MAX_GENERATED_ACCOUNTS);
  const time = options.valuationTime ?? DEFAULT_VALUATION_TIME, valuationMs = typeof time === 'string' ? parseIsoTimestamp(time) : Number.NaN;
  if (Number.isNaN(valuationMs)) problems.push({ path: 'options.valuationTime', message: `expected an ISO-8601 timestamp with a zone, got ${describeValue(options.valuationTime)}` });
  if (problems.length > 0) throw new InputError(problems);
  return { count, seed, perAccount, perMaster, coinCount, valuationMs };
}

export interface Sample {
  book: Book;
  market: Market;
}

/** A sample as a stream: the instruments and market up front, the accounts one at a time (for books of millions). */
export interface SampleStream {
  instruments: Book['instruments'];
  market: Market;
  /** Deterministic: the same options give the same accounts, in the same order. */
  accounts(): Generator<Account>;
}

export function generateSample(options: SampleOptions): Sample {
  const stream = sampleStream(options);
  return { book: { instruments: stream.instruments, accounts: [...stream.accounts()] }, market: stream.market };
}

export function sampleStream(options: SampleOptions): SampleStream {
  const { count, seed, perAccount, perMaster, coinCount, valuationMs } = checkedSampleOptions(options);

  // Separate streams: the market does not shift when the number of accounts changes.
  const universe = buildUniverse(new Random(seed), valuationMs);
  const coin = coinCount > 0 ? coinListing(universe, seed) : null;
  const market: Market = {
    valuationTime: formatIsoTimestamp(valuationMs),
    assets: Object.fromEntries(
      [...universe.assets].map(([symbol, s]) => [symbol, { price: s.price, vol: s.vol, rate: s.rate, carry: s.carry }]),
    ),
    marks: Object.fromEntries([...universe.marks, ...(coin?.marks ?? [])]),
    impliedVols: Object.fromEntries([...universe.impliedVols, ...(coin?.impliedVols ?? [])]),
    correlation: { assets: universe.correlationAssets, matrix: universe.correlation },
  };
  function* accounts(): Generator<Account> {
    const rng = new Random(seed + 0x9e3779b9);
    const padding = new Random(seed + 0x7f4a7c15);
    const weights = ARCHETYPES.map((a) => a.weight);
    const digits = Math.max(6, String(count).length);
    let master = '';
    for (let i = 0; i < count; i++) {
      // The first accounts visit every archetype once, so even a small sample shows them all.
      const archetype = i < ARCHETYPES.length ? ARCHETYPES[i] : ARCHETYPES[rng.weighted(weights)];
      const built = archetype.build({ rng, universe }, `${archetype.name}-${String(i).padStart(digits, '0')}`);
      const account = perAccount === undefined ? built : withPositionCount(built, perAccount, universe, padding);
      if (perMaster === undefined || perMaster === 1) yield account;
      else if (i % perMaster === 0) {
        master = account.id;
        yield account;
      } else yield { ...account, master };
    }
    if (coin === null) return;
    const coinRng = new Random(seed + 0x2545f491);
    for (let i = count; i < count + coinCount; i++) yield coinAccount(coin, coinRng, `btc-margined-${String(i).padStart(digits, "0")}`);
  }
  return { instruments: coin ? [...universe.instruments, ...coin.instruments] : universe.instruments, market, accounts };
}

/**
 * The account with exactly n positions: its first n, then small ones on instruments it does not hold (one lot up
 * to three, either side, entered at the mark), so the requirement stays the archetype's in kind.
 */
function withPositionCount(account: Account, n: number, universe: Universe, rng: Random): Account {
  const positions = (account.positions ?? []).slice(0, n);
  const held = new Set(positions.map((p) => p.instrument));
  const instruments = universe.instruments;
  while (positions.length < n && held.size < instruments.length) {
    const instrument = instruments[rng.int(0, instruments.length - 1)];
    if (held.has(instrument.id)) continue;
    held.add(instrument.id);
    const profile = profileOf(instrument.underlying);
    const lot = instrument.kind === 'option' ? profile.optionLot : profile.linearLot;
    const lots = rng.int(1, 3) * (rng.chance(0.5) ? 1 : -1);
    positions.push({ instrument: instrument.id, quantity: toLots(lots * lot, lot), entryPrice: significant(universe.marks.get(instrument.id) ?? 0, 6) });
  }
  return { ...account, positions };
}

/** The JSON text written for a sample file: two-space indented, trailing newline. */
export function sampleJson(value: Book | Market): string {
  return `${JSON.stringify(value, null, 1)}\n`;
}

/**
 * The book's JSON text in pieces, exactly as {@link sampleJson} writes it whole, so a book of any size is written
 * without one string holding it (V8 caps strings at ~512 MB).
 */
export function* sampleBookChunks(stream: SampleStream, onAccount?: (accountsSoFar: number) => void): Generator<string> {
  const indent = (text: string, by: string) => by + text.replace(/\n/g, `\n${by}`);
  const instruments = stream.instruments;
  yield instruments.length === 0 ? '{\n "instruments": [],\n "accounts": [' : '{\n "instruments": [\n';
  for (let i = 0; i < instruments.length; i++) yield `${indent(JSON.stringify(instruments[i], null, 1), '  ')}${i + 1 < instruments.length ? ',\n' : '\n ],\n "accounts": ['}`;
  let first = true;
  let count = 0;
  for (const account of stream.accounts()) {
    yield `${first ? '\n' : ',\n'}${indent(JSON.stringify(account, null, 1), '  ')}`;
    first = false;
    onAccount?.(++count);
  }
  yield first ? ']\n}\n' : '\n ]\n}\n';
}
