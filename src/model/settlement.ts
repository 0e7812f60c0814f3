/**
 * Settlement and margin currencies in the book (docs/coin-margined.md): an instrument's `settlement` (the currency
 * its premium, P&L and margin are paid in) and an account's `marginCurrency` (the currency its collateral,
 * requirement, equity and health are stated in), and the rules tying them together, each checked with its path:
 *
 * - `settlement` is `"USD"` (the default) or an asset symbol. Settled in its own underlying, a future or perpetual is
 *   inverse (Deribit BTC-PERPETUAL) and an option is coin-settled (BTC-27DEC26-100000-C); settled in another asset, a
 *   future or perpetual is linear in that asset (BTC_USDC-PERPETUAL). A spot instrument settles nothing, and an
 *   option settled in another coin than its underlying (a quanto) is not modelled.
 * - an account margined in a currency holds only instruments settled in it, as Deribit's segregated margin keeps each
 *   settlement currency in its own account; an account margined in an asset holds only that asset as collateral
 *   (its cash: realized P&L lands there) and no `cashUsd` (USD).
 */
import { describeValue, type ProblemList } from '../errors.js';
import { isNonEmptyString, nearestName, notStringMessage } from './checks.js';
import type { InstrumentKind, ValidatedInstrument } from './types.js';

/** The default settlement and margin currency. */
export const USD = 'USD';

/** The cause the references to an asset the market does not price share: one problem per asset (ProblemList.addShared). */
export const unknownAssetCause = (symbol: string): string => `unknown asset ${symbol}`;

/** Why an instrument settled in `settlement` cannot be priced: no such asset in the market (`priced`), with the nearest name. */
export function unpricedSettlementMessage(settlement: string, priced: readonly string[]): string {
  const near = nearestName(settlement, priced);
  return `unknown asset ${describeValue(settlement)} (not in market.assets${near === null ? '' : `; did you mean ${JSON.stringify(near)}?`}): settle in "USD" or an asset the market prices`;
}

/**
 * Before the book is read with its market: each instrument of the book's JSON settled in an asset that the market's
 * JSON does not price (`instruments[i].settlement`, one problem per asset). Said first, it is the cause: the positions
 * coin accounts hold on it are then not said to need an account margined in that unpriced name (validate-book.ts
 * asks {@link ProblemList.hasCause}), which no market could margin.
 */
export function checkSettlementsPriced(bookJson: unknown, marketJson: unknown, problems: ProblemList): void {
  const instruments = (bookJson as { instruments?: unknown } | null)?.instruments, assets = (marketJson as { assets?: unknown } | null)?.assets;
  if (!Array.isArray(instruments) || typeof assets !== 'object' || assets === null || Array.isArray(assets)) return;
  const priced = Object.keys(assets);
  if (priced.length === 0) return; // an empty asset list is the market's own problem
  instruments.forEach((instrument: unknown, i) => {
    const { settlement, underlying } = (instrument ?? {}) as { settlement?: unknown; underlying?: unknown };
    if (!isNonEmptyString(settlement) || settlement === USD || settlement === underlying || Object.hasOwn(assets, settlement)) return;
    problems.addShared(unknownAssetCause(settlement), `instruments[${i}].settlement`, unpricedSettlementMessage(settlement, priced));
  });
}

/**
 * An instrument's `settlement` (`value`, read from its JSON): the asset symbol, or undefined for USD; reports what is
 * wrong at `${path}.settlement`.
 */
export function readSettlement(value: unknown, kind: InstrumentKind, underlying: unknown, path: string, problems: ProblemList): string | undefined {
  if (value === undefined || value === USD) return undefined;
  const at = `${path}.settlement`;
  if (!isNonEmptyString(value)) {
    problems.add(at, notStringMessage(value, `"USD" or an asset symbol`));
    return undefined;
  }
  if (kind === 'spot') {
    problems.add(at, `a spot instrument is a holding of its asset and settles nothing (got ${describeValue(value)}): give no settlement, or hold the asset as collateral`);
  } else if (kind === 'option' && value !== underlying) {
    problems.add(at, `an option settled in ${JSON.stringify(value)}, another asset than its underlying ${JSON.stringify(underlying)}, is a quanto option, which margin-core does not model: settle it in "USD" or in ${JSON.stringify(underlying)}`);
  }
  return value;
}

/**
 * What an account's currency checks read of the instruments, by row: their settlement asset (undefined: USD), and
 * whether any instrument of the book is settled in an asset (when none is and the account has no marginCurrency,
 * there is nothing to check).
 */
export interface SettlementTerms {
  readonly anySettled: boolean;
  settlement(row: number): string | undefined;
  /** The book's asset symbols (underlyings and settlements), for a misspelt marginCurrency's did-you-mean. */
  readonly assets: readonly string[];
}

