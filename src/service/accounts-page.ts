/**
 * GET /accounts?status=…&sort=health&limit=…&cursor=…: the report's rows a page at a time. One pass over the book's
 * status and health columns per page (no row object but the page's, no sorted copy of the book kept between
 * requests), so a page costs O(accounts) reads and O(limit) rows, whatever the book's size.
 *
 * - `status`: one status or several, comma-separated (healthy, margin_call, liquidatable, bankrupt, error). Default: all.
 * - `sort`: `book` (book order, the default) or `health` (riskiest first: status error, then health = equity for MM /
 *   MM ascending, −∞ before any number; ties in book order).
 * - `limit`: accounts per page, 1 to the service's maximum (default 100).
 * - `cursor`: the `next` of the previous page (keyset paging: a page starts after the last row of the previous one,
 *   by its key when that page was read, so no row is skipped or repeated while the book stands still).
 *
 * Answers `{ accounts: [rows as GET /accounts/:id], next: cursor | null }`.
 */
import { describeValue, InputError, type InputProblem } from '../errors.js';
import type { LiveSession } from '../live/live-session.js';
import type { AccountMargin } from '../margin/report.js';
import { STATUS, STATUS_ERROR, type Status } from '../margin/status.js';
import { healthOf } from '../margin/what-if.js';

export interface PageQuery {
  statuses: Set<number> | null;
  sort: 'book' | 'health';
  limit: number;
  /** Book order: the layout index after which the page starts; health order: the key after which it starts. */
  after: Key | null;
}

/** A row's place in health order: status error first (rank 0), then health ascending, then layout index. */
interface Key {
  rank: number;
  health: number;
  index: number;
}

const QUERY_FIELDS = ['status', 'sort', 'limit', 'cursor'];

/**
 * Refuses the query parameters left in `query`, for a route that takes none (GET /accounts/:id, /report, /events) or
 * only those named in `takes` (already read): a parameter a client means (`?format=csv`) is not silently ignored.
 */
export function refuseQuery(query: unknown, ...takes: string[]): void {
  const keys = Object.keys((query ?? {}) as Record<string, unknown>);
  if (keys.length > 0) throw new InputError(keys.map((key) => unknownParameter(key, takes)));
}

/** The problem of a query parameter `key` a route does not take (`takes`: those it does). */
function unknownParameter(key: string, takes: readonly string[]): InputProblem {
  return { path: `query.${key}`, message: `unknown parameter (${takes.length === 0 ? 'this route takes none' : `expected ${takes.join(', ')}`})` };
}

/** The query, checked: every problem with its path (`query.limit`). */
export function readPageQuery(query: unknown, maxLimit: number, defaultLimit: number): PageQuery {
  const problems: InputProblem[] = [];
  const q = (query ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (!QUERY_FIELDS.includes(key)) problems.push(unknownParameter(key, QUERY_FIELDS));
    else if (typeof q[key] !== 'string') problems.push({ path: `query.${key}`, message: 'given more than once' });
  }
  if (problems.length > 0) throw new InputError(problems);
  const text = q as Record<string, string | undefined>;
  let statuses: Set<number> | null = null;
  if (text.status !== undefined) {
    statuses = new Set();
    for (const name of text.status.split(',')) {
      const code = STATUS.indexOf(name as Status);
      if (code < 0) problems.push({ path: 'query.status', message: `unknown status ${describeValue(name)} (expected ${STATUS.join(', ')})` });
      else statuses.add(code);
    }
  }
  const sort = text.sort ?? 'book';
  if (sort !== 'book' && sort !== 'health') problems.push({ path: 'query.sort', message: `expected book or health, got ${JSON.stringify(sort)}` });
  let limit = defaultLimit;
  if (text.limit !== undefined) {
    limit = /^[1-9]\d{0,8}$/.test(text.limit) ? Number(text.limit) : NaN;
    if (!(limit <= maxLimit)) problems.push({ path: 'query.limit', message: `expected a whole number from 1 to ${maxLimit}, got ${JSON.stringify(text.limit)}` });
  }
  let after: Key | null = null;
  if (text.cursor !== undefined) {
    after = decodeCursor(text.cursor, sort);
    if (after === null) problems.push({ path: 'query.cursor', message: 'not a cursor of this listing (pass the `next` of the previous page, with the same sort)' });
  }
  if (problems.length > 0) throw new InputError(problems);
  return { statuses, sort: sort as PageQuery['sort'], limit, after };
}

