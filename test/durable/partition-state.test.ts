/**
 * PartitionState's log rules, one behaviour a test: an entry applied once by seq (duplicates skipped and counted, a gap
 * refused), a rejected entry consumed and rejected the same on replay, ticks once by stream id, families kept in the
 * master's partition with the whole instruments table, an empty partition, and an inverse position whose layout entry
 * no book entry price gives back, restored to the bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, InputError } from '../../src/index.js';
import { decodeCheckpoint } from '../../src/durable/checkpoint-format.js';
import { LogGapError, PartitionState, partitionBook, TickUnfollowedError } from '../../src/durable/partition-state.js';
import { partitionOf } from '../../src/durable/partitions.js';
import { buildFingerprint } from '../../src/durable/state-hash.js';
import { validateBook } from '../../src/model/validate.js';
import { readArrowBook } from '../../src/io/arrow/read-book.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { bookColumnsOf, objectViewBuilt } from '../../src/model/book-columns.js';
import { bookAssets } from '../../src/scale/shard-book.js';
import type { Book } from '../../src/model/types.js';
import { firstDifference } from '../support/bits.js';
import { inversePreimage } from '../../src/model/inverse-price.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';

const INSTRUMENTS = [
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
  { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
];
const MARKET = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };
const AT_START = { fillSeq: 0, tickId: '0-0' };

function book() {
  return validateBook({
    instruments: INSTRUMENTS,
    accounts: [
      { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
      { id: 'btc', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] },
    ],
  });
}

/** The partition holding every account of `book()` opened whole (partition numbers only label it here). */
function open(engine: Engine): PartitionState {
  return PartitionState.open(engine, 7, book(), MARKET, { method: 'cross' }, AT_START);
}

const fill = (account: string, quantity: number, price: number, instrument = account === 'usd' ? 'BTC-PERP' : 'BTC-PERPETUAL') => ({ kind: 'fills' as const, id: `f-${account}-${quantity}`, fills: [{ account, instrument, quantity, price }] });

