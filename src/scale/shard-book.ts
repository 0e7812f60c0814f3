/**
 * A validated book cut into shards by account (hash.ts), each a book of its own that a worker lays out and margins
 * alone. Every shard keeps all the book's instruments (in book order) and names all its assets, so instrument rows and
 * asset indices are the book's: the per-instrument work (valuation, risk arrays) and every per-asset loop run on the
 * same data in the same order, and each account's figures come out with the bits of the single-process run.
 */
import { certifyBook, instrumentRowsOf } from '../model/brand.js';
import { forEachBalance } from '../model/book-columns.js';
import type { ValidatedAccount, ValidatedBook, ValidatedInstrument } from '../model/types.js';
import { shardOf } from './hash.js';

/** One shard as it travels to a worker (structured clone or JSON): plain data, already validated by the coordinator. */
export interface ShardBook {
  shard: number;
  shards: number;
  instruments: ValidatedInstrument[];
  /** Every asset symbol of the whole book (its layout's asset list), sorted. */
  assets: string[];
  accounts: ValidatedAccount[];
  /** Instrument row of each position of `accounts`, in order (what validation resolved for the whole book). */
  instrumentRows: number[];
}

/** A book cut into shards, and where each account went. */
export interface Partition {
  shards: ShardBook[];
  /** For each account of the book (book order): its shard. */
  shardOfAccount: Int32Array;
  /** For each account of the book: its index within its shard. */
  indexInShard: Int32Array;
}

/**
 * The book's assets as its layout lists them (src/layout/book-layout.ts): underlyings and collateral, sorted. A
 * columnar book is read by its columns (its object view is about 2.2 GB at 1M accounts × 20 positions).
 */
export function bookAssets(book: ValidatedBook): string[] {
  const symbols = new Set<string>();
  for (const instrument of book.instruments) symbols.add(instrument.underlying);
  forEachBalance(book, (asset) => symbols.add(asset));
  return [...symbols].sort();
}

/**
 * Cuts `book` into `shards` shards by the hash of the account id, a subaccount by its master's (a group stays whole in
 * one shard); accounts keep their book order within a shard.
 */
export function partitionBook(book: ValidatedBook, shards: number): Partition {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
  const assets = bookAssets(book);
  const rows = instrumentRowsOf(book);
  const instruments = [...book.instruments];
  const out: ShardBook[] = [];
  for (let s = 0; s < shards; s++) out.push({ shard: s, shards, instruments, assets, accounts: [], instrumentRows: [] });
  const n = book.accounts.length;
  const shardOfAccount = new Int32Array(n);
  const indexInShard = new Int32Array(n);
  let next = 0; // position rows are in book order, account after account
  for (let a = 0; a < n; a++) {
    const account = book.accounts[a];
    // a group is margined, pooled and rolled up as one: its subaccounts go to their master's shard
    const s = shards === 1 ? 0 : shardOf(account.master ?? account.id, shards);
    const target = out[s];
    shardOfAccount[a] = s;
    indexInShard[a] = target.accounts.length;
    target.accounts.push(account);
    for (let p = 0; p < account.positions.length; p++) target.instrumentRows.push(rows[next++]);
  }
  return { shards: out, shardOfAccount, indexInShard };
}

/**
 * The validated book a worker lays out from a shard it received. The shard was cut from a book the coordinator
 * validated, so it is certified as it is (re-validating would cost as much as the margin run, and give warning paths
 * relative to the shard instead of the book). Only src/scale/ calls this, on data from its own transports.
 */
export function shardAsBook(shard: ShardBook): ValidatedBook {
  const book = { instruments: shard.instruments, accounts: shard.accounts, warnings: [] };
  return certifyBook(book, Int32Array.from(shard.instrumentRows));
}
