import type { Command } from 'commander';
import { createEngine, type CollateralAllocation } from '../../engine.js';
import type { MarginMethod } from '../../margin/report.js';
import { readJson, readValidInputs } from '../io.js';
import { reportWritten } from '../written.js';
import { type BackendChoice, chosenMethod, bookOption, marketOption, sampleOption, inputPaths, type InputFlags, withOneAccountOptions } from '../options.js';
import { openOutput } from '../output.js';
import { printWarnings, type ValidationFlags, validationOptions } from '../warnings.js';
import { money } from '../../margin/money-text.js';
import { ratio, table } from '../../report/format.js';

/**
 * `margin-core allocate MASTER`: how to split a master's free collateral across its subaccounts (and the locations it
 * sits at) to raise their minimum health (docs/subaccounts.md, "Collateral allocation"); nothing is moved.
 */
export function registerAllocateCommand(program: Command): Command {
  return withOneAccountOptions(program
    .command('allocate')
    .description('split a master\'s free collateral across its subaccounts to raise their minimum health: the transfers, and each health re-margined with them')
    .addOption(bookOption()).addOption(marketOption()).addOption(sampleOption())
    .argument('<master>', 'the master account\'s id')
    .option('--params <file>', 'risk parameters JSON (locations: where the master\'s collateral sits)'))
    .addHelpText('after', '\nExample:\n  margin-core allocate m --book book.json --market market.json --method portfolio')
    .action(async (master: string, opts: InputFlags & { params?: string | undefined; method: MarginMethod; profile?: string | undefined; format: string; out?: string | undefined; backend: BackendChoice } & ValidationFlags, command: Command) => {
      const files = inputPaths(opts, command);
      const method = chosenMethod(opts, command);
      const inputs = await readValidInputs(files.book, files.market, validationOptions(opts));
      const params = opts.params ? await readJson(opts.params, '--params') : undefined;
      const engine = await createEngine({ backend: opts.backend });
      try {
        const result = await engine.allocateCollateral(inputs.book, inputs.market, master, { method, profile: opts.profile, params, lenient: opts.lenient === true });
        const output = await openOutput(opts.out);
        // JSON writes ±Infinity (a health with no MM) as null, as the margin report does
        if (opts.format === 'json') await output.write(`${JSON.stringify(result, null, 2)}\n`);
        else await output.lines(allocationTableLines(result, method));
        await output.end();
        await reportWritten(opts.out, `the allocation of ${master}'s free collateral under ${method} margin, ${opts.format}`);
        printWarnings(inputs.book.warnings);
      } finally {
        await engine.close();
      }
    });
}

/** The allocation as text: what the master can give, each transfer, each subaccount's health before, after and as planned. */
export function allocationTableLines(r: CollateralAllocation, method: string): string[] {
  const p = r.problem, share = p.freeMmUsd === undefined ? '' : ` and ${money(p.freeMmUsd)} USD for MM`;
  const lines = [`allocate ${r.master}: ${method} margin, free collateral ${money(p.freeUsd)} USD for IM${share} (the master stays at IM and MM)`, ''];
  if (r.transfers.length === 0) lines.push('no transfer raises the minimum health');
  else {
    const rows = r.transfers.map((t) => [t.account, t.source, t.amount === undefined ? '' : amountText(t.amount, t.usd), amountText(t.usd, t.usd)]);
    rows.push(['total', '', '', amountText(r.usedUsd, r.usedUsd)]);
    lines.push(...table(['to', 'from', 'amount', 'USD (for IM)'], rows, ['left', 'left', 'right', 'right']).split('\n'));
  }
  const healthRows = r.health.map((h) => [h.account, ratio(h.before), ratio(h.after), ratio(h.planned)]);
  healthRows.push(['minimum', ratio(r.minHealthBefore), ratio(r.minHealthAfter), ratio(r.minHealthPlanned)]);
  lines.push('', ...table(['health of', 'before', 'after', 'planned'], healthRows).split('\n'));
  lines.push('(after: the group re-margined with the transfers made; planned: the linear programme\'s estimate, solved by HiGHS)');
  return lines;
}

/**
 * An amount in its asset's units (`usdPerUnit`: its USD a unit, 1 for USD), to the decimals whose last is worth at most a
 * cent (2 to 8: a stablecoin's cents, a satoshi); one that would show fewer than three digits there (0.0068 USD as
 * 0.01, 4e-8 BTC as 0.0000000) to four significant digits.
 */
function amountText(amount: number, usd: number): string {
  const usdPerUnit = Math.abs(usd / amount);
  const decimals = Number.isFinite(usdPerUnit) && usdPerUnit > 0 ? Math.min(8, Math.max(2, Math.ceil(Math.log10(100 * usdPerUnit)))) : 8;
  return amount !== 0 && Math.abs(amount) < 10 ** (2 - decimals) ? amount.toPrecision(4) : money(amount, decimals);
}
