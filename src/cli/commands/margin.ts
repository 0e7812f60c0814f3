import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import type { AccountMargin, MarginMethod, MarginReport } from '../../margin/report.js';
import { efficiency, money, ratio, tableLines } from '../table.js';
import { readJson, readValidInputs } from '../io.js';
import { backendOption, type BackendChoice, chosenMethod, formatOption, methodOption, profileOption } from '../options.js';
import { openOutput } from '../output.js';
import { checkColumnErrors, writeArrowReportFile, writeCsvReport, writeJsonReport } from '../report-output.js';
import { columnarReport, type ColumnarMarginReport } from '../../margin/columnar-report.js';
import { Progress } from '../progress.js';
import { rollupLines } from '../../report/subaccount-text.js';
import { coverageLabel } from '../../report/summary.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';

const COLUMNS = ['id', 'status', 'equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'excessOverMm', 'grossNotional', 'efficiency'] as const;

/** `margin-core margin`: the margin of every account of a book on a market snapshot, by the chosen method. */
export function registerMarginCommand(program: Command): Command {
  return program
    .command('margin')
    .description('margin for every account by the chosen method: equity, IM, MM, health, status')
    .requiredOption('--book <file>', 'book: JSON, or Arrow IPC (FILE.arrow: schemas/book.arrow.md)')
    .requiredOption('--market <file>', 'market JSON')
    .option('--params <file>', 'risk parameters JSON, merged over the defaults')
    .addOption(methodOption())
    .addOption(profileOption())
    .addOption(formatOption(['table', 'json', 'csv', 'arrow']))
    .option('--breakdown', 'per-position and per-collateral rows and the method\'s explain (json; not with --format arrow)')
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .action(async (opts: { book: string; market: string; params?: string; method: MarginMethod; profile?: string; format: string; breakdown?: boolean; out?: string; backend: BackendChoice } & ValidationFlags, command: Command) => {
      const method = chosenMethod(opts, command) as MarginMethod;
      if (opts.format === 'arrow' && opts.breakdown) command.error('--breakdown is written as JSON only (an Arrow report holds the summary columns)', { exitCode: 2 });
      const bar = new Progress('margin', 4);
      try {
        let inputs: Awaited<ReturnType<typeof readValidInputs>> | undefined = await readValidInputs(opts.book, opts.market, validationOptions(opts), () => bar.advance(1, 'validating'));
        const params = opts.params ? await readJson(opts.params, '--params') : undefined;
        bar.advance(1, `${method} margin`);
        const engine = await createEngine({ backend: opts.backend });
        const market = inputs.market;
        // one run, no edits: no room reserved for inserted positions (a big book's columns are the memory it takes)
        const session = engine.openBook(inputs.book, { positionSlack: 0, collateralSlack: 0, headroom: 0 });
        const coinAccounts = inputs.book.accounts.some((a) => a.marginCurrency !== undefined);
        inputs = undefined; // the book is laid out in columns now: its objects can go (gigabytes on big books)
        let report: MarginReport;
        try {
          report = session.margin(market, { method, profile: opts.profile, params, breakdown: opts.breakdown === true, lenient: opts.lenient === true });
        } finally {
          session.release();
        }
        bar.advance(1, 'writing');
        const c = columnarReport(report);
        const rows = c.count;
        const written = (i: number) => {
          if ((i & 4095) === 0) bar.setFraction(3 + Math.min(i, rows) / Math.max(1, rows), 'writing');
        };
        if (opts.format === 'arrow') await writeArrowReportFile(c, opts.out, written);
        else {
          const output = await openOutput(opts.out);
          if (opts.format === 'json') await writeJsonReport(c, output, written);
          // a book with masters: each row's master last (empty for masters and accounts in no group)
          else if (opts.format === 'csv') {
            const base = report.subaccounts ? [...COLUMNS, 'master'] : COLUMNS;
            // a book with coin-margined accounts: each row's margin currency last (empty for USD)
            await writeCsvReport(c, coinAccounts ? [...base, 'marginCurrency'] : base, output, written);
          } else await output.lines(marginTableLines(c, written));
          await output.end();
        }
        bar.advance(1);
        bar.finish();
        printWarnings(report.warnings);
        checkColumnErrors(c);
      } finally {
        bar.finish();
      }
    });
}

export function marginSummary(report: MarginReport): string {
  const t = report.totals;
  const statuses = Object.entries(t.byStatus).map(([s, n]) => `${s} ${n}`).join(', ');
  const profile = report.profile ? ` under profile ${report.profile.name} ${report.profile.version} (${report.method})` : '';
  const over = t.complete ? 'total' : `PARTIAL totals over ${coverageLabel(t)}:`;
  return `${t.accounts} accounts${profile} (${statuses}); ${over} IM ${money(t.im)}, MM ${money(t.mm)}, equity ${money(t.equity)}; ` +
    `margin efficiency ${Number.isFinite(t.efficiency) ? `${t.efficiency.toFixed(2)}×` : 'n/a (no account requires IM)'} (gross notional / IM)`;
}

/** The account table, a line at a time (any size; each row built when its line is), then the summary line. */
function* marginTableLines(c: ColumnarMarginReport, written: (i: number) => void): Generator<string> {
  const report = c.report;
  // a coin-margined account's money is in its coin: eight decimals and the coin's symbol
  const amount = (a: AccountMargin, x: number) => (a.marginCurrency ? `${money(x, 8)} ${a.marginCurrency}` : money(x));
  const row = (a: AccountMargin) => [
    a.id, a.status, amount(a, a.equity), amount(a, a.im), amount(a, a.mm), ratio(a.health), amount(a, a.excessOverMm), efficiency(a.efficiency),
    a.status === 'healthy' ? '' : a.statusReason,
  ];
  let i = 0;
  const header = ['account', 'status', 'equity', 'IM', 'MM', 'health', 'excess over MM', 'efficiency', 'why (unless healthy)'];
  for (const line of tableLines(header, c.count, (k) => row(c.row(k)), ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'])) {
    written(i++ >> 1);
    yield line;
  }
  yield `${report.method} margin on ${report.backend}, valued ${report.valuationTime}: ${marginSummary(report)}`;
  if (report.subaccounts) {
    yield '';
    yield* rollupLines(report.subaccounts);
  }
}
