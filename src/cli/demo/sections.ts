/**
 * The demo's sections as text, from reports already computed (src/cli/commands/demo.ts runs the engines), and the
 * accounts it shows as examples: each picked by a rule that makes it teach something (a liquidation with maintenance
 * margin, several steps and equity left; a hedged account the portfolio method credits), never by position in a list.
 */
import type { AccountLiquidation, LiquidationReport } from '../../liquidation/report.js';
import type { MarginReport } from '../../margin/report.js';
import { count, efficiency, money, ratio, sig, table, wrap } from '../../report/format.js';
import { liquidationPlanText } from '../../report/liquidation-text.js';
import { riskiestAccounts, summarizeMethods } from '../../report/summary.js';
import { EXPLAIN } from '../../report/words.js';

export function methodsSection(reports: readonly MarginReport[], seeAlso = 'see 3'): string {
  const summaries = summarizeMethods(reports);
  const rows = summaries.map((s) => [
    s.method, count(s.byStatus.healthy), count(s.byStatus.margin_call), count(s.byStatus.liquidatable), count(s.byStatus.bankrupt),
    count(s.byStatus.error), s.complete ? money(s.im, 0) : `${money(s.im, 0)} (${count(s.covered)} of ${count(s.accounts)})`, efficiency(s.efficiency, '×'),
  ]);
  return `${table(['method', 'healthy', 'margin call', 'liquidatable', 'bankrupt', 'error', 'total IM', 'notional/IM'], rows)}\n` +
    `${wrap(`${EXPLAIN.bankrupt}; liquidatable: equity after MM haircuts below MM; margin call: below IM only.`, 120, '  ')}\n` +
    wrap(`${EXPLAIN.notionalPerIm}: at the defaults it compares the calibrations above as much as the methods (${seeAlso}).`, 120, '  ') +
    (summaries.every((s) => s.complete) ? '' : `\n${wrap('A total IM followed by (N of M) leaves the accounts in error out.', 120, '  ')}`);
}

/** The riskiest accounts (each at its worst method), their health under every method, and why. */
export function riskiestSection(reports: readonly MarginReport[], scenario: ReadonlyMap<string, string>, count: number): string {
  const risky = riskiestAccounts(reports, count);
  const methods = reports.map((r) => r.method);
  // the worst method's health marked *, not named in the status column: seven methods' columns fill the width
  const rows = risky.map((r) => [r.id, r.status, ...methods.map((m) => (r.byMethod[m] ? `${ratio(r.byMethod[m]!.health)}${m === r.worstMethod ? '*' : ' '}` : ''))]);
  const why = risky.map((r) => {
    const s = scenario.get(r.id);
    return `  ${r.id}: ${r.byMethod[r.worstMethod]?.statusReason ?? ''}${s ? `\n    worst scenario: ${s}` : ''}`;
  });
  return `${table(['account', 'status', ...methods], rows, ['left', 'left', ...methods.map(() => 'right' as const)])}\n` +
    `${wrap(`${EXPLAIN.health}; ${EXPLAIN.bankrupt}.`, 120, '  ')}\n` +
    '* the worst method. Under isolated margin an account takes its worst position\'s status. Why each has its status, at its\nworst method:\n' +
    why.join('\n');
}

/**
 * The liquidation that teaches most: a partial one. Of the accounts liquidatable (not bankrupt) with maintenance
 * margin, those the plan brings back above its target with positions left (MM after > 0), closing positions over
 * several steps, each step a readable one (a quantity above dust, a bankruptcy price within 10× the mark); of them,
 * the one keeping the largest share of its equity. Failing that, any account with maintenance margin, then the first.
 * Undefined when nothing was liquidated.
 */
export function teachingLiquidation(report: LiquidationReport): AccountLiquidation | undefined {
  const liquidated = report.accounts.filter((a) => a.state !== 'deleveraged'); // ADL counterparties were not liquidated
  const withMm = liquidated.filter((a) => a.before.mm > 0 && Number.isFinite(a.before.health));
  const partial = withMm.filter((a) => a.before.status === 'liquidatable' && a.after.mm > 0 && Number.isFinite(a.after.health) &&
    a.steps.filter((s) => s.kind === 'position').length >= 2 && a.before.equity > 0 &&
    a.steps.every((s) => Math.abs(s.quantity) > 1e-9 && !(Math.abs(s.bankruptcyPrice ?? Infinity) > 10 * s.markPrice)));
  const kept = (a: AccountLiquidation) => a.waterfall.equityAfter / a.before.equity;
  return partial.reduce<AccountLiquidation | undefined>((best, a) => (best === undefined || kept(a) > kept(best) ? a : best), undefined) ??
    withMm[0] ?? liquidated[0];
}

