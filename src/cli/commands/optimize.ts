import type { Command } from 'commander';
import { Option } from 'commander';
import { createEngine } from '../../engine.js';
import type { MarginMethod } from '../../margin/report.js';
import type { RestoreResult } from '../../optimize/restore.js';
import { CommandFailed, readJson, readValidInputs } from '../io.js';
import { reportWritten } from '../written.js';
import { type BackendChoice, chosenMethod, nonNegativeDecimal, bookOption, marketOption, sampleOption, inputPaths, type InputFlags, withOneAccountOptions } from '../options.js';
import { openOutput } from '../output.js';
import { printWarnings, type ValidationFlags, validationOptions } from '../warnings.js';
import { defaultHedges } from '../../optimize/default-hedges.js';
import { groupOf, restoredAccounts } from '../../optimize/optimize-session.js';
import { subaccountPolicyOf, subaccountSectionReads } from '../../subaccounts/params.js';
import { InputError } from '../../errors.js';
import { explainAccounts, rowOf } from '../../report/explain.js';
import { bankruptNoHedge } from '../../report/words.js';

export { defaultHedges }; // moved to src/optimize/ (the risk page offers the same candidates)

/**
 * `margin-core optimize ACCOUNT`: the least-cost trades among candidate hedges that restore the account to its target
 * (docs/optimisation.md). Without --hedges the candidates are the book's futures and perpetuals on the
 * underlyings the account holds positions on, both sides, at a 5 bp half-spread and no fee, up to twice the account's
 * absolute position in each underlying (in the candidate's contracts, at least 1).
 */
export function registerOptimizeCommand(program: Command): Command {
  return withOneAccountOptions(program
    .command('optimize')
    .description('restore an account to IM (or MM with a buffer) at least cost: the cheapest hedge trades, re-checked by the engine')
    .addOption(bookOption()).addOption(marketOption()).addOption(sampleOption())
    .argument('<account>', 'the account id')
    .option('--hedges <file>', 'candidate hedges JSON: [{ instrument, spread, fee, maxQuantity, side }] (default: the book\'s futures and perpetuals on the account\'s underlyings, a coin-margined account\'s those settled in its coin, at a 5 bp half-spread; under isolated margin its own positions, to reduce; docs/optimisation.md)')
    .addOption(new Option('--target <target>', 'im: equity for IM ≥ IM; mm: equity for MM ≥ MM × (1 + buffer)').choices(['im', 'mm']).default('im'))
    .option('--buffer <fraction>', 'with --target mm: the buffer over MM (a fraction ≥ 0)', bufferFraction, 0.02)
    .option('--params <file>', 'risk parameters JSON'))
    .addHelpText('after', '\nExample:\n  margin-core optimize acct-17 --book book.json --market market.json --method portfolio --hedges hedges.json')
    .action(async (account: string, opts: InputFlags & { hedges?: string | undefined; target: 'im' | 'mm'; buffer: number; params?: string | undefined; method: MarginMethod; profile?: string | undefined; format: string; out?: string | undefined; backend: BackendChoice } & ValidationFlags, command: Command) => {
      if (opts.target === 'im' && command.getOptionValueSource('buffer') === 'cli') command.error('error: --buffer is over MM: give it with --target mm, or leave it out', { exitCode: 2 });
      const files = inputPaths(opts, command);
      const method = chosenMethod(opts, command);
      const inputs = await readValidInputs(files.book, files.market, validationOptions(opts));
      const params = opts.params ? await readJson(opts.params, '--params') : undefined;
      // under the cross policy a group's master is restored as the pool (the engine refuses its subaccounts)
      const policy = subaccountPolicyOf(inputs.book, params, opts.lenient === true);
      const pooled = policy === 'cross' && groupOf(inputs.book, account) !== undefined;
      const members = restoredAccounts(inputs.book, account, policy);
      const hedges = opts.hedges ? await readJson(opts.hedges, '--hedges') : defaultHedges(inputs.book, inputs.market, account, method, policy);
      const held = members.length === 0 ? undefined : members.reduce((n, a) => n + a.positions.length, 0);
      const holder = pooled ? `${account}'s pool` : account;
      const engine = await createEngine({ backend: opts.backend });
      // first: a bankrupt account is refused as such, whatever its candidates (none by default for collateral alone)
      // (a pool has no row of its own to explain: the engine's figures say whether it is bankrupt)
      if (held !== undefined && !pooled) {
        // a bankrupt account (equity below 0) is liquidated: no trade can lift its equity for IM above its IM
        const row = rowOf(explainAccounts(engine, inputs.book, inputs.market, [account], method as MarginMethod, params, { lenient: opts.lenient === true, profile: opts.profile }), account);
        if (row.status === 'bankrupt') throw new CommandFailed(bankruptNoHedge(account, method, row.statusReason));
      }
      // (a params file whose subaccounts section does not read is refused by the engine with its every problem)
      if (!opts.hedges && (hedges as unknown[]).length === 0 && held !== undefined && subaccountSectionReads(params)) {
        const why = held === 0 ? `${holder} holds no position (only collateral): nothing to reduce, and no underlying to hedge` : `the book lists no future or perpetual on the underlyings ${holder} holds`;
        throw new InputError([{ path: '--hedges', message: `no default candidates: ${why}; give candidates in a hedges file` }]);
      }
      const result = await engine.optimize(inputs.book, inputs.market, { method, profile: opts.profile, params, lenient: opts.lenient === true, account, hedges, target: opts.target, buffer: opts.target === 'mm' ? opts.buffer : undefined });
      const output = await openOutput(opts.out);
      if (opts.format === 'json') await output.write(`${JSON.stringify(result, null, 2)}\n`);
      else await output.lines(optimizeTableLines(result));
      await output.end();
      await reportWritten(opts.out, `the ${result.outcome} hedge of ${account} under ${result.method} margin, ${opts.format}`);
      printWarnings(result.warnings);
      // the answer is printed either way; the exit code says whether the account can be restored
      const currency = currencyOf(result);
      if (result.outcome === 'infeasible') throw new CommandFailed(`${account} cannot be restored with these hedges (the closest leave it ${money(-result.slackAfter, currency)} ${currency} short)`);
      if (!result.confirmed) throw new CommandFailed(`${account}: the engine did not confirm the target after the trades`);
    });
}