/** One page of rows. */
export function accountsPage(live: LiveSession, q: PageQuery): { accounts: AccountMargin[]; next: string | null } {
  const parts = live.reportParts;
  const layout = live.layout;
  const ids = layout.accountIds, liveColumn = layout.live.array;
  const { status, equityMm, mm } = parts.accountColumns();
  const n = layout.accountCount;
  // the report's rows: live accounts, and coin-margined accounts the run set aside (status error)
  const aside = parts.setAside;
  const statusOf = (a: number) => (aside?.has(a) === true ? STATUS_ERROR : status[a]);
  const wanted = (a: number) => ids[a] !== null && (liveColumn[a] !== 0 || aside?.has(a) === true) && (q.statuses === null || q.statuses.has(statusOf(a)));
  let chosen: number[];
  let more = false;
  if (q.sort === 'book') {
    chosen = [];
    for (let a = q.after === null ? 0 : q.after.index + 1; a < n; a++) {
      if (!wanted(a)) continue;
      if (chosen.length === q.limit) {
        more = true;
        break;
      }
      chosen.push(a);
    }
  } else {
    const heap = new KeyHeap(q.limit + 1);
    for (let a = 0; a < n; a++) {
      if (!wanted(a)) continue;
      const rank = statusOf(a) === STATUS_ERROR ? 0 : 1;
      const health = rank === 0 ? 0 : healthOf(equityMm[a], mm[a]);
      if (q.after !== null && compareTo(rank, health, a, q.after) <= 0) continue;
      // most accounts fall after the page's last key so far: dropped before a key object is made for them
      if (heap.full && compareTo(rank, health, a, heap.top) >= 0) continue;
      heap.offer({ rank, health, index: a });
    }
    const keys = heap.sorted();
    more = keys.length > q.limit;
    chosen = keys.slice(0, q.limit).map((k) => k.index);
  }
  const accounts = chosen.map((a) => parts.accountAt(a));
  const last = chosen.at(-1);
  let next: string | null = null;
  if (more && last !== undefined) {
    next = q.sort === 'book' ? encodeCursor('book', { rank: 1, health: 0, index: last }) : encodeCursor('health', statusOf(last) === STATUS_ERROR ? { rank: 0, health: 0, index: last } : { rank: 1, health: healthOf(equityMm[last], mm[last]), index: last });
  }
  return { accounts, next };
}

function compare(x: Key, y: Key): number {
  return compareTo(x.rank, x.health, x.index, y);
}

/** The key (rank, health, index) against `y`: negative before it, positive after. */
function compareTo(rank: number, health: number, index: number, y: Key): number {
  if (rank !== y.rank) return rank - y.rank;
  if (health !== y.health) return health < y.health ? -1 : 1;
  return index - y.index;
}

/** The `size` smallest keys offered (a max-heap: the largest kept on top, dropped when a smaller one comes). */
class KeyHeap {
  private readonly items: Key[] = [];
  constructor(private readonly size: number) {}

  get full(): boolean {
    return this.items.length === this.size;
  }

  /** The largest key kept (defined once full). */
  get top(): Key {
    return this.items[0];
  }

  offer(key: Key): void {
    const items = this.items;
    if (items.length < this.size) {
      items.push(key);
      let i = items.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (compare(items[parent], items[i]) >= 0) break;
        [items[parent], items[i]] = [items[i], items[parent]];
        i = parent;
      }
      return;
    }
    if (compare(key, items[0]) >= 0) return;
    items[0] = key;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let top = i;
      if (l < items.length && compare(items[l], items[top]) > 0) top = l;
      if (r < items.length && compare(items[r], items[top]) > 0) top = r;
      if (top === i) break;
      [items[top], items[i]] = [items[i], items[top]];
      i = top;
    }
  }

  sorted(): Key[] {
    return [...this.items].sort(compare);
  }
}

/** `sort.rank.health-bits.index`, base64url: the health's IEEE-754 bits, so ±∞ and every double round-trip. */
function encodeCursor(sort: 'book' | 'health', key: Key): string {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, key.health);
  const hex = bits.getBigUint64(0).toString(16).padStart(16, '0');
  return Buffer.from(`${sort}.${key.rank}.${hex}.${key.index}`).toString('base64url');
}

function decodeCursor(cursor: string, sort: string): Key | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const m = /^(book|health)\.([01])\.([0-9a-f]{16})\.(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (m === null || m[1] !== sort) return null;
  const bits = new DataView(new ArrayBuffer(8));
  bits.setBigUint64(0, BigInt(`0x${m[3]}`));
  const health = bits.getFloat64(0);
  if (Number.isNaN(health)) return null;
  return { rank: Number(m[2]), health, index: Number(m[4]) };
}
