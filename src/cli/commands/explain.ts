import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import type { MarginMethod } from '../../margin/report.js';
import { explainAccounts, rowOf } from '../../report/explain.js';
import { groupText } from '../../report/subaccount-text.js';
import { explainText } from '../../report/explain-text.js';
import { liquidationPlanText } from '../../report/liquidation-text.js';
import type { AccountLiquidation, LiquidationReport } from '../../liquidation/report.js';
import { InputError } from '../../errors.js';
import { readJson, readValidInputs } from '../io.js';
import { emit } from '../output.js';
import { reportWritten } from '../written.js';
import { type BackendChoice, chosenMethod, bookOption, marketOption, sampleOption, inputPaths, withOneAccountOptions } from '../options.js';
import { withProgress } from '../progress.js';
import { withWarnings } from '../../model/warnings.js';
import { printWarnings, validationOptions } from '../warnings.js';

interface ExplainOptions {
  book?: string | undefined;
  market?: string | undefined;
  sample?: boolean | undefined;
  params?: string | undefined;
  method: MarginMethod;
  profile?: string | undefined;
  format: string;
  out?: string | undefined;
  backend: BackendChoice;
  lenient?: boolean | undefined;
  repairCorrelation?: boolean | undefined;
}

/** `margin-core explain <account>`: one account's margin, broken down (on the bundled sample by default). */
export function registerExplainCommand(program: Command): Command {
  return withOneAccountOptions(program
    .command('explain')
    .description("one account's margin broken down: positions, collateral haircuts, the method's scenarios, add-ons or components, and its liquidation plan when it is below maintenance margin")
    .argument('<account>', 'account id')
    .addOption(bookOption('the bundled sample')).addOption(marketOption('the bundled sample when no --book is given')).addOption(sampleOption())
    .option('--params <file>', 'risk parameters JSON, merged over the defaults'))
    .addHelpText('after', '\nExample:\n  margin-core explain distressed-000107 --method cross\n  margin-core explain alice --book book.json --market market.json --format json')
    .action(async (id: string, opts: ExplainOptions, command: Command) => {
      const files = inputPaths(opts, command, true);
      const method = chosenMethod(opts, command) as MarginMethod;
      const profile = opts.profile;
      const text = await withProgress('explain', 3, async (bar) => {
        const { book, market } = await readValidInputs(files.book, files.market, validationOptions(opts), () => bar.advance(1, 'validating'));
        const params = opts.params ? await readJson(opts.params, '--params') : undefined;
        bar.advance(1, `${method} margin`);
        const engine = await createEngine({ backend: opts.backend });
        const report = explainAccounts(engine, book, market, [id], method, params, { lenient: opts.lenient === true, profile });
        bar.advance(1);
        printWarnings(report.warnings);
        const account = rowOf(report, id);
        const rollup = report.subaccounts;
        const group = rollup?.masters.find((m) => m.id === id || m.subaccounts.includes(id));
        // below MM: its liquidation plan, from a run over the whole book (the insurance fund is shared in order); under
        // cross the pool is what is liquidated, so its status decides, for the master and each member alike
        const pool = rollup?.policy === 'cross' ? group : undefined;
        const liquidation = belowMm(account.status) || (pool !== undefined && belowMm(pool.combined.status))
          ? liquidationPlan(() => engine.liquidate(book, market, { method, profile, params, lenient: opts.lenient === true }), id, pool?.id)
          : null;
        if (opts.format === 'json') {
          const subaccounts = rollup && group ? { policy: rollup.policy, group } : undefined;
          return JSON.stringify(withWarnings({ method, ...(report.profile ? { profile: report.profile } : {}), valuationTime: report.valuationTime, backend: report.backend, account, ...(subaccounts ? { subaccounts } : {}), liquidation }, report.warnings ?? []), null, 2);
        }
        const plan = liquidation ? `\n\n${liquidationPlanText(liquidation)}` : '';
        const tree = rollup && group ? `\n\n${groupText(group, rollup.policy, id)}` : '';
        const under = report.profile ? `${method} margin (profile ${report.profile.name} ${report.profile.version})` : `${method} margin`;
        // a coin-margined account's figures are in its coin (the first lines give their USD view)
        const unit = account.marginCurrency ?? 'USD';
        return `${explainText(account, method)}${tree}${plan}\n\n(${under} on ${report.backend}, valued ${report.valuationTime}; money in ${unit})`;
      });
      await emit(text, opts.out);
      await reportWritten(opts.out, `the ${method} margin of ${id} explained, ${opts.format}`);
    });
}

/** Whether liquidation acts on an account (or a pool) in this status. */
function belowMm(status: string): boolean {
  return status === 'liquidatable' || status === 'bankrupt';
}

/**
 * The account's liquidation in a whole-book run; under the cross policy the master and its subaccounts are liquidated
 * as their pool (`pool`: the master's id, under which the plan is listed). None when liquidation cannot run on the
 * book: accounts of several methods (liquidation runs one).
 */
function liquidationPlan(run: () => LiquidationReport, id: string, pool: string | undefined): AccountLiquidation | null {
  let report: LiquidationReport;
  try {
    report = run();
  } catch (error) {
    if (error instanceof InputError && error.problems.every((p) => p.message.startsWith('liquidation runs one method'))) return null;
    throw error;
  }
  return report.accounts.find((a) => a.id === id) ?? (pool === undefined ? null : report.accounts.find((a) => a.id === pool) ?? null);
}
