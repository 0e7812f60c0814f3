/**
 * Which accounts of an Arrow book's record batch can be copied into the book's columns as they are (batch-accounts.ts):
 * every value inside the book's rules (its domain's bounds, src/model/domain.ts, as the JSON validator checks them),
 * nothing to net, no currency rule to check. Any other account is read by the JSON validator, which refuses a value
 * outside with book.json's message at book.json's path.
 */
import { DOMAIN, isWithin } from '../../model/domain.js';

/**
 * `rows` with every row of an instrument settled in an asset as −1 (into `out`, which may be `rows` itself; `rows` may
 * be a view of the file's buffers): a position there is never copied as clean, so the JSON validator checks it.
 */
export function withoutSettled(rows: Int32Array, settled: Uint8Array, out: Int32Array): Int32Array {
  for (let r = 0; r < rows.length; r++) out[r] = rows[r] >= 0 && settled[rows[r]] !== 0 ? -1 : rows[r];
  return out;
}

/**
 * Whether accounts from … to − 1 of a batch without nulls, isolated margins, locations, masters, methods or margin
 * currencies are each clean (BatchAccounts.clean's rules). perf: loop-alone (docs/performance.md): a batch's columns
 * are read into locals once, not per account.
 */
export function cleanAccounts(
  from: number, to: number, cash: Float64Array | undefined,
  positionOffsets: Int32Array | undefined, instrument: Int32Array | undefined, q: Float64Array, e: Float64Array, seen: Int32Array,
  balanceOffsets: Int32Array | undefined, asset: Int32Array | undefined, amount: Float64Array,
): boolean {
  for (let i = from; i < to; i++) {
    if (cash !== undefined && !isWithin(DOMAIN.cashUsd, cash[i])) return false;
    let held = 0;
    if (positionOffsets !== undefined && instrument !== undefined) {
      const end = positionOffsets[i + 1];
      for (let r = positionOffsets[i]; r < end; r++) {
        const row = instrument[r], entry = e[r];
        if (row < 0 || !isWithin(DOMAIN.quantity, q[r]) || !isWithin(DOMAIN.entryPrice, entry)) return false;
        if (seen[row] === i) return false; // a second row on this instrument: netted by the validator
        seen[row] = i;
      }
      held += end - positionOffsets[i];
    }
    if (balanceOffsets !== undefined && asset !== undefined) {
      const start = balanceOffsets[i], end = balanceOffsets[i + 1];
      for (let r = start; r < end; r++) {
        if (asset[r] < 0 || !isWithin(DOMAIN.amount, amount[r])) return false;
        for (let s = start; s < r; s++) if (asset[s] === asset[r]) return false;
      }
      held += end - start;
    }
    if (held === 0) return false;
  }
  return true;
}
