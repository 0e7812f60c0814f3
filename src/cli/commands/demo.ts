import type { Command } from 'commander';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../engine.js';
import { bookOptions, type BookOptions } from '../../greeks/book-options.js';
import { allocateGreeksOutput } from '../../greeks/types.js';
import { validateInputs } from '../../model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../model/types.js';
import type { AccountMargin } from '../../margin/report.js';
import { ratio } from './margin.js';
import { money, sig, table } from '../table.js';
import { readJson, sampleDir } from '../io.js';

/** Options priced per timing sample: enough to time the kernels, not the call overhead. */
const TIMING_OPTIONS = 500_000;

/** `margin-core demo`: the main job on the bundled sample, for now a Greeks report on its option chain. */
export function registerDemoCommand(program: Command): Command {
  return program
    .command('demo')
    .description('the bundled sample: option Greeks, rule-based margin, and every backend timed')
    .action(async () => {
      const dir = sampleDir();
      const { book, market } = validateInputs(await readJson(join(dir, 'book.json'), 'book'), await readJson(join(dir, 'market.json'), 'market'));
      const chain = bookOptions(book, market);
      const engine = await createEngine();
      const out = engine.greeks(chain.input);
      const lines: string[] = [];
      lines.push(`margin-core demo: the bundled sample (data/sample, valued ${market.valuationTime})`);
      lines.push(`book: ${book.accounts.length} accounts, ${book.instruments.length} instruments, ${chain.ids.length} options; backend ${engine.backend}`);
      lines.push('');
      lines.push(summaryByUnderlying(chain));
      lines.push('');
      lines.push('At-the-money options at the nearest expiry beyond a week (vega per 1 vol point, theta per day):');
      lines.push(atTheMoney(chain, out));
      lines.push('');
      lines.push(marginSection(engine, book, market));
      lines.push('');
      lines.push(await timings(chain, engine));
      lines.push('');
      lines.push('Your own data: margin-core margin --book BOOK.json --market MARKET.json [--method cross|isolated] [--format table|json|csv]');
      lines.push('               margin-core greeks --book BOOK.json --market MARKET.json');
      console.log(lines.join('\n'));
    });
}

function summaryByUnderlying(chain: BookOptions): string {
  const groups = new Map<string, { n: number; calls: number; expiries: Set<number>; minK: number; maxK: number; spot: number }>();
  chain.ids.forEach((_, i) => {
    const u = chain.underlyings[i];
    const g = groups.get(u) ?? { n: 0, calls: 0, expiries: new Set<number>(), minK: Infinity, maxK: 0, spot: chain.input.spot[i] };
    g.n++;
    g.calls += chain.input.isCall[i];
    g.expiries.add(chain.input.expiryYears[i]);
    g.minK = Math.min(g.minK, chain.input.strike[i]);
    g.maxK = Math.max(g.maxK, chain.input.strike[i]);
    groups.set(u, g);
  });
  const rows = [...groups].map(([u, g]) => [u, money(g.spot), String(g.n), String(g.calls), String(g.n - g.calls), String(g.expiries.size), `${money(g.minK, 0)} – ${money(g.maxK, 0)}`]);
  return table(['underlying', 'spot', 'options', 'calls', 'puts', 'expiries', 'strikes'], rows);
}

