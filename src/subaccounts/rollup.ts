/**
 * The subaccount roll-up of a margin report (`report.subaccounts`, src/margin/subaccount-rollup.ts): each group's
 * figures beside its members' standalone sums, and the totals from exact sums rounded once, so a roll-up merged from a
 * sharded book's shards (src/scale/merge.ts) has the single-process bits.
 */
import { ACC_SLOTS, exactAddOneJs, exactMergeJs, exactRoundJs, newAccumulators } from '../kernels/js/exact-sum.js';
import { addImSum, type TotalSums } from '../margin/exact-totals.js';
import { STATUS_ERROR } from '../margin/status.js';
import type { GroupFigures, MasterRollup, SubaccountRollup } from '../margin/subaccount-rollup.js';
import type { FigureColumns } from './figure-columns.js';
import type { GroupIds, MasterGroup } from './groups.js';
import type { SubaccountPolicy } from './params.js';

/** A master's backstop in the roll-up (MasterRollup.backstop). */
export type MasterBackstop = NonNullable<MasterRollup['backstop']>;

/**
 * The roll-up of `groups` (account indices of the figure columns `c`, masters in ascending order) named by `ids` (a
 * book's groupIds, or a live layout's: src/live/layout-rollup.ts); `methods`: each account's method by index.
 */
export function rollup(
  ids: GroupIds, groups: readonly MasterGroup[], methods: readonly string[], policy: SubaccountPolicy,
  standalone: readonly GroupFigures[], combined: readonly GroupFigures[], backstops: readonly MasterBackstop[] | undefined, c: FigureColumns,
): SubaccountRollup {
  const masters = new Array<MasterRollup>(groups.length);
  for (let k = 0; k < groups.length; k++) {
    const s = standalone[k], c = combined[k];
    const { imFreed, imFreedShare } = freed(s, c);
    const id = ids.masters[k], subaccounts = ids.subaccounts[k], method = methods[groups[k].master];
    // one literal per shape, `backstop` last either way (the JSON's key order)
    masters[k] = backstops
      ? { id, subaccounts, method, standalone: s, combined: c, imFreed, imFreedShare, backstop: backstops[k] }
      : { id, subaccounts, method, standalone: s, combined: c, imFreed, imFreedShare };
  }
  // the accounts in no group count alone under every policy
  const sums = newAccumulators(ROLLUP_SUMS);
  let covered = addNotInError(sums, STANDALONE_IM, c.im, c.status, ids.grouped, c.count);
  if (policy === 'cross') exactMergeJs(sums, POLICY_IM, sums, STANDALONE_IM);
  for (let k = 0; k < groups.length; k++) {
    // a group in error is left out of both sums whole, so that they cover the same accounts (imFreed compares them)
    if (standalone[k].status === 'error' || combined[k].status === 'error') continue;
    const g = groups[k];
    exactAddOneJs(sums, STANDALONE_IM, c.im[g.master]);
    for (const s of g.subaccounts) exactAddOneJs(sums, STANDALONE_IM, c.im[s]);
    if (policy === 'cross') exactAddOneJs(sums, POLICY_IM, combined[k].im);
    covered += 1 + g.subaccounts.length;
  }
  if (policy !== 'cross') exactMergeJs(sums, POLICY_IM, sums, STANDALONE_IM); // covers move cash only: the same requirement
  exactAddOneJs(sums, COVERED, covered);
  return rollupOf(policy, masters, ids.subaccountCount, c.count, sums);
}

/** IM freed by the policy, and as a share of the standalone IM: none (NaN) when either side is in error. */
function freed(s: GroupFigures, c: GroupFigures): { imFreed: number; imFreedShare: number } {
  if (s.status === 'error' || c.status === 'error') return { imFreed: NaN, imFreedShare: NaN };
  const imFreed = roundingZero(s.im - c.im, s.im);
  return { imFreed, imFreedShare: s.im > 0 ? imFreed / s.im : 0 };
}