/** The healthy account holding positions whose IM the portfolio method cuts most against cross margin: hedges at work. */
export function hedgedAccount(reports: readonly MarginReport[]): string | undefined {
  const cross = reports.find((r) => r.method === 'cross'), portfolio = reports.find((r) => r.method === 'portfolio');
  if (!cross || !portfolio) return undefined;
  const im = new Map(cross.accounts.map((a) => [a.id, a.im]));
  let best: { id: string; cut: number } | undefined;
  for (const a of portfolio.accounts) {
    const cut = (im.get(a.id) ?? 0) - a.im;
    if (a.status === 'healthy' && a.grossNotional > 0 && cut > 0 && (!best || cut > best.cut)) best = { id: a.id, cut };
  }
  return best?.id;
}

export interface LiquidationRun {
  method: string;
  /** One report per engine, in engine order. */
  reports: LiquidationReport[];
}

/** Totals per method, the words that keep `bankrupt` a status, conservation, bit identity, and the teaching plan. */
export function liquidationSection(runs: readonly LiquidationRun[], backends: readonly string[], showcase: { method: string; account: AccountLiquidation } | undefined): string {
  const same = runs.every((r) => r.reports.every((rep) => JSON.stringify({ ...rep, backend: '' }) === JSON.stringify({ ...r.reports[0], backend: '' })));
  const rows = runs.map(({ method, reports: [r] }) => {
    const t = r.totals;
    const bankruptAtStart = r.accounts.filter((a) => a.before.status === 'bankrupt').length;
    return [
      method, String(t.accountsBreaching), String(bankruptAtStart), String(t.resolved), String(t.bankrupt), String(r.accounts.reduce((n, a) => n + a.steps.length, 0)),
      money(t.closedNotional, 0), `${money(t.feesToLiquidators, 0)} / ${money(t.feesToFund, 0)}`, money(t.fundPaid, 0), money(t.badDebt, 0),
    ];
  });
  const residual = Math.max(...runs.map((r) => Math.abs(r.reports[0].totals.conservationResidual)));
  const lines = [
    table(['method', 'below MM', 'bankrupt', 'resolved', 'in deficit', 'steps', 'closed notional', 'fees liq. / fund', 'fund paid', 'bad debt'], rows),
    ...[
      'below MM: liquidatable or bankrupt at the start; bankrupt: those of them in status bankrupt (equity below 0), as in 2.',
      `in deficit: ${EXPLAIN.leftInDeficit.replace(/^left in deficit = /, '')}.`,
      'fees liq. / fund: to liquidators (fees, and discounts on collateral they buy) and to the insurance fund.',
      `${EXPLAIN.badDebt}. ADL fills: ${runs.map(({ method, reports: [r] }) => `${method} ${r.adl.length}`).join(', ')}.`,
      `Money conserved to ${sig(residual, 2)} USD in every run (accounts + liquidators + fund + market). Plans ${same ? 'bit-identical' : 'DIFFER'} on ${backends.join(', ')}.`,
    ].map((l) => wrap(l, 120, '  ')),
  ];
  if (showcase) {
    const a = showcase.account;
    lines.push('', wrap(`How a liquidation goes: ${a.id} under ${showcase.method} margin, health ${ratio(a.before.health)} (equity for MM ${money(a.before.equityMm)} ` +
      `against MM ${money(a.before.mm)}). Picked as the partial liquidation that keeps the largest share of its equity: positions are closed ` +
      'step by step only until the account is back above its target (MM × 1.02), at a fee to the liquidator and the fund:'), liquidationPlanText(a));
  }
  return lines.join('\n');
}

/** The demo's last lines: what to run next, each from an installed package. */
export function nextLines(showcase: string | undefined, hedged: string | undefined): string[] {
  const lines = ['Next (each runs from the installed package; docs/getting-started.md reads this output line by line):'];
  const rows: [string, string][] = [];
  const row = (command: string, what: string) => rows.push([command, what]);
  if (showcase) row(`margin-core explain ${showcase} --method cross`, 'why it is liquidated, step by step');
  if (hedged) row(`margin-core explain ${hedged} --method portfolio`, 'a hedged account\'s scenario grid');
  row('margin-core compare --sample', 'every method at equal coverage, per account');
  row('margin-core margin --sample --method portfolio --status liquidatable', 'the accounts below MM');
  row('margin-core margin --sample --profile deribit', 'Deribit\'s published portfolio rule');
  row('margin-core liquidate --sample', 'every liquidation step');
  row('margin-core stress --sample --method all', 'the crash path, round by round');
  row('margin-core backtest', 'static vs volatility-driven margin, ten years');
  row('margin-core page', 'the browser risk page');
  row('margin-core margin --book BOOK.json --market MARKET.json', 'your own book (formats: docs/book-format.md)');
  const width = Math.max(...rows.map(([c]) => c.length));
  for (const [command, what] of rows) lines.push(`  ${command.padEnd(width)}  ${what}`);
  return lines;
}
