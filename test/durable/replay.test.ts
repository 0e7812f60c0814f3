/**
 * Replay equals live: a venue's book (test/support/venue-book.ts: USD, USDC-linear and coin-margined accounts, masters
 * with subaccounts) driven by a seeded random sequence of ticks, fills and deposits/withdrawals, fed to
 *   (a) one engine.live session on the whole book, and
 *   (b) one PartitionState per partition (the accounts of its family, the whole instruments table), each entry in
 *       its partition's log with seq 1, 2, 3 …, the ticks with ids in order; each partition checkpoints at a random
 *       step, is rebuilt from the checkpoint's bytes, and replays its whole log and every tick (what it had applied
 *       is skipped and counted, the rest applied, fills first, then ticks).
 * The rebuilt partitions hash to the state of those that lived through it; every account's report row, and every
 * master's roll-up, is (a)'s bit for bit; the partitions' exact sums merged give (a)'s totals, bit for bit; an entry
 * or tick (a) rejects is rejected by its partition too. Every method, WASM (scalar, SIMD) and the JS twin.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, InputError, type LiveSession } from '../../src/index.js';
import { decodeCheckpoint } from '../../src/durable/checkpoint-format.js';
import { PartitionState, partitionBook } from '../../src/durable/partition-state.js';
import { compareStreamIds } from '../../src/durable/log.js';
import { type LogEntry, partitionOf } from '../../src/durable/partitions.js';
import { buildFingerprint } from '../../src/durable/state-hash.js';
import { mergeTotalSums, newTotalSums, totalsOfSums } from '../../src/margin/exact-totals.js';
import { validateBook } from '../../src/model/validate.js';
import { bookAssets } from '../../src/scale/shard-book.js';
import type { LiveOptions } from '../../src/live/open-live.js';
import { firstDifference } from '../support/bits.js';
import { allEngines } from '../support/engines.js';
import { propertyRuns } from '../support/property-runs.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueFills, venueMarket, venueTick, venueTransfer } from '../support/venue-book.js';
import { wire } from '../support/wire.js';

const VARIANTS: { name: string; options: LiveOptions }[] = [
  { name: 'cross', options: { method: 'cross' } },
  { name: 'isolated', options: { method: 'isolated' } },
  { name: 'portfolio', options: { method: 'portfolio' } },
  { name: 'var', options: { method: 'var' } },
  { name: 'profile deribit', options: { profile: 'deribit' } },
  { name: 'cross, subaccounts pooled', options: { method: 'cross', params: { subaccounts: { policy: 'cross' } } } },
];

const KINDS = ['tick price', 'tick vol', 'tick marks', 'tick all', 'fills', 'fills', 'deposit'] as const;

const sequence = fc.record({
  book: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  steps: fc.array(fc.record({ kind: fc.constantFrom(...KINDS), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }) }), { minLength: 6, maxLength: 12 }),
  cut: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** What the sequence wrote: each partition's log, the ticks stream, and what (a) rejected. */
interface History {
  logs: Map<number, { seq: number; entry: LogEntry }[]>;
  ticks: { id: string; tick: unknown }[];
}

const accountOf = (item: unknown) => (item as { account: string }).account;

async function checkSequence(engine: Engine, { options }: (typeof VARIANTS)[number], bookSeed: number, steps: readonly { kind: (typeof KINDS)[number]; seed: number }[], cutShare: number): Promise<void> {
  const book = validateBook(venueBook(mulberry32(bookSeed), 18));
  const masterOf = new Map(book.accounts.map((a) => [a.id, a.master]));
  const partitionOfId = (id: string) => partitionOf(masterOf.get(id) ?? id);
  const used = [...new Set(book.accounts.map((a) => partitionOfId(a.id)))];
  const empty = [...Array(64).keys()].find((p) => !used.includes(p))!;
  const partitions = [...used, empty].sort((x, y) => x - y);
  const assets = bookAssets(book);
  const whole = engine.live(book, venueMarket(), options);
  const lived = new Map(partitions.map((p) => [p, PartitionState.open(engine, p, partitionBook(book, p), venueMarket(), options, { fillSeq: 0, tickId: '0-0' }, { assets })]));
  const rebuilt = new Map<number, PartitionState>();
  const fingerprint = buildFingerprint();
  const history: History = { logs: new Map(partitions.map((p) => [p, []])), ticks: [] };
  const cut = Math.min(steps.length, Math.floor(cutShare * (steps.length + 1)));
  const checkpoints = new Map<number, Uint8Array>();
  try {
    for (let k = 0; k <= steps.length; k++) {
      if (k === cut) for (const [p, state] of lived) checkpoints.set(p, await state.checkpoint(fingerprint, 1_764_000_000_000 + k));
      if (k === steps.length) break;
      const { kind, seed } = steps[k];
      const rnd = mulberry32(seed);
      if (kind.startsWith('tick')) tickStep(whole, lived, history, `${1_764_000_000_000 + k}-${k % 3}`, venueTick(whole, kind.slice(5) as 'price', rnd));
      else {
        const items = kind === 'fills' ? venueFills(whole, rnd) : [venueTransfer(whole, rnd)];
        // one entry per partition the items touch (the gateway splits a request by partition the same way)
        for (const p of new Set(items.map((i) => partitionOfId(accountOf(i))))) {
          const group = items.filter((i) => partitionOfId(accountOf(i)) === p);
          const entry: LogEntry = kind === 'fills' ? { kind: 'fills', id: `op-${k}-${p}`, fills: group } : { kind: 'transfers', id: `op-${k}-${p}`, transfers: group };
          entryStep(whole, lived.get(p)!, history, entry);
        }
      }
    }
    for (const p of partitions) {
      const decoded = await decodeCheckpoint(checkpoints.get(p)!, fingerprint);
      const state = PartitionState.restore(engine, decoded, options);
      rebuilt.set(p, state);
      for (const { seq, entry } of history.logs.get(p)!) state.applyEntry(seq, entry);
      for (const { id, tick } of history.ticks) state.applyTick(id, tick);
      const ticksBefore = history.ticks.filter((t) => compareStreamIds(t.id, decoded.header.tickId) <= 0).length;
      expect(state.counts.duplicatesSkipped, `partition ${p}: entries the checkpoint had applied`).toBe(decoded.header.fillSeq);
      expect(state.counts.ticksSkipped, `partition ${p}: ticks the checkpoint had applied`).toBe(ticksBefore);
      expect(state.stateHash(), `${engine.backend} partition ${p}: rebuilt = lived`).toBe(lived.get(p)!.stateHash());
    }
    compareWithWhole(whole, rebuilt, partitionOfId, engine.backend);
    compareWithWhole(whole, lived, partitionOfId, engine.backend);
    for (const [p, state] of rebuilt) {
      expect(firstDifference(state.live?.report().subaccounts, lived.get(p)!.live?.report().subaccounts), `${engine.backend} partition ${p}: roll-up`).toBeNull();
    }
  } finally {
    whole.release();
    for (const state of [...lived.values(), ...rebuilt.values()]) state.release();
  }
}

