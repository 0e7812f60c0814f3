/**
 * A group's figures in the roll-up (src/margin/subaccount-rollup.ts GroupFigures), in USD: summed over its accounts'
 * figure columns, or a pool's own (a row of the pooled book, or holdings margined by the run). A group in status error
 * has no figures (NaN, null in JSON), as an account row in error has none (docs/domain.md): a sum that skipped
 * the member in error, or zeros for a group of them, would pass for the group's figures.
 */
import type { AccountMargin } from '../margin/report.js';
import type { GroupFigures } from '../margin/subaccount-rollup.js';
import type { HoldingsMargin } from '../methods/method.js';
import { excessOverMmOf, healthOf } from '../margin/derived-figures.js';
import { STATUS, STATUS_ERROR } from '../margin/status.js';
import type { FigureColumns } from './figure-columns.js';
import type { MasterGroup } from './groups.js';

/** The figures of a group in status error: none (a new object per group: a report's objects are the caller's). */
export function groupInError(): GroupFigures {
  return { equity: NaN, equityIm: NaN, equityMm: NaN, im: NaN, mm: NaN, health: NaN, excessOverMm: NaN, status: 'error' };
}

/** Sums over the group's accounts (master first, then subaccounts in book order); the worst status (codes order by severity). */
export function sumFigures(c: FigureColumns, g: MasterGroup): GroupFigures {
  const mi = g.master, subs = g.subaccounts;
  let equity = c.equity[mi], equityIm = c.equityIm[mi], equityMm = c.equityMm[mi], im = c.im[mi], mm = c.mm[mi], worst = c.status[mi];
  for (let j = 0; j < subs.length; j++) {
    const s = subs[j];
    equity = equity + c.equity[s];
    equityIm = equityIm + c.equityIm[s];
    equityMm = equityMm + c.equityMm[s];
    im = im + c.im[s];
    mm = mm + c.mm[s];
    if (c.status[s] > worst) worst = c.status[s];
  }
  if (worst === STATUS_ERROR) return groupInError(); // error is the worst code: some member has no figures
  return { equity, equityIm, equityMm, im, mm, health: healthOf(equityMm, mm), excessOverMm: excessOverMmOf(equityMm, mm), status: STATUS[worst] };
}

/** A pool's figures from holdings margined by a run (MethodRun.pools.unionMargin). */
export function figuresOfHoldings(m: HoldingsMargin): GroupFigures {
  if (m.status === STATUS_ERROR) return groupInError();
  return { equity: m.equity, equityIm: m.equityIm, equityMm: m.equityMm, im: m.im, mm: m.mm, health: healthOf(m.equityMm, m.mm), excessOverMm: excessOverMmOf(m.equityMm, m.mm), status: STATUS[m.status] };
}

/** A pool's figures from its row, in USD: a pool margined in a coin through its USD view (the roll-up adds USD). */
export function figuresOfRow(r: AccountMargin): GroupFigures {
  if (r.status === 'error') return groupInError();
  const u = r.usd;
  if (u !== undefined) return { equity: u.equity, equityIm: u.equityIm, equityMm: u.equityMm, im: u.im, mm: u.mm, health: healthOf(u.equityMm, u.mm), excessOverMm: excessOverMmOf(u.equityMm, u.mm), status: r.status };
  return { equity: r.equity, equityIm: r.equityIm, equityMm: r.equityMm, im: r.im, mm: r.mm, health: r.health, excessOverMm: r.excessOverMm, status: r.status };
}