function usd(x: number): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** The currency the result's money is in: USD, or a coin-margined account's coin (its figures say which). */
function currencyOf(r: RestoreResult): string {
  return r.before.marginCurrency ?? 'USD';
}

/** An amount in `currency`: 2 decimals in USD, 8 in a coin (a satoshi). */
function money(x: number, currency: string): string {
  return currency === 'USD' ? usd(x) : x.toLocaleString('en-US', { minimumFractionDigits: 8, maximumFractionDigits: 8 });
}

/** A fill price as quoted (USD per unit; an inverse contract's USD per coin; a coin option's coin): 2 decimals from 1, else 8 significant digits. */
function priceText(x: number): string {
  return Math.abs(x) >= 1 ? usd(x) : x.toPrecision(8);
}

export function optimizeTableLines(r: RestoreResult): string[] {
  const currency = currencyOf(r), coin = currency !== 'USD';
  const m = (x: number) => money(x, currency);
  const target = r.target === 'im' ? 'IM (equity for IM ≥ IM)' : `MM × ${1 + r.buffer} (equity for MM ≥ MM × ${1 + r.buffer})`;
  const lines = [`optimize ${r.account}: ${r.method} margin, target ${target}`];
  if (r.pool) lines.push(`pool     ${r.account} with ${r.pool.subaccounts.join(', ')} (cross subaccount policy): the figures are the pool's`);
  lines.push(`outcome  ${r.outcome}${r.confirmed ? ' (confirmed by the engine)' : ''}: ${r.reason}`);
  if (r.trades.length > 0) {
    if (!coin) {
      lines.push('', `${'trade'.padEnd(6)}${'instrument'.padEnd(22)}${'quantity'.padStart(14)}${'price'.padStart(16)}${'cost'.padStart(12)}`);
      for (const t of r.trades) lines.push(`${(t.quantity > 0 ? 'buy' : 'sell').padEnd(6)}${t.instrument.padEnd(22)}${Math.abs(t.quantity).toFixed(6).padStart(14)}${usd(t.price).padStart(16)}${usd(t.cost).padStart(12)}`);
      lines.push(`${'total cost'.padEnd(58)}${usd(r.cost).padStart(12)}`);
    } else {
      // a coin account: costs in its coin; an inverse contract's price in USD per coin, as quoted
      const costHead = `cost (${currency})`;
      lines.push('', `${'trade'.padEnd(6)}${'instrument'.padEnd(26)}${'quantity'.padStart(14)}${'price'.padStart(16)}${costHead.padStart(16)}`);
      for (const t of r.trades) lines.push(`${(t.quantity > 0 ? 'buy' : 'sell').padEnd(6)}${t.instrument.padEnd(26)}${Math.abs(t.quantity).toFixed(6).padStart(14)}${priceText(t.price).padStart(16)}${m(t.cost).padStart(16)}`);
      lines.push(`${'total cost'.padEnd(62)}${m(r.cost).padStart(16)}`);
    }
  }
  if (r.allocations !== undefined && r.allocations.length > 0) {
    // isolated margin: what each position is given of the account's pool is half the answer (written as its isolated margin)
    const head = `allocation (${currency})`;
    lines.push('', `${'isolated margin to'.padEnd(28)}${head.padStart(20)}`);
    for (const a of r.allocations) lines.push(`${a.instrument.padEnd(28)}${m(a.usd).padStart(20)}`);
  }
  const eq = r.target === 'im' ? 'equity for IM' : 'equity for MM';
  const row = (name: string, a: string, b: string) => `${name.padEnd(16)}${a.padStart(16)}${b.padStart(16)}`;
  lines.push('', row('', 'before', 'after'));
  lines.push(row(eq, m(r.target === 'im' ? r.before.equityIm : r.before.equityMm), m(r.target === 'im' ? r.after.equityIm : r.after.equityMm)));
  lines.push(row('IM', m(r.before.im), m(r.after.im)));
  lines.push(row('MM', m(r.before.mm), m(r.after.mm)));
  lines.push(row('slack', m(r.slackBefore), m(r.slackAfter)));
  lines.push(row('status', r.before.status, r.after.status));
  const units = coin ? `${currency}, prices as quoted (USD per ${currency} for an inverse contract, ${currency} for a linear one)` : 'USD';
  lines.push(`(${units}; ${r.solver.programmes} linear programme${r.solver.programmes === 1 ? '' : 's'} solved by HiGHS, ${r.solver.cuts} cutting plane${r.solver.cuts === 1 ? '' : 's'})`);
  return lines;
}

/** `--buffer 0.02`: a finite fraction ≥ 0. */
const bufferFraction = nonNegativeDecimal('0.02');
