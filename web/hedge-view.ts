/**
 * The risk page's suggested hedge for the selected account (engine.optimize, README "Margin optimisation"): the
 * outcome in words, the trades, under isolated margin the allocation each position should hold, and before/after
 * bars of the requirement the target compares (IM, or MM × (1 + buffer)) against the equity that must cover it. The
 * figures are the engine's re-check, never the solver's. A pure function from the result to HTML.
 */
import type { RestoreResult } from '../src/optimize/restore.js';
import { money as usd, sig } from '../src/report/format.js';
import { barsSvg, esc } from './plots.js';

/** The requirement and the equity the target compares, from the engine's figures (the account's margin currency). */
export function targetFigures(r: RestoreResult, which: 'before' | 'after'): { requirement: number; equity: number } {
  const f = r[which];
  return r.target === 'im' ? { requirement: f.im, equity: f.equityIm } : { requirement: f.mm * (1 + r.buffer), equity: f.equityMm };
}

export function hedgeHtml(r: RestoreResult): string {
  // money in the account's margin currency: USD in cents, a coin-margined account's coin to 8 decimals (the CLI's)
  const currency = r.before.marginCurrency ?? 'USD';
  const money = currency === 'USD' ? usd : (x: number) => `${usd(x, 8)} ${currency}`;
  const req = r.target === 'im' ? 'IM' : `MM × ${1 + r.buffer}`;
  const eq = r.target === 'im' ? 'equity for IM' : 'equity for MM';
  const before = targetFigures(r, 'before'), after = targetFigures(r, 'after');
  const headline =
    r.outcome === 'met' ? `meets its target (${eq} ${money(before.equity)} ≥ ${req} ${money(before.requirement)}): no hedge needed`
      : r.outcome === 'restored' ? `${r.trades.length} trade${r.trades.length === 1 ? '' : 's'} costing ${money(r.cost)} restore${r.trades.length === 1 ? 's' : ''} it: ${req} ${money(before.requirement)} → ${money(after.requirement)}, ` +
        `slack ${money(r.slackBefore)} → ${money(r.slackAfter)}${r.confirmed ? ' (confirmed by the engine)' : ' (<b>not confirmed</b> by the engine)'}`
      : `no trades within the candidates' limits restore it: the closest (cost ${money(r.cost)}) leave it ${money(-r.slackAfter)} short (was ${money(-r.slackBefore)})`;
  const parts = [`<h3>Suggested hedge <small>${esc(r.method)}, target ${esc(req)}</small></h3>`, `<p class="headline">${headline}</p>`];
  if (r.trades.length > 0) {
    parts.push(`<table class="small hedge-trades"><tr><th>instrument</th><th class="num">quantity</th><th class="num">price</th><th class="num">cost</th></tr>${
      r.trades.map((t) => `<tr><td>${esc(t.instrument)}</td><td class="num">${esc(sig(t.quantity))}</td><td class="num">${usd(t.price)}</td><td class="num">${money(t.cost)}</td></tr>`).join('')}</table>`);
  }
  if (r.allocations && r.allocations.length > 0) {
    parts.push(`<p class="hint">isolated margin: allocate ${r.allocations.map((x) => `${money(x.usd)} to ${esc(x.instrument)}`).join(', ')}</p>`);
  }
  if (r.outcome !== 'met') {
    parts.push(barsSvg([
      { label: 'before', values: [{ name: req, value: before.requirement, cls: 'im' }, { name: eq, value: before.equity, cls: 'value' }] },
      { label: 'after', values: [{ name: req, value: after.requirement, cls: 'im' }, { name: eq, value: after.equity, cls: 'value' }] },
    ], `${req} and ${eq}, before and after the hedge (${currency})`));
  }
  return parts.join('');
}
