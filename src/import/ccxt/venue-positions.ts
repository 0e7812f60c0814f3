/**
 * How a venue's ccxt parser fills a unified position (docs/data-import.md, "What a position holds, per venue"), read
 * from ccxt's own `parsePosition` / `parseMarket` for that exchange; a venue not listed is read by the unified
 * definitions alone: `side` × `contracts` of `contractSize` units.
 *
 * bitmex (ccxt ts/src/bitmex.ts): `contracts` = |currentQty|; `side` from the sign of BitMEX's `homeNotional`, left
 * undefined when BitMEX sends none, and then `info.currentQty` (BitMEX's signed quantity, the field `contracts` is the
 * absolute value of) gives the sign; `contractSize` is 1/underlyingToPositionMultiplier for a linear contract (units of
 * the base per contract) but |multiplier| for an inverse one: BitMEX's multiplier in satoshis (XBt), 100,000,000 for
 * XBTUSD, a contract worth multiplier·1e-8/price BTC, that is 1 USD of face; `notional` = |foreignNotional|, the
 * inverse position's USD face.
 *
 * deribit (ccxt ts/src/deribit.ts parsePosition): `contracts` = get_positions' `size`, signed (negative for a short),
 * already in the book's units: USD of face for a future or perpetual, coin for an option or a linear (USDC) contract;
 * `contractSize` is filled afterwards from the market's `contract_size` (10 USD for BTC-PERPETUAL), which `size` is
 * not counted in, so a contract of the book is one unit.
 *
 * bybit (ccxt ts/src/bybit.ts parsePosition): `entryPrice` = `avgPrice`, which for USDC perpetuals and futures "will
 * not be changed with 8-hour session settlement", while the session's P&L is settled into the wallet (`total`): the
 * P&L left to count runs from `info.sessionAvgPrice`, the entry the settlement resets.
 *
 * okx (ccxt ts/src/okx.ts parseMarket): an option's `contractSize` is `ctVal` without `ctMult` (a BTC option is 0.01
 * BTC, not 1): options are skipped rather than sized 1/ctMult times over.
 */
import { describeValue, type ProblemList } from '../../errors.js';
import { isRecord, type JsonRecord, optionalNumber } from '../fields.js';
import type { CcxtContract } from './symbols.js';

/** BitMEX's base units per coin of a settlement currency it counts in (XBt: satoshis, 1e8 per BTC). */
const BITMEX_UNITS_PER_COIN: Readonly<Record<string, number>> = { BTC: 1e8 };

/** +1 long, −1 short, or undefined with a problem at `${at}.side` when the position cannot tell. */
export function positionSign(venue: string | undefined, p: JsonRecord, contracts: number, at: string, problems: ProblemList): 1 | -1 | undefined {
  if (p.side === 'long') return 1;
  if (p.side === 'short') return -1;
  if (venue === 'bitmex' && (p.side === undefined || p.side === null)) {
    // ccxt derives side from homeNotional's sign; without it, BitMEX's signed currentQty is the only field that says
    const qty = isRecord(p.info) ? optionalNumber(p.info, 'currentQty') : undefined;
    if (qty === undefined) {
      problems.add(`${at}.side`, 'undefined, and info.currentQty (BitMEX\'s signed quantity) is not a number: cannot tell long from short');
      return undefined;
    }
    if (Math.abs(qty) !== contracts) {
      problems.add(`${at}.info.currentQty`, `|${qty}| is not contracts (${contracts}): ccxt's bitmex parser sets contracts = |currentQty|`);
      return undefined;
    }
    return qty < 0 ? -1 : 1;
  }
  problems.add(`${at}.side`, `expected "long" or "short", got ${describeValue(p.side)}`);
  return undefined;
}

/** The book's units (its multiplier) per contract, or undefined with a problem naming the field. */
export function unitsPerContract(venue: string | undefined, contract: CcxtContract, p: JsonRecord, contractSize: number, contracts: number, at: string, problems: ProblemList): number | undefined {
  if (venue === 'deribit') return 1; // contracts is Deribit's size, in units already (module comment)
  if (venue !== 'bitmex' || !contract.inverse) return contractSize;
  const perCoin = BITMEX_UNITS_PER_COIN[contract.settle];
  if (perCoin === undefined) {
    problems.add(`${at}.symbol`, `${contract.symbol}: a BitMEX inverse contract settled in ${contract.settle}: only XBt (BTC) settlement's multiplier unit is known`);
    return undefined;
  }
  // contractSize is BitMEX's multiplier in satoshis: a contract is multiplier·1e-8 USD of face (XBTUSD: 1 USD)
  const faceUsd = contractSize / perCoin;
  const notional = optionalNumber(p, 'notional');
  if (notional !== undefined && Math.abs(contracts * faceUsd - notional) > 1e-9 * Math.max(1, notional)) {
    problems.add(`${at}.notional`, `${notional} USD is not contracts × contractSize·1e-8 = ${contracts} × ${faceUsd} (BitMEX's foreignNotional is the inverse position's USD face)`);
    return undefined;
  }
  return faceUsd;
}

/** A venue's index ticker for `asset`, where its tickers carry no `indexPrice` (BitMEX: `.BXBT` for BTC, `.BETH`). */
export function indexTickerSymbol(venue: string | undefined, asset: string): string | undefined {
  if (venue === 'bitmex') return `.B${asset === 'BTC' ? 'XBT' : asset}`;
  return undefined;
}

/** True when `venue`'s parser signs `contracts` (Deribit's `size`): a negative count is a short, as its side says. */
export function signedContracts(venue: string | undefined): boolean {
  return venue === 'deribit';
}

/** Why a position of `venue` cannot be imported as its parser fills it, or undefined (module comment: OKX options). */
export function venueSkip(venue: string | undefined, contract: CcxtContract): string | undefined {
  if (venue === 'okx' && contract.kind === 'option') return "ccxt's okx parser gives an option's contractSize as ctVal without ctMult (a BTC option is 0.01 BTC): not imported rather than sized 1/ctMult times over; under an equity total its value stays in the imported cash";
  return undefined;
}

/**
 * The entry the P&L left in a position runs from (module comment: Bybit's USDC contracts settle their P&L into the
 * wallet each session, from `info.sessionAvgPrice`), with a note when it is not ccxt's `entryPrice`.
 */
export function entryOf(venue: string | undefined, contract: CcxtContract, p: JsonRecord, entryPrice: number, at: string): { entryPrice: number; note?: string | undefined } {
  if (venue !== 'bybit' || contract.kind === 'option' || contract.settle !== 'USDC') return { entryPrice };
  const raw = isRecord(p.info) ? p.info.sessionAvgPrice : undefined;
  const session = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!(Number.isFinite(session) && session > 0)) {
    return { entryPrice, note: `${contract.symbol}: no usable ${at}.info.sessionAvgPrice (${describeValue(raw)}): the P&L is counted from entryPrice ${entryPrice}, twice for any part Bybit has settled into the wallet since` };
  }
  if (session === entryPrice) return { entryPrice };
  return { entryPrice: session, note: `${contract.symbol}: entry ${session} from ${at}.info.sessionAvgPrice, not entryPrice ${entryPrice}: Bybit settles a USDC contract's P&L into the wallet each session` };
}
