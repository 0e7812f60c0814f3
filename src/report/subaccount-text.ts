/**
 * The subaccount roll-up as text: one table row per master (the group alone and under the policy, the IM pooling
 * freed, the backstop paid) and a summary line; and one group's tree for `explain`.
 */
import type { MasterRollup, SubaccountRollup } from '../margin/subaccount-rollup.js';
import { count, money, percent, ratio, tableLines } from './format.js';

const HEADER = ['master', 'accounts', 'method', 'IM alone', 'IM under policy', 'IM freed', 'freed', 'MM', 'health', 'status', 'backstop paid'];

/**
 * The roll-up table, a line at a time, then its summary line. `top`: at most that many masters, the least healthy
 * groups first (groups without figures, then health ascending, ties by id), and a line saying how many are shown.
 */
export function* rollupLines(r: SubaccountRollup, top?: number): Generator<string> {
  const row = (m: MasterRollup) => [
    m.id, String(1 + m.subaccounts.length), m.method, money(m.standalone.im), money(m.combined.im), money(m.imFreed), percent(m.imFreedShare),
    money(m.combined.mm), ratio(m.combined.health), m.combined.status, m.backstop ? money(m.backstop.coveredUsd) : '',
  ];
  const masters = top === undefined || top >= r.masters.length ? r.masters : leastHealthy(r.masters, top);
  yield* tableLines(HEADER, masters.length, (k) => row(masters[k]), ['left', 'right', 'left']);
  if (masters.length < r.masters.length) yield `showing ${count(masters.length)} of ${count(r.masters.length)} masters (--top ${top}: the least healthy groups)`;
  yield rollupSummary(r);
}

/** The `n` least healthy groups: those without figures (health NaN) first, then health ascending, ties by id. */
function leastHealthy(masters: readonly MasterRollup[], n: number): MasterRollup[] {
  const key = (m: MasterRollup) => (Number.isNaN(m.combined.health) ? -Infinity : m.combined.health);
  const order = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...masters].sort((x, y) => order(key(x), key(y)) || order(x.id, y.id)).slice(0, n);
}

export function rollupSummary(r: SubaccountRollup): string {
  const t = r.totals;
  const backstop = r.policy === 'backstop' ? `; masters paid ${money(t.backstopUsd)} to cover subaccounts below MM` : '';
  return `${count(t.masters, 'master')} with ${count(t.subaccounts, 'subaccount')}, policy ${r.policy}: the book's IM ${money(t.im)} against ${money(t.standaloneIm)} with every account alone ` +
    `(freed ${money(t.imFreed)}, ${percent(t.imFreedShare)})${backstop}${leftOut(r)}`;
}

/** What the sums leave out (nothing when complete): accounts in error and whole groups holding one (subaccount-rollup.ts). */
export function leftOut(r: SubaccountRollup): string {
  const covered = r.totals.covered;
  return r.totals.complete ? '' : `; the sums cover ${covered} account${covered === 1 ? '' : 's'}, leaving out those in error and the groups holding one`;
}

/**
 * One group as a tree under its master, the explained account marked. Its figures are the roll-up's, in USD whatever
 * the group's margin currency: the lines say so, as `explain`'s footer names the account's own unit.
 */
export function groupText(m: MasterRollup, policy: string, marked: string): string {
  const mark = (id: string) => (id === marked ? ' ◀' : '');
  const lines = [
    `Master ${m.id}${mark(m.id)} (policy ${policy}, ${m.method}), in USD: IM ${money(m.combined.im)}, MM ${money(m.combined.mm)}, equity for MM ${money(m.combined.equityMm)}, ` +
      `health ${ratio(m.combined.health)}, ${m.combined.status}`,
    ...m.subaccounts.map((id, k) => `${k + 1 < m.subaccounts.length ? '├─' : '└─'} ${id}${mark(id)}`),
    `Alone, in USD: IM ${money(m.standalone.im)}, MM ${money(m.standalone.mm)}, worst ${m.standalone.status}; freed by pooling ${money(m.imFreed)} (${percent(m.imFreedShare)})`,
  ];
  if (m.backstop) {
    const paid = m.backstop.covers.map((c) => `${c.account} ${money(c.usd)}`).join(', ');
    lines.push(`Backstop: free ${money(m.backstop.freeUsd)}, paid ${money(m.backstop.coveredUsd)}${paid ? ` (${paid})` : ''}, uncovered ${money(m.backstop.uncoveredUsd)}`);
  }
  return lines.join('\n');
}
