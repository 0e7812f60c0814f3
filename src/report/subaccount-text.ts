/**
 * The subaccount roll-up as text: one table row per master (the group alone and under the policy, the IM pooling
 * freed, the backstop paid) and a summary line; and one group's tree for `explain`.
 */
import type { MasterRollup, SubaccountRollup } from '../margin/subaccount-rollup.js';
import { money, percent, ratio, tableLines } from './format.js';

const HEADER = ['master', 'accounts', 'method', 'IM alone', 'IM under policy', 'IM freed', 'freed', 'MM', 'health', 'status', 'backstop paid'];

/** The roll-up table, a line at a time, then its summary line. */
export function* rollupLines(r: SubaccountRollup): Generator<string> {
  const row = (m: MasterRollup) => [
    m.id, String(1 + m.subaccounts.length), m.method, money(m.standalone.im), money(m.combined.im), money(m.imFreed), percent(m.imFreedShare),
    money(m.combined.mm), ratio(m.combined.health), m.combined.status, m.backstop ? money(m.backstop.coveredUsd) : '',
  ];
  yield* tableLines(HEADER, r.masters.length, (k) => row(r.masters[k]), ['left', 'right', 'left']);
  yield rollupSummary(r);
}

export function rollupSummary(r: SubaccountRollup): string {
  const t = r.totals;
  const backstop = r.policy === 'backstop' ? `; masters paid ${money(t.backstopUsd)} to cover subaccounts below MM` : '';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(t.masters, 'master')} with ${plural(t.subaccounts, 'subaccount')}, policy ${r.policy}: IM ${money(t.im)} against ${money(t.standaloneIm)} with every account alone ` +
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