/**
 * The exact sums behind a roll-up's totals (ROLLUP_SUMS accumulators: the standalone IM of every covered account, then
 * the IM under the policy: the covered pools and accounts in no group under cross, else the same; then the count of
 * covered accounts), unrounded: a shard of a book (src/scale/) sends its own for the coordinator to merge and round
 * once, so a roll-up has the same bits however the book was split. Covered: not in status error, and in no group left
 * out (one with a member or its pool in error).
 */
export const ROLLUP_SUMS = 3;
const STANDALONE_IM = 0, POLICY_IM = ACC_SLOTS, COVERED = 2 * ACC_SLOTS;

/** Adds to `sums` a shard's part that holds no group: every account alone, its IM sum in both, its accounts not in error covered. */
export function addPartWithoutGroups(sums: Float64Array, part: TotalSums): void {
  addImSum(sums, STANDALONE_IM, part);
  addImSum(sums, POLICY_IM, part);
  let covered = 0;
  for (let code = 0; code < part.counts.length; code++) if (code !== STATUS_ERROR) covered += part.counts[code];
  exactAddOneJs(sums, COVERED, covered);
}
const sumsByRollup = new WeakMap<SubaccountRollup, Float64Array>();

/** The exact sums of a roll-up this process built (undefined for one that came from elsewhere). */
export function rollupSums(r: SubaccountRollup): Float64Array | undefined {
  return sumsByRollup.get(r);
}

/**
 * A roll-up from its masters (in book order), the subaccount and account counts and its exact sums ({@link ROLLUP_SUMS}):
 * the totals rounded once, and the masters' backstop payments summed exactly too. The single-process roll-up and
 * the merge of shards' roll-ups both end here.
 */
export function rollupOf(policy: SubaccountPolicy, masters: MasterRollup[], subaccountCount: number, accountCount: number, sums: Float64Array): SubaccountRollup {
  const standaloneIm = exactRoundJs(sums, STANDALONE_IM), im = exactRoundJs(sums, POLICY_IM), covered = exactRoundJs(sums, COVERED);
  // summed exactly, as the other totals: the same bits whatever the order of the masters
  const paid = newAccumulators();
  for (const m of masters) if (m.backstop) exactAddOneJs(paid, 0, m.backstop.coveredUsd);
  const backstopUsd = exactRoundJs(paid);
  const imFreed = roundingZero(standaloneIm - im, standaloneIm);
  const out: SubaccountRollup = {
    policy,
    masters,
    totals: {
      masters: masters.length,
      subaccounts: subaccountCount,
      complete: covered === accountCount,
      covered,
      standaloneIm, im, imFreed, imFreedShare: standaloneIm > 0 ? imFreed / standaloneIm : 0, backstopUsd,
    },
  };
  sumsByRollup.set(out, sums);
  return out;
}

/** Σ values[i] over i < n not in status error, summed exactly (the report totals' rule). */
export function sumNotInError(values: Float64Array, status: Uint8Array, n: number): number {
  const acc = newAccumulators();
  addNotInError(acc, 0, values, status, null, n);
  return exactRoundJs(acc);
}

/**
 * Adds values[i] over i < n to the exact accumulator at `at`, leaving out accounts in status error (and, with
 * `grouped`, accounts in a group): the rule of the report's totals (src/margin/exact-totals.ts), so the same bits as
 * the report's once rounded. Answers how many it added.
 * perf: loop-alone (docs/performance.md)
 */
function addNotInError(acc: Float64Array, at: number, values: Float64Array, status: Uint8Array, grouped: Uint8Array | null, n: number): number {
  let added = 0;
  for (let i = 0; i < n; i++) {
    if ((grouped === null || grouped[i] === 0) && status[i] !== STATUS_ERROR) {
      exactAddOneJs(acc, at, values[i]);
      added++;
    }
  }
  return added;
}

/**
 * 0 for a difference of two sums of the same terms in different orders (the pool of accounts that do not offset is
 * their sum, re-associated): |d| within 1e-12 of the sum's size is rounding, not IM freed or added.
 */
function roundingZero(d: number, scale: number): number {
  return Math.abs(d) <= 1e-12 * Math.abs(scale) ? 0 : d;
}