function atTheMoney(chain: BookOptions, out: ReturnType<Engine['greeks']>): string {
  const picked = new Map<string, number[]>();
  const minYears = 7 / 365;
  for (const u of new Set(chain.underlyings)) {
    const idx = chain.ids.map((_, i) => i).filter((i) => chain.underlyings[i] === u && chain.input.expiryYears[i] >= minYears);
    if (idx.length === 0) continue;
    const nearest = Math.min(...idx.map((i) => chain.input.expiryYears[i]));
    const atExpiry = idx.filter((i) => chain.input.expiryYears[i] === nearest);
    const spot = chain.input.spot[atExpiry[0]];
    const atm = atExpiry.reduce((best, i) => (Math.abs(chain.input.strike[i] - spot) < Math.abs(chain.input.strike[best] - spot) ? i : best));
    picked.set(u, atExpiry.filter((i) => chain.input.strike[i] === chain.input.strike[atm]));
  }
  const rows = [...picked.values()].flat().map((i) => [
    chain.ids[i],
    (chain.input.expiryYears[i] * 365).toFixed(1),
    `${(chain.input.vol[i] * 100).toFixed(1)}%`,
    sig(out.price[i], 6),
    sig(out.delta[i], 4),
    sig(out.gamma[i], 4),
    sig(out.vega[i] / 100, 4),
    sig(out.theta[i] / 365, 4),
    sig(out.rho[i], 4),
  ]);
  return table(['instrument', 'days', 'vol', 'price', 'delta', 'gamma', 'vega/pt', 'theta/day', 'rho'], rows);
}

/** Rule-based margin on the bundled book, cross and isolated, with the riskiest accounts. */
function marginSection(engine: Engine, book: ValidatedBook, market: ValidatedMarket): string {
  const lines = ['Rule-based margin on the bundled book (default venue-style parameters):'];
  const rows: string[][] = [];
  let riskiest: AccountMargin[] = [];
  for (const method of ['cross', 'isolated'] as const) {
    const t0 = performance.now();
    const report = engine.margin(book, market, { method });
    const ms = performance.now() - t0;
    const t = report.totals;
    rows.push([method, String(t.byStatus.healthy), String(t.byStatus.margin_call), String(t.byStatus.liquidatable), String(t.byStatus.bankrupt), money(t.im), `${t.efficiency.toFixed(2)}×`, ms.toFixed(1)]);
    if (method === 'cross') riskiest = [...report.accounts].sort((a, b) => a.health - b.health).slice(0, 5);
  }
  lines.push(table(['method', 'healthy', 'margin call', 'liquidatable', 'bankrupt', 'total IM', 'efficiency', 'ms'], rows));
  lines.push('');
  lines.push('Riskiest accounts under cross margin (health = equity after MM haircuts / MM):');
  lines.push(table(['account', 'status', 'equity', 'MM', 'health'], riskiest.map((a) => [a.id, a.status, money(a.equity), money(a.mm), ratio(a.health)]), ['left', 'left']));
  return lines.join('\n');
}

/** Prices the chain repeatedly on each backend in the same run; best of a few samples. */
async function timings(chain: BookOptions, engine: Engine): Promise<string> {
  const copies = Math.max(1, Math.round(TIMING_OPTIONS / Math.max(chain.ids.length, 1)));
  const n = copies * chain.ids.length;
  const tile = (a: Float64Array | Uint8Array) => {
    const big = new (a.constructor as typeof Float64Array)(n);
    for (let c = 0; c < copies; c++) big.set(a as Float64Array, c * a.length);
    return big;
  };
  const input = Object.fromEntries(Object.entries(chain.input).map(([k, v]) => [k, tile(v)])) as unknown as typeof chain.input;
  const out = allocateGreeksOutput(n);
  const engines = [engine, await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'js' })];
  const results = engines.map((e) => {
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      e.greeksInto(input, out);
      best = Math.min(best, performance.now() - t0);
    }
    return { backend: e.backend, nsPerOption: (best * 1e6) / n, price: out.price.slice() };
  });
  const js = results[results.length - 1];
  const identical = results.every((r) => r.price.every((x, i) => Object.is(x, js.price[i])));
  const rows = results.map((r) => [r.backend, r.nsPerOption.toFixed(1), `${(js.nsPerOption / r.nsPerOption).toFixed(1)}×`]);
  return `Timing: the chain tiled to ${n.toLocaleString('en-US')} options, best of 5, same run; ` +
    `results ${identical ? 'bit-identical on every backend' : 'DIFFER between backends'}:\n` +
    table(['backend', 'ns/option', 'vs js'], rows);
}