/** An account's `marginCurrency` (`value`): the asset symbol, or undefined for USD; null after reporting a problem. */
export function readMarginCurrency(value: unknown, path: string, problems: ProblemList): string | undefined | null {
  if (value === undefined || value === USD) return undefined;
  if (!isNonEmptyString(value)) {
    problems.add(`${path}.marginCurrency`, notStringMessage(value, `"USD" or an asset symbol`));
    return null;
  }
  return value;
}

/**
 * The problem with a position on instrument row `row` in an account margined in `currency` (undefined: USD), or null.
 * `settlementPath`: where the instrument's settlement is written (a book's `instruments[k].settlement`): when the two
 * names differ in case only (`btc` for `BTC`) and the account's is one the book knows, the message says the settlement may
 * be the one misspelt.
 */
export function heldInstrumentProblem(instrument: string, row: number, currency: string | undefined, terms: SettlementTerms, settlementPath?: string): string | null {
  const settled = terms.settlement(row);
  if (settled === currency) return null;
  const name = (c: string | undefined) => JSON.stringify(c ?? USD);
  // the account's currency a name the book knows (USD, or an asset of its instruments): the settlement may be the slip,
  // when the two differ in case only (tickers one letter apart are other assets: USDT and USD, ETC and ETH)
  const known = currency === undefined || terms.assets.includes(currency);
  const slip = settlementPath !== undefined && known && (settled ?? USD).toLowerCase() === (currency ?? USD).toLowerCase();
  const fix = `give the account marginCurrency ${name(settled)}${slip ? `, or if ${name(settled)} is a slip for ${name(currency)}, correct ${settlementPath}` : ''}`;
  return `instrument ${JSON.stringify(instrument)} is settled in ${name(settled)}: an account margined in ${name(currency)} cannot hold it (each settlement currency is margined in an account of its own: ${fix})`;
}

/**
 * The account-level rules for an account margined in asset `currency`: its balances are of that asset only (no
 * location: the balance is the account's cash at the venue), it has no USD cash, and the currency names something the
 * book or the account holds (else it is reported unknown, with the nearest name). Problems go to `problems`.
 */
export function checkCoinAccount(
  json: { collateral?: unknown; cashUsd?: unknown },
  currency: string,
  path: string,
  heldAssets: readonly string[],
  terms: SettlementTerms | null,
  problems: ProblemList,
): void {
  if (json.cashUsd !== undefined && json.cashUsd !== 0) {
    problems.add(`${path}.cashUsd`, `an account margined in ${JSON.stringify(currency)} keeps its cash as a ${JSON.stringify(currency)} balance in collateral, not as USD`);
  }
  const balances = Array.isArray(json.collateral) ? json.collateral : [];
  balances.forEach((balance: unknown, j) => {
    const record = balance as { asset?: unknown; location?: unknown } | null;
    if (typeof record !== 'object' || record === null) return;
    if (typeof record.asset === 'string' && record.asset !== currency) {
      problems.add(`${path}.collateral[${j}].asset`, `an account margined in ${JSON.stringify(currency)} holds only ${JSON.stringify(currency)} (its cash); hold ${JSON.stringify(record.asset)} in an account margined in USD or in ${JSON.stringify(record.asset)}`);
    } else if (record.location !== undefined) {
      problems.add(`${path}.collateral[${j}].location`, `the ${JSON.stringify(currency)} balance of an account margined in ${JSON.stringify(currency)} is its cash at the margin account: it has no location`);
    }
  });
  const known = heldAssets.includes(currency) || (terms !== null && terms.assets.includes(currency));
  if (!known) {
    const near = nearestName(currency, [USD, ...(terms?.assets ?? []), ...heldAssets]);
    problems.add(`${path}.marginCurrency`, `unknown currency ${describeValue(currency)}: no instrument of the book settles in it and the account holds none${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`);
  }
}

/** An inverse future or perpetual: settled in its own underlying (P&L in coin, prices in USD per coin). */
export function isInverseInstrument(instrument: Pick<ValidatedInstrument, 'kind' | 'underlying' | 'settlement'>): boolean {
  return instrument.kind !== 'option' && instrument.kind !== 'spot' && instrument.settlement === instrument.underlying;
}

/** {@link SettlementTerms} of a book's instruments, with `settlement(row)` by instrument row. */
export function settlementTermsOf(instruments: readonly Pick<ValidatedInstrument, 'underlying' | 'settlement'>[], settlement: (row: number) => string | undefined): SettlementTerms {
  const assets = new Set<string>();
  let anySettled = false;
  for (const instrument of instruments) {
    assets.add(instrument.underlying);
    if (instrument.settlement !== undefined) {
      anySettled = true;
      assets.add(instrument.settlement);
    }
  }
  return { anySettled, settlement, assets: [...assets] };
}
