/**
 * Shard reports back into the book's report: rows in book order, and the totals from the shards' exact sums merged
 * and rounded once (src/margin/exact-totals.ts), so they have the bits of the single-process report however the book
 * was split.
 */
import type { BackendName } from '../kernels/backend-name.js';
import type { InputProblem } from '../errors.js';
import type { AccountMargin, MarginMethod, MarginReport, ProfileTag } from '../margin/report.js';
import { withWarnings } from '../model/warnings.js';
import { type RowBlock, reportWithSummaryRows, summaryRow, type SummaryRows } from '../margin/summary-rows.js';
import { mergeTotalSums, newTotalSums, totalsOfSums, type TotalSums } from '../margin/exact-totals.js';
import type { MasterRollup, SubaccountRollup } from '../margin/subaccount-rollup.js';
import { ACC_SLOTS, exactMergeJs, newAccumulators } from '../kernels/js/exact-sum.js';
import { addPartWithoutGroups, ROLLUP_SUMS, rollupOf } from '../subaccounts/rollup.js';
import { idsDigest, placeRows } from './packed-rows.js';
import { partRange, type RowPart } from './parts.js';
import type { Partition } from './shard-book.js';
import type { ValidatedBook } from '../model/types.js';
import { accountMastersOf } from '../model/book-columns.js';
import { type GroupIds, groupIds } from '../subaccounts/groups.js';
import type { ShardReport } from './tasks.js';
import { coversByMaster, type PackedRollup, unpackMaster } from './packed-rollup.js';

/** Where each account of the book went (shard-book.ts `Partition`, without the shards' contents). */
export interface AccountPlacement {
  ids: readonly string[];
  shardOfAccount: Int32Array;
  indexInShard: Int32Array;
  /** Accounts per shard, and the digest of their ids in shard order (packed-rows.ts `idsDigest`). */
  shardCounts: Int32Array;
  shardDigests: Uint32Array;
  /** For each shard, the book index of its accounts in shard order (the inverse of the two columns above). */
  bookIndex: Int32Array[];
  /** Digests of ranges of a shard's ids (`${shard}:${from}-${to}`), computed once: for rows answered in parts. */
  rangeDigests: Map<string, number>;
  /**
   * A book with masters: each account's master (book order; a subaccount's row carries it: it does not travel), and
   * the groups' ids (the roll-up's masters and subaccounts, which do not travel either).
   */
  masters?: readonly (string | undefined)[] | undefined;
  groups?: GroupIds | undefined;
}

/** The digest of the ids of rows [from, to) of shard s (the whole shard's is precomputed). */
function digestOf(placement: AccountPlacement, s: number, from: number, to: number): number {
  if (from === 0 && to === placement.shardCounts[s]) return placement.shardDigests[s];
  const key = `${s}:${from}-${to}`;
  let digest = placement.rangeDigests.get(key);
  if (digest === undefined) {
    const into = placement.bookIndex[s];
    const ids: string[] = [];
    for (let i = from; i < to; i++) ids.push(placement.ids[into[i]]);
    placement.rangeDigests.set(key, (digest = idsDigest(ids)));
  }
  return digest;
}

/** The placement of a partition's accounts (what merging needs of it); `book`: the book cut, when it has masters. */
export function placementOf(ids: readonly string[], partition: Partition, book?: ValidatedBook): AccountPlacement {
  const masters = book && accountMastersOf(book);
  const bookIndex = partition.shards.map((s) => new Int32Array(s.accounts.length));
  for (let a = 0; a < ids.length; a++) bookIndex[partition.shardOfAccount[a]][partition.indexInShard[a]] = a;
  return {
    ids,
    shardOfAccount: partition.shardOfAccount,
    indexInShard: partition.indexInShard,
    shardCounts: Int32Array.from(partition.shards, (s) => s.accounts.length),
    shardDigests: Uint32Array.from(partition.shards, (s) => idsDigest(s.accounts.map((a) => a.id))),
    bookIndex,
    rangeDigests: new Map(),
    ...(masters ? { masters, groups: groupIds(book!) } : {}),
  };
}

/** The block of a shard that has not answered (yet): no row points into it once every shard answered. */
const EMPTY_BLOCK: RowBlock = { count: 0, figures: new Float64Array(0), cashUsd: new Float64Array(0), hasCash: new Uint8Array(0), status: new Uint8Array(0) };

/**
 * Merges shard reports into the book's report one shard (or part) at a time, as they arrive: each shard's packed rows
 * stay in the columns they came in, and their places in book order are noted (summary-rows.ts), so a coordinator
 * merges the first shards while workers still run the others, copies no figure and builds no row object:
 * `report.accounts` is built on first read.
 * {@link finish} throws when a shard that holds accounts did not answer: never a partial report.
 */
