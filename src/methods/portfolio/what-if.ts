/**
 * What-if for portfolio margin. Per account, a cache of its scenario P&L vector per underlying (the groups the
 * reduction sums: positions then non-stable balances, by underlying, each slot's scale × its risk-array row,
 * summed in slot order from +0, over the kernel's padded scenario count). A change then costs:
 * - a group it does not touch: nothing (its worst loss is kept);
 * - a group it only appends slots to (a new instrument on that underlying, the account holding no balance of it
 *   after its positions): pnl_s += q·R[row, s] per new slot, O(scenarios): the kernel adds the slot last too,
 *   so the bits are the kernel's;
 * - any other group (a held position's size changed, a balance changed): the group again in kernel order,
 *   O(its slots × scenarios). A running sum cannot drop a term and keep the kernel's bits, so that is the
 *   exact update; it touches one account's group, never the book.
 * Then the worst weighted loss per group (the kernel's scan), the aggregation and the add-ons (O(positions)).
 * The cache is built on an account's first what-if and dropped by run, remargin and market moves.
 */
import { statusOf } from '../../kernels/js/margin.js';
import type { AccountChange } from '../../margin/account-changes.js';
import type { AccountDraft } from '../../margin/account-draft.js';
import { type AccountRequirement, type Binding, requirementOf } from '../../margin/what-if.js';
import type { MethodContext } from '../method.js';
import { DraftEvaluator } from '../engines/rule-based/what-if.js';
import type { PortfolioRun } from '../engines/scenario-grid/run.js';
import { type SlotGroups, SlotGrouper } from '../engines/scenario-grid/account-slots.js';

/**
 * An account's groups (SlotGroups: a balance's row is −1 − asset, resolved when summed), worst loss and scenario;
 * `pnl` holds each group's scenario P&L (kernelScenarios entries per group) in cached sets only.
 */
interface GroupSet extends SlotGroups {
  worst: Float64Array;
  scenario: Int32Array;
  pnl: Float64Array | null;
}

/** Accounts whose P&L vectors are kept (least recently built dropped first). */
const CACHE_ACCOUNTS = 4096;

export class PortfolioWhatIf {
  private readonly cache = new Map<number, GroupSet>();
  private readonly evaluator: DraftEvaluator;
  /** Rows of balances of assets no account held at prepare (price × spot move), by asset. */
  private readonly assetRows = new Map<number, Float64Array>();
  /** The draft's groups (reused), the grouping and one P&L row of scratch. */
  private scratch: GroupSet = emptySet(32, false, 0);
  /** Where a cache entry is built before it is copied at its size. */
  private building: GroupSet = emptySet(0, false, 0);
  private readonly grouper = new SlotGrouper();
  private pnlRow = new Float64Array(0);

  constructor(
    private readonly ctx: MethodContext,
    private readonly run: PortfolioRun,
  ) {
    this.evaluator = new DraftEvaluator(ctx);
  }

  /** Drops every cached account (after a run or a market move). */
  clear(): void {
    this.cache.clear();
    this.assetRows.clear();
  }

  /** Drops account a (after it was re-margined from a changed layout). */
  drop(a: number): void {
    this.cache.delete(a);
  }

