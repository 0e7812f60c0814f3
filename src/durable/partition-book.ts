/**
 * A partition's book cut from a validated book: the accounts of the partition (families together: a subaccount is in
 * its master's partition, partitionOf(master ?? id)), in book order, with the WHOLE instruments table, so ticks and
 * fills validate the same in every partition and instrument rows are the book's. The cut is certified as it is (every
 * account was validated with the book, and a family's master travels with it), as src/scale/shard-book.ts does for a
 * shard, so opening a partition does not validate its accounts again; a columnar book (an Arrow book read whole) is cut
 * column by column, no object per position.
 */
import { certifyBook, instrumentRowsOf } from '../model/brand.js';
import { type BookColumns, bookColumnsOf, columnarBook } from '../model/book-columns.js';
import type { ValidatedAccount, ValidatedBook } from '../model/types.js';
import { partitionOf } from './partitions.js';

/** The accounts of `book` in partition `partition`, with the book's whole instruments table (see the module comment). */
export function partitionBook(book: ValidatedBook, partition: number): ValidatedBook {
  const columns = bookColumnsOf(book);
  // a columnar layout takes USD-settled instruments only: a book with others is cut through its object view
  if (columns && book.instruments.every((i) => i.settlement === undefined)) return columnarBook(cutColumns(columns, partition));
  const rows = instrumentRowsOf(book);
  const accounts: ValidatedAccount[] = [], keptRows: number[] = [];
  let next = 0; // position rows are in book order, account after account
  for (const account of book.accounts) {
    const mine = partitionOf(account.master ?? account.id) === partition;
    for (let p = 0; p < account.positions.length; p++, next++) if (mine) keptRows.push(rows[next]);
    if (mine) accounts.push(account);
  }
  return certifyBook({ instruments: book.instruments, accounts, warnings: [] }, Int32Array.from(keptRows));
}

/** The columns of the accounts of `partition`. */
function cutColumns(c: BookColumns, partition: number): BookColumns {
  const kept: number[] = [];
  let positions = 0, balances = 0;
  for (let a = 0; a < c.accountIds.length; a++) {
    if (partitionOf(c.masters?.[a] ?? c.accountIds[a]) !== partition) continue;
    kept.push(a);
    positions += c.positionStart[a + 1] - c.positionStart[a];
    balances += c.balanceStart[a + 1] - c.balanceStart[a];
  }
  const positionStart = new Int32Array(kept.length + 1), balanceStart = new Int32Array(kept.length + 1);
  const positionInstrument = new Int32Array(positions), quantity = new Float64Array(positions), entryPrice = new Float64Array(positions);
  const isolatedMargin = c.isolatedMargin && new Float64Array(positions);
  const balanceAsset = new Int32Array(balances), amount = new Float64Array(balances);
  const locations = c.locations && new Array<string | undefined>(balances);
  let p = 0, b = 0;
  kept.forEach((a, k) => {
    const from = c.positionStart[a], to = c.positionStart[a + 1];
    positionInstrument.set(c.positionInstrument.subarray(from, to), p);
    quantity.set(c.quantity.subarray(from, to), p);
    entryPrice.set(c.entryPrice.subarray(from, to), p);
    isolatedMargin?.set(c.isolatedMargin!.subarray(from, to), p);
    p += to - from;
    positionStart[k + 1] = p;
    const bFrom = c.balanceStart[a], bTo = c.balanceStart[a + 1];
    balanceAsset.set(c.balanceAsset.subarray(bFrom, bTo), b);
    amount.set(c.amount.subarray(bFrom, bTo), b);
    for (let j = bFrom; j < bTo; j++) if (locations) locations[b + j - bFrom] = c.locations![j];
    b += bTo - bFrom;
    balanceStart[k + 1] = b;
  });
  const pick = <T>(values: readonly T[] | undefined) => values && kept.map((a) => values[a]);
  const masters = pick(c.masters), methods = pick(c.methods);
  return {
    instruments: c.instruments, accountIds: kept.map((a) => c.accountIds[a]), cashUsd: Float64Array.from(kept, (a) => c.cashUsd[a]),
    ...(masters && masters.some((m) => m !== undefined) ? { masters } : {}),
    ...(methods && methods.some((m) => m !== undefined) ? { methods } : {}),
    positionStart, positionInstrument, quantity, entryPrice, ...(isolatedMargin ? { isolatedMargin } : {}),
    balanceStart, balanceAsset, balanceAssets: c.balanceAssets, amount, ...(locations ? { locations } : {}),
  };
}
