/**
 * Report rows packed into columns for the trip from a worker to the coordinator: one Float64Array per figure
 * (copied bit for bit), status codes, and the status reasons joined into one string with their end offsets. Cloning
 * 10^5 row objects, or 10^5 strings, costs more than margining them (and the coordinator's share of it is serial);
 * columns and one string cost a memcpy. An account's own method and a backstop's cash travel as lists of the rows
 * that have them; a subaccount's master does not travel (the coordinator holds the book: merge.ts). Rows with more
 * than these fields (a breakdown) travel as they are.
 */
import { ReasonJoiner, type SummaryColumns } from '../margin/build-report.js';
import { figureModel } from '../margin/figure-model.js';
import { joinedReasons, summaryRow, summarySums, type SummaryRows } from '../margin/summary-rows.js';
import type { TotalSums } from '../margin/exact-totals.js';
import type { AccountMargin } from '../margin/report.js';
import { STATUS_CODE } from '../margin/status.js';
import { fnv1a32 } from './hash.js';

/** The keys a summary row may have: those besides its figures (figures.ts), which the model lists. */
const ROW_KEYS = ['id', 'master', 'status', 'statusReason', 'cashUsd', 'backstopUsd', 'error', 'marginCurrency', 'usd', 'method'] as const;

export interface PackedRows extends SummaryColumns {
  kind: 'packed';
  /** FNV-1a of the ids in order (hash.ts `idsDigest`): the coordinator checks the rows are the accounts it placed. */
  idsDigest: number;
  /** [row index, value] of the rows with a backstop's cash, a method of their own (absent: none). */
  backstops?: [number, number][] | undefined;
  methods?: [number, string][] | undefined;
}

export type ShardRows = PackedRows | { kind: 'rows'; rows: AccountMargin[] };

/** A digest of account ids in order: equal digests, same accounts in the same order (up to hash collisions). */
export function idsDigest(ids: readonly string[]): number {
  let h = 0;
  for (const id of ids) h = Math.imul(h ^ fnv1a32(id), 0x01000193) >>> 0;
  return h;
}


/** Packs summary rows (no breakdown); rows with more fields are passed as they are. */
export function packRows(rows: readonly AccountMargin[]): ShardRows {
  const names = figureModel().names as readonly (keyof AccountMargin)[];
  const summaryKeys = new Set<string>([...ROW_KEYS, ...names]);
  for (const row of rows) {
    for (const key in row) if (!summaryKeys.has(key)) return { kind: 'rows', rows: [...rows] };
    // a row's own method is its last key, unless a backstop's cover came after it (cashUsd, backstopUsd): then as it is
    if (row.method !== undefined && row.backstopUsd !== undefined) return { kind: 'rows', rows: [...rows] };
  }
  const n = rows.length;
  const figures = new Float64Array(names.length * n);
  const cashUsd = new Float64Array(n);
  const hasCash = new Uint8Array(n);
  const status = new Uint8Array(n);
  const reasons = new ReasonJoiner(n);
  const errors: [number, string][] = [];
  const currencies: [number, string, number][] = [];
  const backstops: [number, number][] = [], methods: [number, string][] = [];
  for (let a = 0; a < n; a++) {
    const row = rows[a];
    if (row.backstopUsd !== undefined) backstops.push([a, row.backstopUsd]);
    if (row.method !== undefined) methods.push([a, row.method]);
    for (let f = 0; f < names.length; f++) figures[f * n + a] = row[names[f]] as number;
    if (row.marginCurrency !== undefined && row.usd !== undefined) currencies.push([a, row.marginCurrency, row.usd.price]);
    if (row.cashUsd !== undefined) {
      cashUsd[a] = row.cashUsd;
      hasCash[a] = 1;
    }
    status[a] = STATUS_CODE.get(row.status)!;
    reasons.add(row.statusReason);
    if (row.error !== undefined) errors.push([a, row.error]);
  }
  return {
    kind: 'packed', count: n, idsDigest: idsDigest(rows.map((r) => r.id)), figures, cashUsd, hasCash, status, ...reasons.finish(), errors,
    ...(currencies.length > 0 ? { currencies } : {}),
    ...(backstops.length > 0 ? { backstops } : {}), ...(methods.length > 0 ? { methods } : {}),
  };
}

/**
 * Packs a run's summary columns (build-report.ts `buildSummaryColumns`: no row objects on the worker) for accounts
 * whose ids digest to `digest` (computed once, when the shard was loaded).
 */
export function packColumns(columns: SummaryColumns, digest: number): PackedRows {
  const { count, figures, cashUsd, hasCash, status, reasons, reasonEnds, errors, currencies } = columns;
  return {
    kind: 'packed', count, idsDigest: digest, figures, cashUsd, hasCash, status, ...(columns.compact ? { compact: true } : {}), reasons, reasonEnds, errors,
    ...(currencies ? { currencies } : {}),
  };
}

/**
 * Rows [from, to) of a report's unbuilt summary rows (summary-rows.ts `unbuiltSummaryRows`: a policy's report on a book
 * with masters, whose rows are still columns) packed without building a row object, and their exact sums; undefined
 * when the rows are not one block in order (rows of several runs), for the caller to pack row objects.
 */
