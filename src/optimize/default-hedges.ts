/**
 * The default hedge candidates of an account (the CLI's `optimize` without --hedges, and the risk page): the book's
 * futures and perpetuals on the underlyings the account holds positions on, both sides, at a 5 bp half-spread and no
 * fee, up to twice the account's absolute position in each underlying (in the candidate's contracts, at least 1).
 */
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';

/** Default half-spread: 5 basis points of the instrument's mark (or its underlying's price). */
const DEFAULT_SPREAD = 0.0005;

/** The default candidates (module comment), as hedges JSON (src/optimize/hedges.ts). */
export function defaultHedges(book: ValidatedBook, market: ValidatedMarket, accountId: string): unknown {
  const account = book.accounts.find((a) => a.id === accountId);
  if (!account) return [];
  const byId = new Map(book.instruments.map((i) => [i.id, i]));
  const exposure = new Map<string, number>();
  for (const p of account.positions) {
    const i = byId.get(p.instrument)!;
    exposure.set(i.underlying, (exposure.get(i.underlying) ?? 0) + Math.abs(p.quantity * (i.multiplier ?? 1)));
  }
  return book.instruments
    .filter((i) => (i.kind === 'future' || i.kind === 'perpetual') && exposure.has(i.underlying))
    .map((i) => ({
      instrument: i.id,
      spread: DEFAULT_SPREAD * (market.marks.get(i.id) ?? market.assets.get(i.underlying)?.price ?? 0),
      maxQuantity: Math.max(1, (2 * exposure.get(i.underlying)!) / (i.multiplier ?? 1)),
    }));
}