  whatIf(a: number, changes: readonly AccountChange[]): AccountRequirement {
    let cached = this.cache.get(a);
    if (cached === undefined) {
      const draft = this.evaluator.draft(a, []);
      const S = this.run.kernelScenarios, n = draft.positions + draft.balances;
      if (this.building.pnl === null || this.building.rows.length < n) this.building = emptySet(2 * n, true, S); // the first set has no P&L rows
      cached = copySet(this.groupsOf(draft, null, this.building), S);
      if (this.cache.size >= CACHE_ACCOUNTS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(a, cached);
    }
    const { draft, margin } = this.evaluator.evaluate(a, changes, false);
    let groups = cached;
    if (changes.length > 0) {
      const n = draft.positions + draft.balances;
      if (this.scratch.rows.length < n) this.scratch = emptySet(2 * n, false, 0);
      groups = this.groupsOf(draft, cached, this.scratch);
    }
    const run = this.run;
    const loss = run.aggregate(groups.worst, groups.u, 0, groups.count);
    const im = loss + run.addOnsOver(draft.instrument, draft.quantity, 0, draft.positions);
    const mm = run.params.mmFactor * im;
    const status = statusOf(margin.equity, margin.equityIm, margin.equityMm, im, mm);
    return requirementOf(margin, draft.cashUsd, im, mm, status, this.binding(groups));
  }

  /** The worst underlying's worst scenario (first on ties), or null when no group loses. */
  private binding(groups: GroupSet): Binding | null {
    let best = -1;
    for (let g = 0; g < groups.count; g++) if (groups.worst[g] > 0 && (best < 0 || groups.worst[g] > groups.worst[best])) best = g;
    if (best < 0) return null;
    const u = groups.u[best];
    const asset = this.ctx.layout.assets[u];
    return { kind: 'scenario', label: `${asset} ${this.run.scenarios[u][groups.scenario[best]].label}`, underlying: asset, amount: groups.worst[best] };
  }

  /**
   * The draft's groups (as the reduction would build them from the changed layout) into `out`, each reduced from
   * the matching group of `prior` when that is a prefix of it, else from scratch.
   */
  private groupsOf(draft: AccountDraft, prior: GroupSet | null, out: GroupSet): GroupSet {
    const layout = this.ctx.layout;
    const underlying = layout.instruments.underlying.array, multiplier = layout.instruments.multiplier.array;
    // slots: positions, then exposed balances, stably ordered by underlying (as the run's prepare and remargin)
    this.grouper.group(
      out, layout.assets, this.run.stable, underlying, multiplier, draft.positions, draft.instrument, 0, draft.quantity, 0,
      draft.balances, draft.asset, 0, draft.amount, 0, null,
    );
    for (let g = 0, c = 0; g < out.count; g++) {
      const u = out.u[g];
      if (prior !== null) while (c < prior.count && prior.u[c] < u) c++;
      this.reduce(out, g, prior !== null && c < prior.count && prior.u[c] === u ? c : -1, prior);
    }
    return out;
  }

  /** P&L and worst loss of group g of `set`, from group p of `prior` when its slots are a prefix of g's. */
  private reduce(set: GroupSet, g: number, p: number, prior: GroupSet | null): void {
    const S = this.run.kernelScenarios;
    const g0 = set.start[g], n = set.end[g] - g0;
    let from = 0;
    if (p >= 0) {
      const p0 = prior!.start[p], pn = prior!.end[p] - p0;
      if (pn <= n) {
        from = pn;
        for (let k = 0; k < pn; k++) {
          if (prior!.rows[p0 + k] !== set.rows[g0 + k] || !Object.is(prior!.scales[p0 + k], set.scales[g0 + k])) {
            from = 0;
            break;
          }
        }
      }
      if (from === n && from > 0 && prior!.pnl !== null) {
        set.worst[g] = prior!.worst[p];
        set.scenario[g] = prior!.scenario[p];
        if (set.pnl !== null) set.pnl.set(prior!.pnl.subarray(p * S, (p + 1) * S), g * S);
        return;
      }
    }
    let pnl: Float64Array;
    if (set.pnl !== null) pnl = set.pnl.subarray(g * S, (g + 1) * S);
    else {
      if (this.pnlRow.length !== S) this.pnlRow = new Float64Array(S);
      pnl = this.pnlRow;
    }
    if (from > 0) pnl.set(prior!.pnl!.subarray(p * S, (p + 1) * S));
    else pnl.fill(0);
    const risk = this.run.risk.riskArray.array as Float64Array;
    for (let k = from; k < n; k++) {
      const q = set.scales[g0 + k];
      const key = set.rows[g0 + k];
      const global = key >= 0 ? key : this.run.assetRow[-1 - key];
      const row = global >= 0 ? risk : this.assetRow(-1 - key);
      const off = global >= 0 ? global * S : 0;
      for (let s = 0; s < S; s++) pnl[s] += q * row[off + s];
    }
    // the kernel's scan: loss = (−pnl)·weight, the first largest, NaN when any loss is not finite
    const weight = this.run.reduce.weight.array as Float64Array;
    const w0 = set.u[g] * S;
    let best = -Infinity, bestIdx = 0, bad = false;
    for (let s = 0; s < S; s++) {
      const l = -pnl[s] * weight[w0 + s];
      if (l - l !== 0.0) bad = true;
      if (l > best) {
        best = l;
        bestIdx = s;
      }
    }
    set.worst[g] = bad ? NaN : best > 0.0 ? best : 0.0;
    set.scenario[g] = bad ? -1 : bestIdx;
  }

  /** The risk row of a balance of asset u that no account held at prepare: built as the kernel builds linear rows. */
  private assetRow(u: number): Float64Array {
    const run = this.run, S = run.kernelScenarios;
    let row = this.assetRows.get(u);
    if (row === undefined) {
      const spotMove = run.risk.spotMove.array as Float64Array, base = this.ctx.market.price.array[u];
      row = new Float64Array(S);
      for (let s = 0; s < S; s++) row[s] = base * spotMove[u * S + s];
      this.assetRows.set(u, row);
    }
    return row;
  }
}

/** A group set for up to n slots (and groups); with P&L rows of S scenarios when `withPnl`. */
function emptySet(n: number, withPnl: boolean, S: number): GroupSet {
  const m = Math.max(n, 1);
  return {
    count: 0, u: new Int32Array(m), start: new Int32Array(m), end: new Int32Array(m), rows: new Int32Array(m), scales: new Float64Array(m),
    worst: new Float64Array(m), scenario: new Int32Array(m), pnl: withPnl ? new Float64Array(m * S) : null,
  };
}

/** A copy of `set` at its size (what the cache keeps). */
function copySet(set: GroupSet, S: number): GroupSet {
  const G = set.count, n = G > 0 ? set.end[G - 1] : 0;
  return {
    count: G, u: set.u.slice(0, G), start: set.start.slice(0, G), end: set.end.slice(0, G), rows: set.rows.slice(0, n), scales: set.scales.slice(0, n),
    worst: set.worst.slice(0, G), scenario: set.scenario.slice(0, G), pnl: set.pnl!.slice(0, G * S),
  };
}
