/**
 * The subaccount roll-up of a margin report (`report.subaccounts`, src/margin/subaccount-rollup.ts): each group's
 * figures beside its members' standalone sums, and the totals from exact sums rounded once, so a roll-up merged from a
 * sharded book's shards (src/scale/merge.ts) has the single-process bits.
 */
import { ACC_SLOTS, exactAddOneJs, exactMergeJs, exactRoundJs, newAccumulators } from '../kernels/js/exact-sum.js';
import { STATUS_ERROR } from '../margin/status.js';
import type { GroupFigures, MasterRollup, SubaccountRollup } from '../margin/subaccount-rollup.js';
import type { ValidatedBook } from '../model/types.js';
import type { FigureColumns } from './figure-columns.js';
import { groupIds, type MasterGroup } from './groups.js';
import type { SubaccountPolicy } from './params.js';

/** A master's backstop in the roll-up (MasterRollup.backstop). */
export type MasterBackstop = NonNullable<MasterRollup['backstop']>;

export function rollup(
  book: ValidatedBook, groups: readonly MasterGroup[], methods: readonly string[], policy: SubaccountPolicy,
  standalone: readonly GroupFigures[], combined: readonly GroupFigures[], backstops: readonly MasterBackstop[] | undefined, c: FigureColumns,
): SubaccountRollup {
  const ids = groupIds(book);
  const masters = new Array<MasterRollup>(groups.length);
  for (let k = 0; k < groups.length; k++) {
    const s = standalone[k], c = combined[k];
    const imFreed = roundingZero(s.im - c.im, s.im);
    const id = ids.masters[k], subaccounts = ids.subaccounts[k], method = methods[groups[k].master], imFreedShare = s.im > 0 ? imFreed / s.im : 0;
    // one literal per shape, `backstop` last either way (the JSON's key order)
    masters[k] = backstops
      ? { id, subaccounts, method, standalone: s, combined: c, imFreed, imFreedShare, backstop: backstops[k] }
      : { id, subaccounts, method, standalone: s, combined: c, imFreed, imFreedShare };
  }
  // covers move cash only: an account's IM is its standalone IM
  const sums = newAccumulators(ROLLUP_SUMS);
  addNotInError(sums, STANDALONE_IM, c.im, c.status, null, c.count);
  if (policy === 'cross') {
    // the accounts in no group, and the pools
    addNotInError(sums, POLICY_IM, c.im, c.status, ids.grouped, c.count);
    for (let k = 0; k < groups.length; k++) if (combined[k].status !== 'error') exactAddOneJs(sums, POLICY_IM, combined[k].im);
  } else exactMergeJs(sums, POLICY_IM, sums, STANDALONE_IM); // covers move cash only: the same requirement
  return rollupOf(policy, masters, ids.subaccountCount, sums);
}

/**
 * The exact sums behind a roll-up's IM totals (ROLLUP_SUMS accumulators: the standalone IM of every account not in
 * status error, then the IM under the policy: the pools and the accounts in no group under cross, else the same),
 * unrounded: a shard of a book (src/scale/) sends its own for the coordinator to merge and round once, so a roll-up
 * has the same bits however the book was split.
 */
export const ROLLUP_SUMS = 2;
const STANDALONE_IM = 0, POLICY_IM = ACC_SLOTS;
const sumsByRollup = new WeakMap<SubaccountRollup, Float64Array>();

/** The exact sums of a roll-up this process built (undefined for one that came from elsewhere). */
export function rollupSums(r: SubaccountRollup): Float64Array | undefined {
  return sumsByRollup.get(r);
}

/**
 * A roll-up from its masters (in book order), the subaccount count and its exact sums ({@link ROLLUP_SUMS}): the
 * totals rounded once, and the masters' backstop payments summed in their order. The single-process roll-up and the
 * merge of shards' roll-ups both end here.
 */
export function rollupOf(policy: SubaccountPolicy, masters: MasterRollup[], subaccountCount: number, sums: Float64Array): SubaccountRollup {
  const standaloneIm = exactRoundJs(sums, STANDALONE_IM), im = exactRoundJs(sums, POLICY_IM);
  let backstopUsd = 0;
  for (const m of masters) if (m.backstop) backstopUsd = backstopUsd + m.backstop.coveredUsd;
  const imFreed = roundingZero(standaloneIm - im, standaloneIm);
  const out: SubaccountRollup = {
    policy,
    masters,
    totals: {
      masters: masters.length,
      subaccounts: subaccountCount,
      standaloneIm, im, imFreed, imFreedShare: standaloneIm > 0 ? imFreed / standaloneIm : 0, backstopUsd,
    },
  };
  sumsByRollup.set(out, sums);
  return out;
}

/**
 * Adds values[i] over i < n to the exact accumulator at `at`, leaving out accounts in status error (and, with
 * `grouped`, accounts in a group): the rule of the report's totals (src/margin/exact-totals.ts), so the same bits as
 * the report's once rounded.
 * perf: loop-alone (docs/performance.md)
 */
/** Σ values[i] over i < n not in status error, summed exactly (the report totals' rule). */
export function sumNotInError(values: Float64Array, status: Uint8Array, n: number): number {
  const acc = newAccumulators();
  addNotInError(acc, 0, values, status, null, n);
  return exactRoundJs(acc);
}

function addNotInError(acc: Float64Array, at: number, values: Float64Array, status: Uint8Array, grouped: Uint8Array | null, n: number): void {
  for (let i = 0; i < n; i++) if ((grouped === null || grouped[i] === 0) && status[i] !== STATUS_ERROR) exactAddOneJs(acc, at, values[i]);
}

/**
 * 0 for a difference of two sums of the same terms in different orders (the pool of accounts that do not offset is
 * their sum, re-associated): |d| within 1e-12 of the sum's size is rounding, not IM freed or added.
 */
function roundingZero(d: number, scale: number): number {
  return Math.abs(d) <= 1e-12 * Math.abs(scale) ? 0 : d;
}