export class ReportMerger {
  /**
   * Every account's summary row, book order. Block s is shard s's rows while shards answer whole, found through the
   * placement's own columns (shard, index in shard): merging a shard writes nothing per row. Rows answered in parts
   * (parts.ts) are blocks after those, and the first part gives the merger its own copy of the two columns to note them in.
   */
  private readonly rows: SummaryRows & { block: Int32Array; at: Int32Array };
  /** True once `rows.block` and `rows.at` are this merger's copies (a part came), not the placement's. */
  private ownPlaces = false;
  /** The method's own status reasons by book index, once a shard sent some (isolated margin). */
  private ownReasons: (string | undefined)[] | undefined;
  /** Rows that came as objects (a breakdown, masters), by book index, once a shard sent some. */
  private objects: (AccountMargin | undefined)[] | undefined;
  /** Per shard, the parts merged (index → true) out of how many, and each part's exact sums. */
  private readonly merged: { parts: number; done: Set<number>; sums: Map<number, TotalSums> }[];
  /** Each shard's subaccount roll-up, once it sent one (a shard holding masters). */
  private readonly rollups: (PackedRollup | undefined)[];
  /** The report of the lowest shard merged: the method, valuation time, backend and warnings every shard shares. */
  private first: ShardReport | undefined;
  private firstShard = Infinity;

  constructor(private readonly placement: AccountPlacement) {
    const { ids, shardCounts } = placement;
    this.rows = { count: ids.length, ids, blocks: Array.from(shardCounts, () => EMPTY_BLOCK), block: placement.shardOfAccount, at: placement.indexInShard, errors: new Map() };
    this.merged = Array.from(placement.shardCounts, () => ({ parts: 1, done: new Set<number>(), sums: new Map<number, TotalSums>() }));
    this.rollups = new Array<PackedRollup | undefined>(placement.shardCounts.length);
  }

  /**
   * Shard `s`'s report, or its rows of `part` (parts.ts); throws when it answers for other accounts than the shard
   * holds there. A repeat replaces it.
   */
  add(s: number, report: ShardReport, part?: RowPart): void {
    const { placement } = this;
    const [from, to] = partRange(placement.shardCounts[s], part);
    const rows = report.rows;
    const count = rows.kind === 'packed' ? rows.count : rows.rows.length;
    const digest = rows.kind === 'packed' ? rows.idsDigest : idsDigest(rows.rows.map((r) => r.id));
    if (count !== to - from || digest !== digestOf(placement, s, from, to)) {
      throw new Error(`margin-core: shard ${s} answered for other accounts than it holds (${count} rows, ${to - from} placed${part ? ` in part ${part.index + 1} of ${part.count}` : ''}); refusing a partial report`);
    }
    const into = placement.bookIndex[s].subarray(from, to);
    if (rows.kind === 'packed') {
      if (rows.reasons !== undefined) this.ownReasons ??= new Array<string | undefined>(placement.ids.length);
      if (part !== undefined && !this.ownPlaces) {
        this.rows.block = Int32Array.from(this.rows.block);
        this.rows.at = Int32Array.from(this.rows.at);
        this.ownPlaces = true;
      }
      placeRows(rows, into, this.rows, this.ownReasons, part === undefined ? s : undefined);
      if (this.objects) for (const k of into) this.objects[k] = undefined;
    } else {
      const objects = (this.objects ??= new Array<AccountMargin | undefined>(placement.ids.length));
      for (let i = 0; i < count; i++) objects[into[i]] = rows.rows[i];
    }
    const merged = this.merged[s];
    const parts = part?.count ?? 1;
    if (merged.parts !== parts) {
      merged.parts = parts;
      merged.done.clear();
      merged.sums.clear();
    }
    merged.done.add(part?.index ?? 0);
    merged.sums.set(part?.index ?? 0, report.sums);
    if (report.rollup) this.rollups[s] = report.rollup;
    if (s <= this.firstShard) {
      this.first = report;
      this.firstShard = s;
    }
  }