describe('PartitionState', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend: 'js' });
  });

  it('applies an entry once: a seq at or below the last applied is skipped and counted, nothing changes', () => {
    const state = open(engine);
    try {
      expect(state.applyEntry(1, fill('usd', 1, 101_000)).applied).toBe(true);
      const hash = state.stateHash();
      // the same entry again (a replay from before the checkpoint), and an older one
      expect(state.applyEntry(1, fill('usd', 1, 101_000))).toEqual({ applied: false });
      expect(state.applyEntry(1, fill('usd', 5, 1))).toEqual({ applied: false });
      expect(state.counts.duplicatesSkipped).toBe(2);
      expect(state.lastFillSeq).toBe(1);
      expect(state.stateHash()).toBe(hash);
      // 1 + 1 long at 100,000 and 101,000: average cost 100,500 (hand computed)
      expect(state.live!.layout.positions.column<'f64'>('quantity').array[state.live!.layout.positions.start.array[0]]).toBe(2);
      expect(state.live!.layout.positions.column<'f64'>('entryPrice').array[state.live!.layout.positions.start.array[0]]).toBe(100_500);
    } finally {
      state.release();
    }
  });

  it('refuses an entry past the next seq (entries missing), applying nothing', () => {
    const state = open(engine);
    try {
      expect(() => state.applyEntry(3, fill('usd', 1, 101_000))).toThrow(LogGapError);
      expect(() => state.applyEntry(3, fill('usd', 1, 101_000))).toThrow(/entries 1…2 are missing/);
      expect(state.lastFillSeq).toBe(0);
    } finally {
      state.release();
    }
  });

  it('consumes a rejected entry (its seq is applied, nothing changed), and rejects it again on replay', () => {
    const state = open(engine), again = open(engine);
    try {
      const hash = state.stateHash();
      const bad = fill('nobody', 1, 100_000, 'BTC-PERP');
      const outcome = state.applyEntry(1, bad);
      expect(outcome.applied).toBe(true);
      expect(outcome.error).toBeInstanceOf(InputError);
      expect(state.lastFillSeq).toBe(1);
      expect(state.counts.entriesRejected).toBe(1);
      expect(state.stateHash()).toBe(hash);
      expect(again.applyEntry(1, bad).error?.message).toBe(outcome.error!.message);
    } finally {
      state.release();
      again.release();
    }
  });

  it('applies a decision verbatim: its fills, then its transfers', () => {
    const state = open(engine), reference = open(engine);
    try {
      const fills = [{ account: 'usd', instrument: 'BTC-PERP', quantity: -1, price: 99_000 }];
      const transfers = [{ account: 'usd', asset: 'USDC', amount: -50 }];
      expect(state.applyEntry(1, { kind: 'decision', id: 'liq-1', action: 'liquidation', fills, transfers }).error).toBeUndefined();
      reference.live!.applyFills(fills);
      reference.live!.applyTransfers(transfers);
      expect(state.stateHash()).toBe(reference.stateHash());
      expect(state.applyEntry(2, { kind: 'decision', id: 'empty' }).error?.message).toMatch(/a decision carries fills or transfers/);
    } finally {
      state.release();
      reference.release();
    }
  });

  it('applies a tick once by stream id, in numeric order ("10-0" after "9-5")', () => {
    const state = open(engine);
    try {
      expect(state.applyTick('9-5', { assets: { BTC: { price: 90_000 } } })).toBe(true);
      expect(state.applyTick('10-0', { assets: { BTC: { price: 95_000 } } })).toBe(true);
      expect(state.applyTick('9-6', { assets: { BTC: { price: 1 } } })).toBe(false);
      expect(state.applyTick('10-0', { assets: { BTC: { price: 1 } } })).toBe(false);
      expect(state.counts.ticksSkipped).toBe(2);
      expect(state.live!.marketJson.assets.BTC.price).toBe(95_000);
      // a tick the session refuses is consumed all the same
      expect(state.applyTick('11-0', { assets: { BTC: { price: -1 } } })).toBe(true);
      expect(state.counts.ticksRejected).toBe(1);
      expect(state.lastTickId).toBe('11-0');
      expect(state.unfollowed).toBeUndefined(); // a tick every partition refuses alike: followed
    } finally {
      state.release();
    }
  });

  it('cannot follow a tick that takes one of its accounts beyond the domain\'s bounds (the others apply it): unfollowed, named', () => {
    // 5e9 BTC-PERP: 5e14 USD at 100,000; BTC 250,000 takes it to 1.25e15, above the bound
    const whale = validateBook({ instruments: INSTRUMENTS, accounts: [{ id: 'whale', positions: [{ instrument: 'BTC-PERP', quantity: 5e9, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1e14 }] }] });
    const state = PartitionState.open(engine, 7, whale, MARKET, { method: 'cross' }, AT_START);
    try {
      expect(state.applyTick('1-0', { assets: { BTC: { price: 250_000 } } })).toBe(true);
      expect(state.unfollowed).toBeInstanceOf(TickUnfollowedError);
      expect(state.unfollowed!.message).toBe(
        "partition 7: tick 1-0 of the log would take an account of it beyond the domain's bounds (accounts[0]: account whale: the position in BTC-PERP has a notional of 1250000000000000 USD, above the largest notional 1e15 USD); the other partitions applied it, so this one is not served",
      );
      expect(state.live!.marketJson.assets.BTC.price).toBe(100_000); // taken back
    } finally {
      state.release();
    }
  });

  it('keeps a family in its master\'s partition, with the whole instruments table', () => {
    // a subaccount id whose own partition differs from its master's
    const sub = ['s0', 's1', 's2', 's3', 's4'].find((id) => partitionOf(id) !== partitionOf('m'))!;
    const whole = validateBook({
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 1 }] },
        { id: sub, master: 'm', collateral: [{ asset: 'USDC', amount: 2 }] },
      ],
    });
    expect(partitionBook(whole, partitionOf('m')).accounts.map((a) => a.id)).toEqual(['m', sub]);
    expect(partitionBook(whole, partitionOf(sub)).accounts).toEqual([]);
    expect(partitionBook(whole, partitionOf(sub)).instruments.map((i) => i.id)).toEqual(['BTC-PERP', 'BTC-PERPETUAL']);
  });

  it('cuts a columnar book (an Arrow book) column by column: every account once, families together, the rows of one whole session', async () => {
    const accounts = Array.from({ length: 40 }, (_, k) => ({
      id: `acct-${k}`,
      ...(k % 5 === 1 ? { master: `acct-${k - 1}` } : {}),
      positions: [{ instrument: 'BTC-PERP', quantity: (k % 7) - 3 || 1, entryPrice: 90_000 + 500 * k, ...(k % 4 === 0 ? { isolatedMargin: 2_000 } : {}) }],
      collateral: [{ asset: 'USDC', amount: 10_000 + k }],
      ...(k % 3 === 0 ? { cashUsd: 100 * k } : {}),
    }));
    const usdBook = { instruments: [INSTRUMENTS[0]], accounts };
    const columnar = await readArrowBook(await writeArrowBook(usdBook as unknown as Book));
    expect(bookColumnsOf(columnar)).toBeDefined();
    const whole = engine.live(columnar, MARKET, { method: 'isolated' });
    const seen: string[] = [];
    try {
      const rows = new Map(whole.report().accounts.map((r) => [r.id, r]));
      for (let p = 0; p < 64; p++) {
        const cut = partitionBook(columnar, p);
        expect(bookColumnsOf(cut), 'still columnar').toBeDefined();
        const ids = cut.accounts.map((a) => a.id);
        seen.push(...ids);
        for (const a of cut.accounts) if (a.master !== undefined) expect(ids).toContain(a.master);
        const state = PartitionState.open(engine, p, cut, MARKET, { method: 'isolated' }, AT_START);
        try {
          for (const row of state.live?.report().accounts ?? []) expect(firstDifference(row, rows.get(row.id)), row.id).toBeNull();
        } finally {
          state.release();
        }
      }
    } finally {
      whole.release();
    }
    expect(seen.sort()).toEqual(accounts.map((a) => a.id).sort());
  });

  it('cuts a columnar venue book of every account kind (USD, USDC-linear, BTC- and ETH-margined, masters) by its columns: each partition\'s rows are engine.margin\'s', async () => {
    const market = venueMarket();
    for (const seed of [3, 4]) {
      const json = venueBook(mulberry32(seed), 40, true);
      const columnar = await readArrowBook(await writeArrowBook(json as unknown as Book, { accountsPerBatch: 9 }));
      for (const method of ['isolated', 'cross'] as const) {
        const rows = new Map(engine.margin(json, market, { method }).accounts.map((r) => [r.id, r]));
        let seen = 0;
        for (let p = 0; p < 64; p++) {
          const cut = partitionBook(columnar, p);
          expect(bookColumnsOf(cut), 'still columnar').toBeDefined();
          const state = PartitionState.open(engine, p, cut, market, { method }, AT_START);
          try {
            for (const row of state.live?.report().accounts ?? []) {
              expect(firstDifference(row, rows.get(row.id)), `seed ${seed} ${method} ${row.id}`).toBeNull();
              seen++;
            }
          } finally {
            state.release();
          }
        }
        expect(seen).toBe(rows.size);
      }
    }
  });

  it('cuts every partition of a columnar book by its columns: the accounts of partitionOf(master ?? id), in book order, the book\'s object view never built', async () => {
    const accounts = Array.from({ length: 300 }, (_, k) => ({
      id: `c-${k}`,
      ...(k % 7 === 3 ? { master: `c-${k - 3}` } : {}),
      positions: [{ instrument: 'BTC-PERP', quantity: 1 + (k % 3), entryPrice: 95_000 }],
      collateral: [{ asset: k % 2 === 0 ? 'USDC' : 'BTC', amount: 1 + k }],
    }));
    const columnar = await readArrowBook(await writeArrowBook({ instruments: [INSTRUMENTS[0]], accounts } as unknown as Book));
    // the rule, worked out here from the ids: a subaccount goes where its master does
    const expected = Array.from({ length: 64 }, () => [] as string[]);
    for (const a of accounts) expected[partitionOf(a.master ?? a.id)].push(a.id);
    for (let p = 0; p < 64; p++) expect(bookColumnsOf(partitionBook(columnar, p))!.accountIds, `partition ${p}`).toEqual(expected[p]);
    expect(bookAssets(columnar)).toEqual(['BTC', 'USDC']);
    expect(objectViewBuilt(columnar)).toBe(false);
    expect(() => partitionBook(columnar, 64)).toThrow(RangeError);
  });

  it('holds a partition with no account: every entry rejected, ticks counted, checkpoint and restore', async () => {
    const state = PartitionState.open(engine, 3, { instruments: INSTRUMENTS, accounts: [] }, MARKET, { method: 'cross' }, AT_START);
    try {
      expect(state.live).toBeNull();
      expect(state.applyEntry(1, fill('usd', 1, 1)).error?.message).toMatch(/partition 3 holds no account/);
      expect(state.applyTick('5-0', { assets: { BTC: { price: 1 } } })).toBe(true);
      const restored = PartitionState.restore(engine, await decodeCheckpoint(await state.checkpoint(buildFingerprint()), buildFingerprint()), { method: 'cross' });
      expect([restored.lastFillSeq, restored.lastTickId, restored.stateHash()]).toEqual([1, '5-0', state.stateHash()]);
      expect(Array.from(restored.sums().counts)).toEqual([0, 0, 0, 0, 0]);
    } finally {
      state.release();
    }
  });

  it('restores an inverse position whose layout entry (−1/entry) no book entry price gives back, to the bit', async () => {
    const state = open(engine);
    try {
      // Fills net in prices (src/model/netting.ts), so this version makes no such entry; an earlier one averaged in the
      // −1/entry coordinate, and its checkpoints may hold one. Near 80,000 (mantissa 1.22 of 2^16) the doubles x = −1/e
      // are denser than the doubles e, so some x have none: the nearest such x to −1/80,000 is written over the
      // account's entry, as such a state had it, and a deposit re-margins the account.
      const layout = state.live!.layout, a = layout.accountIndex('btc'), slot = layout.positions.start.array[a];
      const entry = layout.positions.column<'f64'>('entryPrice').array;
      const bits = new Float64Array([-1 / 80_000]), word = new BigInt64Array(bits.buffer);
      while (Object.is(-1 / inversePreimage(bits[0]), bits[0])) word[0] += 1n;
      entry[slot] = bits[0];
      state.applyEntry(1, { kind: 'transfers', id: 't', transfers: [{ account: 'btc', asset: 'BTC', amount: 0.001 }] });
      expect(state.checkpointBody().exactEntries, 'the entry with no exact book form is kept as it is').toEqual([['btc', 'BTC-PERPETUAL', bits[0]]]);
      const decoded = await decodeCheckpoint(await state.checkpoint(buildFingerprint()), buildFingerprint());
      const restored = PartitionState.restore(engine, decoded, { method: 'cross' });
      // without the exact entries the layout comes back one unit in the last place off: another state
      const naive = PartitionState.open(engine, 7, decoded.book, decoded.market, { method: 'cross' }, AT_START);
      try {
        expect(restored.stateHash()).toBe(state.stateHash());
        expect(firstDifference(restored.live!.account('btc'), state.live!.account('btc'))).toBeNull();
        expect(naive.stateHash()).not.toBe(state.stateHash());
      } finally {
        restored.release();
        naive.release();
      }
    } finally {
      state.release();
    }
  });
});
