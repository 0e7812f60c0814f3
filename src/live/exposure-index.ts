/**
 * Which accounts a move of an asset reaches: per layout asset, the live accounts holding a position on an
 * instrument of that underlying or settled in it, a balance of it, or margined in it (a coin-margined account's
 * figures are in its asset, converted at its price). Built once from the layout (O(slots)); an account is added
 * to the lists of the assets it comes to hold when its fills and transfers are applied ({@link note}). Entries
 * are never removed while the session lives (a position closed to zero stays in its slot), so the lists may
 * name a few accounts a move no longer reaches: re-margining those gives their same bits again.
 */
import type { BookLayout } from '../layout/book-layout.js';

export class ExposureIndex {
  /** Per asset: a membership byte per account, and the members in insertion order. */
  private member: Uint8Array[];
  private lists: Int32Array[];
  private counts: Int32Array;
  /** Per asset: 1 when an account was added below the list's last (a fill on an earlier account): sort before reading. */
  private unsorted: Uint8Array;
  private mark = new Uint8Array(0);

  constructor(private readonly layout: BookLayout) {
    const U = layout.assets.length, n = layout.accountCount;
    this.member = Array.from({ length: U }, () => new Uint8Array(n));
    this.lists = Array.from({ length: U }, () => new Int32Array(16));
    this.counts = new Int32Array(U);
    this.unsorted = new Uint8Array(U);
    this.noteAll();
  }

  /**
   * Every live account noted, in book order: what {@link note} does account by account, the columns read once and
   * an asset's repeat within an account found by the last account added to its list (accounts come in order), not
   * its membership byte (a million accounts of 20 positions: the per-account lookups took most of a second).
   */
  private noteAll(): void {
    const layout = this.layout, n = layout.accountCount;
    const pos = layout.positions, col = layout.collateral;
    const instrument = pos.column<'i32'>('instrument').array, underlying = layout.instruments.underlying.array;
    const settlement = layout.instruments.settlement.array, marginAsset = layout.marginAsset.array, live = layout.live.array;
    const pStart = pos.start.array, pEnd = pos.end.array, cStart = col.start.array, cEnd = col.end.array;
    const asset = col.column<'i32'>('asset').array;
    const last = new Int32Array(this.lists.length).fill(-1);
    for (let a = 0; a < n; a++) {
      if (live[a] === 0) continue;
      for (let p = pStart[a]; p < pEnd[a]; p++) {
        const i = instrument[p], u = underlying[i], s = settlement[i];
        if (last[u] !== a) this.append(u, a, last);
        if (s >= 0 && last[s] !== a) this.append(s, a, last);
      }
      const m = marginAsset[a];
      if (m >= 0 && last[m] !== a) this.append(m, a, last);
      for (let k = cStart[a]; k < cEnd[a]; k++) if (last[asset[k]] !== a) this.append(asset[k], a, last);
    }
  }

  /** Appends account a to asset u's list, a member now (noteAll: a is above every account listed). */
  private append(u: number, a: number, last: Int32Array): void {
    last[u] = a;
    this.member[u][a] = 1;
    let list = this.lists[u];
    if (this.counts[u] === list.length) this.lists[u] = list = grow(list, 2 * list.length);
    list[this.counts[u]++] = a;
  }

  /** Adds account a to the lists of every asset it holds now (O(its slots)). */
  note(a: number): void {
    const layout = this.layout;
    if (a >= this.member[0]?.length) this.member = this.member.map((m) => grow(m, Math.max(a + 1, 2 * m.length)));
    const pos = layout.positions, col = layout.collateral;
    const instrument = pos.column<'i32'>('instrument').array, underlying = layout.instruments.underlying.array;
    const settlement = layout.instruments.settlement.array;
    for (let p = pos.start.array[a]; p < pos.end.array[a]; p++) {
      this.add(underlying[instrument[p]], a);
      if (settlement[instrument[p]] >= 0) this.add(settlement[instrument[p]], a);
    }
    if (layout.marginAsset.array[a] >= 0) this.add(layout.marginAsset.array[a], a);
    const asset = col.column<'i32'>('asset').array;
    for (let k = col.start.array[a]; k < col.end.array[a]; k++) this.add(asset[k], a);
  }

  /**
   * The accounts exposed to any of `assets`, ascending, each once. O(accounts + their entries). For one asset, a view
   * of its list (sorted in place if accounts were noted out of order): read it before the next note or call, and do
   * not write it (a tick of a widely held asset would otherwise copy a million entries).
   */
  accountsOf(assets: ArrayLike<number>): Int32Array {
    const n = this.layout.accountCount;
    if (assets.length === 1) {
      const u = assets[0], list = this.lists[u].subarray(0, this.counts[u]);
      if (this.unsorted[u] !== 0) {
        list.sort();
        this.unsorted[u] = 0;
      }
      return list;
    }
    if (this.mark.length < n) this.mark = new Uint8Array(n);
    const mark = this.mark;
    let total = 0;
    for (let k = 0; k < assets.length; k++) {
      const u = assets[k], list = this.lists[u];
      for (let j = 0; j < this.counts[u]; j++) {
        if (mark[list[j]] === 0) total++;
        mark[list[j]] = 1;
      }
    }
    const out = new Int32Array(total);
    let top = 0;
    for (let a = 0; a < n && top < total; a++) {
      if (mark[a] !== 0) {
        out[top++] = a;
        mark[a] = 0;
      }
    }
    return out;
  }

  private add(u: number, a: number): void {
    if (this.member[u][a] !== 0) return;
    this.member[u][a] = 1;
    let list = this.lists[u];
    if (this.counts[u] === list.length) this.lists[u] = list = grow(list, 2 * list.length);
    if (this.counts[u] > 0 && list[this.counts[u] - 1] > a) this.unsorted[u] = 1;
    list[this.counts[u]++] = a;
  }
}

function grow<T extends Uint8Array | Int32Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}
