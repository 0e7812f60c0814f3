/**
 * Shard reports back into the book's report: rows in book order, totals summed over them in that order exactly as
 * the single-process report sums its columns (src/margin/build-report.ts `totalsOf`), so the sums have its bits.
 */
import type { BackendName } from '../kernels/backend-name.js';
import type { InputProblem } from '../errors.js';
import type { AccountMargin, MarginMethod, MarginReport, MarginTotals, ProfileTag } from '../margin/report.js';
import { STATUS } from '../margin/status.js';
import { withWarnings } from '../model/warnings.js';
import { idsDigest, unpackRow } from './packed-rows.js';
import type { Partition } from './shard-book.js';
import type { ShardReport } from './tasks.js';

/** Where each account of the book went (shard-book.ts `Partition`, without the shards' contents). */
export interface AccountPlacement {
  ids: readonly string[];
  shardOfAccount: Int32Array;
  indexInShard: Int32Array;
  /** Accounts per shard, and the digest of their ids in shard order (packed-rows.ts `idsDigest`). */
  shardCounts: Int32Array;
  shardDigests: Uint32Array;
}

/** The placement of a partition's accounts (what merging needs of it). */
export function placementOf(ids: readonly string[], partition: Partition): AccountPlacement {
  return {
    ids,
    shardOfAccount: partition.shardOfAccount,
    indexInShard: partition.indexInShard,
    shardCounts: Int32Array.from(partition.shards, (s) => s.accounts.length),
    shardDigests: Uint32Array.from(partition.shards, (s) => idsDigest(s.accounts.map((a) => a.id))),
  };
}

/**
 * The book's report from one report per shard (`reports[s]`, undefined for an empty shard). Throws when a shard
 * that holds accounts did not answer, or answered for other accounts than it holds: never a partial report.
 */
export function mergeReports(placement: AccountPlacement, reports: readonly (ShardReport | undefined)[], bookWarnings: readonly InputProblem[], profile?: ProfileTag): MarginReport {
  const first = reports.find((r) => r !== undefined);
  if (!first) throw new Error('margin-core: no shard answered');
  for (let s = 0; s < reports.length; s++) {
    const rows = reports[s]?.rows;
    if (rows === undefined) continue;
    const count = rows.kind === 'packed' ? rows.count : rows.rows.length;
    const digest = rows.kind === 'packed' ? rows.idsDigest : idsDigest(rows.rows.map((r) => r.id));
    if (count !== placement.shardCounts[s] || digest !== placement.shardDigests[s]) {
      throw new Error(`margin-core: shard ${s} answered for other accounts than it holds (${count} rows, ${placement.shardCounts[s]} placed); refusing a partial report`);
    }
  }
  const errorsByShard = reports.map((r) => (r?.rows.kind === 'packed' ? new Map(r.rows.errors) : undefined));
  const accounts: AccountMargin[] = new Array(placement.ids.length);
  for (let a = 0; a < accounts.length; a++) {
    const s = placement.shardOfAccount[a];
    const rows = reports[s]?.rows;
    if (rows === undefined) throw new Error(`margin-core: shard ${s} did not answer; refusing a partial report`);
    const i = placement.indexInShard[a];
    accounts[a] = rows.kind === 'packed' ? unpackRow(rows, i, placement.ids[a], errorsByShard[s]!.get(i)) : rows.rows[i];
  }
  const report: MarginReport = {
    method: first.method as MarginMethod,
    ...(profile ? { profile } : {}),
    valuationTime: first.valuationTime,
    backend: first.backend as BackendName,
    accounts,
    totals: totalsOfRows(accounts),
  };
  return withWarnings(report, [...bookWarnings, ...first.warnings]);
}

/** The totals of report rows in their order: build-report.ts `totalsOf`, read from rows instead of columns. */
export function totalsOfRows(rows: readonly AccountMargin[]): MarginTotals {
  const byStatus = Object.fromEntries(STATUS.map((s) => [s, 0])) as MarginTotals['byStatus'];
  const totals: MarginTotals = { accounts: 0, byStatus, equity: 0, im: 0, mm: 0, grossNotional: 0, efficiency: 0 };
  let grossWithIm = 0;
  for (const row of rows) {
    totals.accounts++;
    byStatus[row.status]++;
    if (row.status !== 'error') {
      totals.equity += row.equity;
      totals.im += row.im;
      totals.mm += row.mm;
      totals.grossNotional += row.grossNotional;
      if (row.im > 0) grossWithIm += row.grossNotional;
    }
  }
  totals.efficiency = totals.im > 0 ? grossWithIm / totals.im : Infinity;
  return totals;
}