export function packSummaryRows(s: SummaryRows, from: number, to: number, digest: number): { rows: PackedRows; sums: TotalSums } | undefined {
  if (s.block !== undefined || s.at !== undefined || s.blocks.length !== 1 || s.methods !== undefined) return undefined;
  const b = s.blocks[0], n = to - from, columns = b.figures.length / b.count;
  const figures = new Float64Array(columns * n);
  for (let f = 0; f < columns; f++) figures.set(b.figures.subarray(f * b.count + from, f * b.count + to), f * n);
  const inRange = <T>(entries: Iterable<[number, T]>): [number, T][] => {
    const out: [number, T][] = [];
    for (const [k, value] of entries) if (k >= from && k < to) out.push([k - from, value]);
    return out.sort((x, y) => x[0] - y[0]);
  };
  const backstops = s.backstops ? inRange(s.backstops) : [];
  const currencies = s.currencies ? inRange(s.currencies).map(([i, c]): [number, string, number] => [i, c.currency, c.price]) : [];
  let reasons: { reasons: string; reasonEnds: Uint32Array } | undefined;
  if (s.ownReason) {
    const joiner = new ReasonJoiner(n);
    for (let k = from; k < to; k++) joiner.add(s.ownReason(k) ?? ''); // empty: the pooled reason
    reasons = joiner.finish();
  }
  const rows: PackedRows = {
    kind: 'packed', count: n, idsDigest: digest, figures, cashUsd: b.cashUsd.slice(from, to), hasCash: b.hasCash.slice(from, to), status: b.status.slice(from, to),
    ...(b.compact ? { compact: true } : {}), ...reasons, errors: inRange(s.errors),
    ...(currencies.length > 0 ? { currencies } : {}),
    ...(backstops.length > 0 ? { backstops } : {}),
  };
  const view: SummaryRows = { count: n, ids: [], blocks: [rows], errors: new Map(), ...(s.currencies ? { currencies: new Map(currencies.map(([i, currency, price]) => [i, { currency, price }])) } : {}) };
  return { rows, sums: summarySums(view) };
}

/**
 * Places packed rows in summary rows (summary-rows.ts; the coordinator's rows in book order) as one more block: packed
 * row i becomes row `into[i]`, its figures left where they are. `slot`: the block goes in `to.blocks[slot]`, where
 * `to.block` and `to.at` already point rows `into` (a shard answering whole: its slot is its index, see merge.ts), so
 * nothing is written per row; else it is pushed and each row's place noted. Status reasons the packed rows carry (the
 * method's own) are sliced out into `ownReasons`; the others stay pooled.
 */
export function placeRows(p: PackedRows, into: ArrayLike<number>, to: SummaryRows & { block: Int32Array; at: Int32Array }, ownReasons: (string | undefined)[] | undefined, slot?: number): void {
  const n = p.count;
  if (into.length !== n) throw new Error(`margin-core: ${into.length} places for ${n} packed rows`);
  const placed = { count: n, figures: p.figures, cashUsd: p.cashUsd, hasCash: p.hasCash, status: p.status, ...(p.compact ? { compact: true } : {}) };
  if (slot !== undefined) {
    to.blocks[slot] = placed;
  } else {
    const b = to.blocks.push(placed) - 1;
    const block = to.block, at = to.at;
    for (let i = 0; i < n; i++) {
      const k = into[i];
      block[k] = b;
      at[k] = i;
    }
  }
  const { reasons, reasonEnds } = p;
  if (reasons !== undefined && reasonEnds !== undefined) {
    if (!ownReasons) throw new Error('margin-core: packed rows with status reasons of their own, and nowhere to put them');
    const reasonOf = joinedReasons(reasons, reasonEnds);
    for (let i = 0; i < n; i++) ownReasons[into[i]] = reasonOf(i);
  }
  const errors = to.errors as Map<number, string>;
  for (const [i, message] of p.errors) errors.set(into[i], message);
  if (p.methods !== undefined) {
    const methods = (to.methods ??= new Array<string | undefined>(to.count)) as (string | undefined)[];
    for (const [i, method] of p.methods) methods[into[i]] = method;
  }
  if (p.backstops !== undefined) {
    const backstops = (to.backstops ??= new Map()) as Map<number, number>;
    for (const [i, usd] of p.backstops) backstops.set(into[i], usd);
  }
  if (p.currencies !== undefined) {
    // coin-margined rows: their currency and USD price, by book row
    const currencies = (to.currencies ??= new Map()) as Map<number, { currency: string; price: number }>;
    for (const [i, currency, price] of p.currencies) currencies.set(into[i], { currency, price });
  }
}

/** Row `a` of packed rows with its id, keys in the report's order (summary-rows.ts `summaryRow` over the packed columns). */
export function unpackRow(p: PackedRows, a: number, id: string, error: string | undefined): AccountMargin {
  const ids: string[] = [];
  ids[a] = id;
  const { reasons, reasonEnds } = p;
  const view: SummaryRows = { count: p.count, ids, blocks: [p], errors: new Map(error === undefined ? [] : [[a, error]]) };
  const coin = p.currencies?.find(([i]) => i === a);
  if (coin) view.currencies = new Map([[a, { currency: coin[1], price: coin[2] }]]);
  if (reasons !== undefined && reasonEnds !== undefined) view.ownReason = joinedReasons(reasons, reasonEnds);
  return summaryRow(view, a);
}