  /** The book's report: the shards' exact sums merged and rounded once (build-report.ts `buildTotals`'s bits). */
  finish(bookWarnings: readonly InputProblem[], profile?: ProfileTag): MarginReport {
    const first = this.first;
    if (!first) throw new Error('margin-core: no shard answered');
    for (let s = 0; s < this.merged.length; s++) {
      const merged = this.merged[s];
      if (merged.done.size !== merged.parts && this.placement.shardCounts[s] > 0) {
        throw new Error(`margin-core: shard ${s} did not answer${merged.parts > 1 ? ` (${merged.done.size} of ${merged.parts} parts)` : ''}; refusing a partial report`);
      }
    }
    const head = { method: first.method as MarginMethod, ...(profile ? { profile } : {}), valuationTime: first.valuationTime, backend: first.backend as BackendName };
    const rows = this.rows, own = this.ownReasons;
    if (own) rows.ownReason = (k) => own[k];
    // the keyed rows in book order, as one process makes them, not in the order the shards answered
    rows.errors = inBookOrder(rows.errors);
    if (rows.backstops) rows.backstops = inBookOrder(rows.backstops);
    if (this.placement.masters) rows.masters = this.placement.masters;
    const sums = newTotalSums();
    for (const merged of this.merged) for (const part of merged.sums.values()) mergeTotalSums(sums, part);
    const totals = totalsOfSums(sums);
    let report: MarginReport;
    if (this.objects) {
      // rows as objects from some shard: every row built now (those packed from the columns)
      const objects = this.objects;
      const accounts = Array.from(objects, (row, k) => row ?? summaryRow(rows, k));
      report = { ...head, accounts, totals };
    } else {
      report = reportWithSummaryRows(head, rows, totals);
    }
    // the warnings before the roll-up, in the key order of one process's report (its JSON the same bytes)
    const warned = withWarnings(report, [...bookWarnings, ...first.warnings]);
    const rollup = this.rollup(totals.accounts);
    if (rollup) warned.subaccounts = rollup;
    return warned;
  }

  /**
   * The book's subaccount roll-up from the shards' (undefined when no shard holds a master): masters in book order,
   * the exact sums merged and rounded once (rollup.ts `rollupOf`, the single-process roll-up's bits). A shard holding
   * no group sent none: its accounts are all in no group, so its part of both IM sums is its totals' IM sum, and it
   * covers its accounts not in error. `accounts`: the book's (the report's totals), of which the roll-up says it covers.
   */
  private rollup(accounts: number): SubaccountRollup | undefined {
    const { placement, rollups } = this;
    const policy = rollups.find((r) => r !== undefined)?.policy;
    if (policy === undefined) return undefined;
    if (!placement.groups) throw new Error('margin-core: a shard sent a roll-up for a book placed without its groups');
    const sums = newAccumulators(ROLLUP_SUMS);
    // each master's shard and index in its shard's roll-up, by its book index: read in book order below (no sort)
    const shardAt = new Int32Array(placement.ids.length).fill(-1), kAt = new Int32Array(placement.ids.length);
    let subaccounts = 0;
    for (let s = 0; s < rollups.length; s++) {
      const r = rollups[s];
      if (r === undefined) {
        for (const part of this.merged[s].sums.values()) addPartWithoutGroups(sums, part);
        continue;
      }
      for (let k = 0; k < ROLLUP_SUMS; k++) exactMergeJs(sums, k * ACC_SLOTS, r.sums, k * ACC_SLOTS);
      subaccounts += r.subaccounts;
      const into = placement.bookIndex[s];
      for (let k = 0; k < r.masterAt.length; k++) {
        const a = into[r.masterAt[k]];
        shardAt[a] = s;
        kAt[a] = k;
      }
    }
    // masters in book order: the book's groups in order (groups.ts `masterGroups`), whose ids the placement holds
    const covers = rollups.map((r) => (r?.covers ? coversByMaster(r) : undefined));
    const groups = placement.groups, masters: MasterRollup[] = [];
    for (let a = 0; a < shardAt.length; a++) {
      const s = shardAt[a];
      if (s < 0) continue;
      // fail closed: a shard's masters must be the book's, in its order (never a roll-up with ids put on other figures)
      if (placement.ids[a] !== groups.masters[masters.length]) throw new Error(`margin-core: shard ${s} sent a roll-up for ${JSON.stringify(placement.ids[a])}, which is not the book's next master; refusing a partial report`);
      masters.push(unpackMaster(rollups[s]!, kAt[a], groups, masters.length, covers[s]?.get(kAt[a])));
    }
    if (masters.length !== groups.masters.length) throw new Error(`margin-core: the shards' roll-ups hold ${masters.length} of the book's ${groups.masters.length} masters; refusing a partial report`);
    return rollupOf(policy, masters, subaccounts, accounts, sums);
  }
}

/**
 * The book's report from one report per shard (`reports[s]`, undefined for an empty shard). Throws when a shard
 * that holds accounts did not answer, or answered for other accounts than it holds: never a partial report.
 */
export function mergeReports(placement: AccountPlacement, reports: readonly (ShardReport | undefined)[], bookWarnings: readonly InputProblem[], profile?: ProfileTag): MarginReport {
  const merger = new ReportMerger(placement);
  reports.forEach((report, s) => report && merger.add(s, report));
  return merger.finish(bookWarnings, profile);
}

export { totalsOfRows } from '../margin/exact-totals.js';

/** A map by book index, its entries in ascending index (a map's iteration order is part of what a reader sees). */
function inBookOrder<V>(map: ReadonlyMap<number, V>): ReadonlyMap<number, V> {
  return map.size < 2 ? map : new Map([...map].sort((x, y) => x[0] - y[0]));
}
