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
import { DraftEvaluator } from '../rule-based/what-if.js';
import type { PortfolioRun } from './run.js';

/** One underlying's group of an account: its slots (risk rows and scales, in kernel order) and P&L. */
interface Group {
  u: number;
  /** Risk row key per slot: instrument row (≥ 0), or −1 − asset for a balance. */
  keys: Int32Array;
  scales: Float64Array;
  n: number;
  /** Scenario P&L (USD, gain > 0), kernelScenarios entries. */
  pnl: Float64Array;
  worst: number;
  scenario: number;
}

/** Accounts whose P&L vectors are kept (least recently built dropped first). */
const CACHE_ACCOUNTS = 4096;

export class PortfolioWhatIf {
  private readonly cache = new Map<number, Group[]>();
  private readonly evaluator: DraftEvaluator;
  /** Rows of balances of assets no account held at prepare (price × spot move), by asset. */
  private readonly assetRows = new Map<number, Float64Array>();

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
      const { draft } = this.evaluator.evaluate(a, [], false);
      cached = this.groupsOf(draft, []);
      if (this.cache.size >= CACHE_ACCOUNTS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(a, cached);
    }
    const { draft, margin } = this.evaluator.evaluate(a, changes, false);
    const groups = changes.length === 0 ? cached : this.groupsOf(draft, cached);
    const run = this.run;
    const worst = groups.map((g) => g.worst);
    const loss = run.aggregate(worst, groups.map((g) => g.u), 0, groups.length);
    const im = loss + run.addOnsOver(draft.instrument, draft.quantity, 0, draft.positions);
    const mm = run.params.mmFactor * im;
    const status = statusOf(margin.equity, margin.equityIm, margin.equityMm, im, mm);
    return requirementOf(margin, draft.cashUsd, im, mm, status, this.binding(groups));
  }

  /** The worst underlying's worst scenario (first on ties), or null when no group loses. */
  private binding(groups: readonly Group[]): Binding | null {
    let best: Group | null = null;
    for (const g of groups) if (g.worst > 0 && (best === null || g.worst > best.worst)) best = g;
    if (best === null) return null;
    const asset = this.ctx.layout.assets[best.u];
    return { kind: 'scenario', label: `${asset} ${this.run.scenarios[best.u][best.scenario].label}`, underlying: asset, amount: best.worst };
  }

  /**
   * The draft's groups (as the reduction would build them from the changed layout), each reduced from the
   * matching group of `cached` when that is a prefix of it, else from scratch.
   */
  private groupsOf(draft: AccountDraft, cached: readonly Group[]): Group[] {
    const layout = this.ctx.layout, run = this.run;
    const underlying = layout.instruments.underlying.array, multiplier = layout.instruments.multiplier.array;
    // slots: positions, then exposed balances, stably ordered by underlying (as the run's prepare and remargin)
    const n = draft.positions + draft.balances;
    const slotU = new Int32Array(n), keys = new Int32Array(n), scales = new Float64Array(n);
    let top = 0;
    for (let k = 0; k < draft.positions; k++) {
      const i = draft.instrument[k];
      slotU[top] = underlying[i];
      keys[top] = i;
      scales[top++] = draft.quantity[k] * multiplier[i];
    }
    for (let k = 0; k < draft.balances; k++) {
      const asset = draft.asset[k];
      if (run.stable.has(layout.assets[asset]) || draft.amount[k] === 0) continue;
      slotU[top] = asset;
      keys[top] = -1 - asset;
      scales[top++] = draft.amount[k];
    }
    const order = stableOrderByUnderlying(slotU, top);
    const groups: Group[] = [];
    let c = 0;
    for (let k = 0; k < top; ) {
      const u = slotU[order[k]];
      let end = k;
      while (end < top && slotU[order[end]] === u) end++;
      const g: Group = { u, keys: new Int32Array(end - k), scales: new Float64Array(end - k), n: end - k, pnl: cachedPnlPlaceholder, worst: 0, scenario: 0 };
      for (let j = k; j < end; j++) {
        g.keys[j - k] = keys[order[j]];
        g.scales[j - k] = scales[order[j]];
      }
      while (c < cached.length && cached[c].u < u) c++;
      this.reduce(g, c < cached.length && cached[c].u === u ? cached[c] : null);
      groups.push(g);
      k = end;
    }
    return groups;
  }

  /** P&L and worst loss of `g`, from `prior` when its slots are a prefix of g's. */
  private reduce(g: Group, prior: Group | null): void {
    const S = this.run.kernelScenarios;
    let from = 0;
    if (prior !== null && prior.n <= g.n) {
      from = prior.n;
      for (let k = 0; k < prior.n; k++) {
        if (prior.keys[k] !== g.keys[k] || !Object.is(prior.scales[k], g.scales[k])) {
          from = 0;
          break;
        }
      }
    }
    if (prior !== null && from === g.n) {
      g.pnl = prior.pnl;
      g.worst = prior.worst;
      g.scenario = prior.scenario;
      return;
    }
    const pnl = from > 0 ? Float64Array.from(prior!.pnl) : new Float64Array(S);
    for (let k = from; k < g.n; k++) {
      const q = g.scales[k];
      const row = this.rowOf(g.keys[k]);
      for (let s = 0; s < S; s++) pnl[s] += q * row[s];
    }
    g.pnl = pnl;
    // the kernel's scan: loss = (−pnl)·weight, the first largest, NaN when any loss is not finite
    const weight = this.run.reduce.weight.array as Float64Array;
    const w0 = g.u * S;
    let best = -Infinity, bestIdx = 0, bad = false;
    for (let s = 0; s < S; s++) {
      const l = -pnl[s] * weight[w0 + s];
      if (l - l !== 0.0) bad = true;
      if (l > best) {
        best = l;
        bestIdx = s;
      }
    }
    g.worst = bad ? NaN : best > 0.0 ? best : 0.0;
    g.scenario = bad ? -1 : bestIdx;
  }

  /** The risk-array row of a slot key (a view into the run's risk array, or an asset row built as the kernel builds linear rows). */
  private rowOf(key: number): Float64Array {
    const run = this.run, S = run.kernelScenarios;
    const risk = run.risk.riskArray.array as Float64Array;
    if (key >= 0) return risk.subarray(key * S, (key + 1) * S);
    const u = -1 - key;
    const global = run.assetRow[u];
    if (global >= 0) return risk.subarray(global * S, (global + 1) * S);
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

const cachedPnlPlaceholder = new Float64Array(0);

/** Indices [0, n) stably sorted by slotU (insertion sort: accounts hold a handful of slots). */
function stableOrderByUnderlying(slotU: Int32Array, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const key = slotU[k];
    let j = k - 1;
    while (j >= 0 && slotU[order[j]] > key) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = k;
  }
  return order;
}
