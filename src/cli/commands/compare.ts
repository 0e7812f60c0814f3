/**
 * `margin-core compare`: every margin method on one book, at the defaults and at equal coverage (src/report/coverage.ts):
 * what each default is calibrated to, the status counts and notional / IM at the defaults, each method's requirement
 * against the accounts' 99% 1-day loss, and per account the coverage each method gives (requirement / loss).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { createEngine } from '../../engine.js';
import type { MarginReport } from '../../margin/report.js';
import { MARGIN_METHODS, unknownMethodMessage } from '../../methods/registry.js';
import { type AccountCoverage, COVERAGE, coverageByAccount, equalCoverage, referenceLossParams } from '../../report/coverage.js';
import { calibrationLines, coverageHeadline, coverageNotes, coverageTable } from '../../report/coverage-text.js';
import { calibrationOf } from '../../report/calibration.js';
import { count, money, ratio, tableLines, wrap } from '../../report/format.js';
import { methodsSection } from '../demo/sections.js';
import { readJson, readValidInputs } from '../io.js';
import { type BackendChoice, backendOption, bookOption, formatOption, type InputFlags, inputPaths, integerText, marketOption, sampleOption } from '../options.js';
import { csvLines, openOutput } from '../output.js';
import { Progress } from '../progress.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';
import { reportWritten } from '../written.js';

/** `--methods a,b,c`: method names, each checked (a usage error naming the nearest name), each once. */
function methodNames(value: string): string[] {
  const names = [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const unknown = names.filter((m) => !MARGIN_METHODS.includes(m as never));
  if (unknown.length > 0) throw new InvalidArgumentError(`${unknown.map((m) => unknownMethodMessage(m, MARGIN_METHODS)).join('; ')}.`);
  if (names.length === 0) throw new InvalidArgumentError('expected at least one method.');
  return names;
}

export function registerCompareCommand(program: Command): Command {
  return program
    .command('compare')
    .description('every margin method on one book: what each default is calibrated to, efficiency at the defaults and at equal coverage of the 99% 1-day loss, per account')
    .addOption(bookOption()).addOption(marketOption()).addOption(sampleOption())
    .option('--params <file>', 'risk parameters JSON, merged over the defaults (every method reads its own sections)')
    .option('--methods <list>', `methods to compare, comma-separated (default: all, ${MARGIN_METHODS.join(',')})`, methodNames)
    .option('--top <n>', 'table: the N accounts least covered by any method (default 20; 0: none, all: every account)', '20')
    .addOption(formatOption(['table', 'json', 'csv']))
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .addHelpText('after', '\nExamples:\n  margin-core compare --sample\n  margin-core compare --book book.json --market market.json --methods cross,portfolio,var --format csv --out coverage.csv\n\n' +
      `The yardstick: each account's 99% 1-day loss by full revaluation Monte Carlo (${COVERAGE.scenarios} scenarios, seed ${COVERAGE.seed}); ` +
      'requirement = IM + collateral haircuts; coverage = requirement / loss (docs/cli.md, "compare").')
    .action(async (opts: InputFlags & { params?: string | undefined; methods?: string[] | undefined; top: string; format: string; out?: string | undefined; backend: BackendChoice } & ValidationFlags, command: Command) => {
      const files = inputPaths(opts, command);
      const top = opts.top === 'all' ? Infinity : integerText(opts.top);
      if (!(Number.isInteger(top) && top >= 0) && top !== Infinity) command.error(`error: --top must be a whole number or all, got ${opts.top}`, { exitCode: 2 });
      const methods = opts.methods ?? [...MARGIN_METHODS];
      const bar = new Progress('compare', methods.length + 2);
      let reports: MarginReport[], reference: MarginReport;
      try {
        const inputs = await readValidInputs(files.book, files.market, validationOptions(opts), () => bar.advance(1, 'validating'));
        const params = opts.params ? await readJson(opts.params, '--params') : undefined;
        const engine = await createEngine({ backend: opts.backend });
        const session = engine.openBook(inputs.book);
        try {
          reports = methods.map((method) => {
            bar.advance(1, `${method} margin`);
            return session.margin(inputs.market, { method, params, lenient: opts.lenient === true });
          });
          bar.advance(1, 'the 99% 1-day loss of every account');
          reference = session.margin(inputs.market, { method: 'var', params: referenceLossParams() });
        } finally {
          session.release();
        }
      } finally {
        bar.finish();
      }
      const coverage = equalCoverage(reports, reference);
      const accounts = coverageByAccount(reports, reference);
      const output = await openOutput(opts.out);
      if (opts.format === 'json') {
        const json = {
          valuationTime: reports[0].valuationTime, backend: reports[0].backend, methods,
          calibrations: Object.fromEntries(methods.map((m) => [m, calibrationOf(m)])),
          defaults: reports.map((r) => ({ method: r.method, byStatus: r.totals.byStatus, im: r.totals.im, efficiency: r.totals.efficiency })),
          yardstick: { ...COVERAGE, params: referenceLossParams() },
          equalCoverage: coverage,
          accounts: accounts.map((a) => ({ id: a.id, loss: a.loss, requirement: Object.fromEntries(methods.map((m, k) => [m, a.requirement[k]])) })),
        };
        await output.write(`${JSON.stringify(json, null, 2)}\n`);
      } else if (opts.format === 'csv') {
        const header = ['id', 'loss', ...methods.map((m) => `requirement_${m}`), ...methods.map((m) => `coverage_${m}`)];
        await output.lines(csvLines(header, accounts.length, (i) => {
          const a = accounts[i];
          return [a.id, a.loss, ...a.requirement, ...a.requirement.map((r) => r / a.loss)];
        }));
      } else {
        await output.lines([
          `margin-core compare: ${count(reports[0].accounts.length, 'account')}, valued ${reports[0].valuationTime}, on ${reports[0].backend}. Money in USD.`,
          '', 'What each method\'s defaults are calibrated to:', ...calibrationLines(methods),
          '', 'At the defaults:', methodsSection(reports, 'see equal coverage below'),
          '', 'At equal coverage:', coverageHeadline(coverage), coverageTable(coverage), ...coverageNotes(coverage),
          ...accountLines(accounts, methods, top),
        ]);
      }
      await output.end();
      await reportWritten(opts.out, `${methods.length} methods compared over ${count(coverage.accounts, 'account')}, ${opts.format}`);
      printWarnings(reports.flatMap((r) => r.warnings ?? []).filter((w, i, all) => all.findIndex((x) => x.path === w.path && x.message === w.message) === i));
    });
}

/** The `top` accounts least covered by any method: their loss and each method's coverage (requirement / loss). */
function accountLines(accounts: readonly AccountCoverage[], methods: readonly string[], top: number): string[] {
  if (top === 0 || accounts.length === 0) return [];
  const least = (a: AccountCoverage) => Math.min(...a.requirement.map((r) => r / a.loss));
  const rows = [...accounts].sort((a, b) => least(a) - least(b) || (a.id < b.id ? -1 : 1)).slice(0, top);
  const title = rows.length === accounts.length ? 'Every account' : `The ${count(rows.length)} accounts least covered by any method (--top N for more, --format csv for all)`;
  return [
    '', wrap(`${title}: its 99% 1-day loss and each method's coverage (requirement / loss; below 1.00 the method asks for less than the loss):`),
    ...tableLines(['account', 'loss', ...methods], rows.length, (i) => [rows[i].id, money(rows[i].loss), ...rows[i].requirement.map((r) => ratio(r / rows[i].loss))]),
  ];
}