function tickStep(whole: LiveSession, lived: Map<number, PartitionState>, history: History, id: string, tick: unknown): void {
  let rejected = false;
  try {
    whole.applyTick(wire(tick));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    rejected = true;
  }
  history.ticks.push({ id, tick });
  for (const [p, state] of lived) {
    const before = state.counts.ticksRejected;
    expect(state.applyTick(id, tick)).toBe(true);
    if (state.live !== null) expect(state.counts.ticksRejected - before, `partition ${p} rejects the tick iff the whole book does`).toBe(rejected ? 1 : 0);
  }
}

function entryStep(whole: LiveSession, state: PartitionState, history: History, entry: LogEntry): void {
  let rejected = false;
  try {
    if (entry.kind === 'fills') whole.applyFills(wire(entry.fills));
    else if (entry.kind === 'transfers') whole.applyTransfers(wire(entry.transfers));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    rejected = true;
  }
  const log = history.logs.get(state.partition)!;
  const seq = log.length + 1;
  log.push({ seq, entry });
  const outcome = state.applyEntry(seq, entry);
  expect(outcome.applied).toBe(true);
  expect(outcome.error !== undefined, `partition ${state.partition} rejects entry ${seq} iff the whole book does`).toBe(rejected);
}

/** What a call answers, or the problems it was refused with (a coin account trading a USD contract, say). */
function outcome<T>(call: () => T): T | { refused: unknown } {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { refused: error.problems };
  }
}

/**
 * Every account's row and every master's roll-up equal (a)'s, and under the cross policy every member's pooled
 * what-if and check; the partitions' exact sums merged give (a)'s totals.
 */
function compareWithWhole(whole: LiveSession, states: Map<number, PartitionState>, partitionOfId: (id: string) => number, backend: string): void {
  const report = whole.report();
  const reports = new Map([...states].flatMap(([p, s]) => (s.live === null ? [] : [[p, s.live.report()] as const])));
  for (const row of report.accounts) {
    const mine = reports.get(partitionOfId(row.id))!.accounts.find((r) => r.id === row.id);
    expect(firstDifference(mine, row), `${backend} account ${row.id}`).toBeNull();
  }
  for (const master of report.subaccounts?.masters ?? []) {
    const mine = reports.get(partitionOfId(master.id))!.subaccounts!.masters.find((m) => m.id === master.id);
    expect(firstDifference(mine, master), `${backend} master ${master.id}`).toBeNull();
  }
  // under the cross policy a member's what-ifs and checks are judged by its pool: a partition's are the whole book's
  for (const master of report.subaccounts?.policy === 'cross' ? report.subaccounts.masters : []) {
    const live = states.get(partitionOfId(master.id))!.live!;
    for (const member of [master.id, ...master.subaccounts]) {
      for (const instrument of ['BTC-PERP', 'BTC-PERPETUAL']) {
        const trade = { instrument, quantity: -0.7 };
        expect(firstDifference(outcome(() => live.whatIf(member, [trade])), outcome(() => whole.whatIf(member, [trade]))), `${backend} what-if ${member} ${instrument}`).toBeNull();
        expect(firstDifference(outcome(() => live.check(member, trade)), outcome(() => whole.check(member, trade))), `${backend} check ${member} ${instrument}`).toBeNull();
      }
    }
  }
  const sums = newTotalSums();
  for (const state of states.values()) mergeTotalSums(sums, state.sums());
  expect(firstDifference(totalsOfSums(sums), report.totals), `${backend} totals`).toBeNull();
}

describe('a partition rebuilt from its checkpoint and log equals the one that lived, and one session on the whole book', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });
  for (const variant of VARIANTS) {
    it(`${variant.name}: random ticks, fills and transfers, a checkpoint at a random step`, async () => {
      await fc.assert(
        fc.asyncProperty(sequence, async ({ book, steps, cut }) => {
          for (const engine of engines) await checkSequence(engine, variant, book, steps, cut);
        }),
        propertyRuns(2),
      );
    });
  }
});
