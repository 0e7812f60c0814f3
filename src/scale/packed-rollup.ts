/**
 * A shard's part of the subaccount roll-up (src/subaccounts/rollup.ts) packed for the trip to the coordinator, as its
 * rows are (packed-rows.ts): each master's figures in one Float64Array, statuses and methods as codes, the backstop's
 * covers as one list. The masters' ids and subaccount lists do not travel: the coordinator holds the book and takes
 * them from it (src/subaccounts/groups.ts `groupIds`), as the single-process roll-up does. Cloning 10⁵ master objects
 * with their subaccount lists cost the coordinator's thread a quarter of a second per shard.
 */
import type { GroupFigures, MasterRollup, SubaccountPolicy, SubaccountRollup } from '../margin/subaccount-rollup.js';
import { STATUS, STATUS_CODE } from '../margin/status.js';
import type { GroupIds } from '../subaccounts/groups.js';

/** A group's figures, in their key order (GroupFigures without its status). */
const GROUP_FIGURES = ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'excessOverMm'] as const;
/** Per master: standalone figures, combined figures, imFreed, imFreedShare; then backstop's free, covered, uncovered USD. */
const FIGURES = 2 * GROUP_FIGURES.length + 2, BACKSTOP = 3;

export interface PackedRollup {
  policy: SubaccountPolicy;
  /** Masters in shard order: each one's index in the shard. */
  masterAt: Int32Array;
  subaccounts: number;
  /** The exact sums behind the IM totals, unrounded (rollup.ts ROLLUP_SUMS). */
  sums: Float64Array;
  /** FIGURES per master. */
  figures: Float64Array;
  /** Standalone and combined status code per master (2 per master). */
  status: Uint8Array;
  /** Each master's method, an index into `methods`. */
  method: Uint8Array;
  methods: string[];
  /** Backstop policy: BACKSTOP per master, and its covers as [master k, account id, USD] in order. */
  backstop?: Float64Array | undefined;
  covers?: [number, string, number][] | undefined;
}

/** Packs a shard's roll-up; `masterAt`: each master's index in the shard. */
export function packRollup(r: SubaccountRollup, masterAt: Int32Array, sums: Float64Array): PackedRollup {
  const n = r.masters.length, g = GROUP_FIGURES.length;
  const figures = new Float64Array(FIGURES * n), status = new Uint8Array(2 * n), method = new Uint8Array(n);
  const methods: string[] = [];
  const backstop = r.policy === 'backstop' ? new Float64Array(BACKSTOP * n) : undefined;
  const covers: [number, string, number][] = [];
  for (let k = 0; k < n; k++) {
    const m = r.masters[k], f = FIGURES * k;
    for (let j = 0; j < g; j++) {
      figures[f + j] = m.standalone[GROUP_FIGURES[j]];
      figures[f + g + j] = m.combined[GROUP_FIGURES[j]];
    }
    figures[f + 2 * g] = m.imFreed;
    figures[f + 2 * g + 1] = m.imFreedShare;
    status[2 * k] = STATUS_CODE.get(m.standalone.status)!;
    status[2 * k + 1] = STATUS_CODE.get(m.combined.status)!;
    let code = methods.indexOf(m.method);
    if (code < 0) code = methods.push(m.method) - 1;
    method[k] = code;
    if (backstop && m.backstop) {
      backstop.set([m.backstop.freeUsd, m.backstop.coveredUsd, m.backstop.uncoveredUsd], BACKSTOP * k);
      for (const c of m.backstop.covers) covers.push([k, c.account, c.usd]);
    }
  }
  return { policy: r.policy, masterAt, subaccounts: r.totals.subaccounts, sums, figures, status, method, methods, ...(backstop ? { backstop, covers } : {}) };
}

/**
 * Master k of a packed roll-up as the roll-up lists it (keys in its order), with its id and subaccounts from the
 * coordinator's book (`group`: the master's index among the book's groups).
 */
export function unpackMaster(p: PackedRollup, k: number, ids: GroupIds, group: number, covers: { account: string; usd: number }[] | undefined): MasterRollup {
  const f = FIGURES * k, g = GROUP_FIGURES.length, x = p.figures;
  // one literal per group (its keys in GROUP_FIGURES order): a key added at a time made each a dictionary
  const figuresAt = (at: number, code: number): GroupFigures => ({
    equity: x[at], equityIm: x[at + 1], equityMm: x[at + 2], im: x[at + 3], mm: x[at + 4], health: x[at + 5], excessOverMm: x[at + 6], status: STATUS[code],
  });
  const master: MasterRollup = {
    id: ids.masters[group], subaccounts: ids.subaccounts[group], method: p.methods[p.method[k]],
    standalone: figuresAt(f, p.status[2 * k]), combined: figuresAt(f + g, p.status[2 * k + 1]),
    imFreed: p.figures[f + 2 * g], imFreedShare: p.figures[f + 2 * g + 1],
  };
  if (p.backstop) {
    const b = BACKSTOP * k;
    master.backstop = { freeUsd: p.backstop[b], coveredUsd: p.backstop[b + 1], uncoveredUsd: p.backstop[b + 2], covers: covers ?? [] };
  }
  return master;
}

/** A packed roll-up's covers by master k. */
export function coversByMaster(p: PackedRollup): Map<number, { account: string; usd: number }[]> {
  const out = new Map<number, { account: string; usd: number }[]>();
  for (const [k, account, usd] of p.covers ?? []) {
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push({ account, usd });
  }
  return out;
}
