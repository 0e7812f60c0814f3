import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import type { AccountMargin, MarginMethod, MarginReport } from '../../margin/report.js';
import { efficiency, money, ratio, tableLines } from '../table.js';
import { checkAccountErrors, readJson, readValidInputs } from '../io.js';
import { reportWritten } from '../written.js';
import { backendOption, type BackendChoice, chosenMethod, formatOption, methodOption, profileOption, bookOption, marketOption, sampleOption, inputPaths, type InputFlags } from '../options.js';
import { csvLines, jsonChunks, openOutput } from '../output.js';
import { Progress } from '../progress.js';
import { rollupLines } from '../../report/subaccount-text.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';

const COLUMNS = ['id', 'status', 'equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'excessOverMm', 'grossNotional', 'efficiency'] as const;

/** `margin-core margin`: the margin of every account of a book on a market snapshot, by the chosen method. */
export function registerMarginCommand(program: Command): Command {
  return program
    .command('margin')
    .description('margin for every account by the chosen method: equity, IM, MM, health, status')
    .addOption(bookOption()).addOption(marketOption()).addOption(sampleOption())
    .option('--params <file>', 'risk parameters JSON, merged over the defaults')
    .addOption(methodOption())
    .addOption(profileOption())
    .addOption(formatOption(['table', 'json', 'csv']))
    .option('--breakdown', 'per-position and per-collateral rows and the method\'s explain (json)')
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .action(async (opts: InputFlags & { params?: string; method: MarginMethod; profile?: string; format: string; breakdown?: boolean; out?: string; backend: BackendChoice } & ValidationFlags, command: Command) => {
      const files = inputPaths(opts, command);
      const method = chosenMethod(opts, command) as MarginMethod;
      const bar = new Progress('margin', 4);
      try {
        let inputs: Awaited<ReturnType<typeof readValidInputs>> | undefined = await readValidInputs(files.book, files.market, validationOptions(opts), () => bar.advance(1, 'validating'));
        const params = opts.params ? await readJson(opts.params, '--params') : undefined;
        bar.advance(1, `${method} margin`);
        const engine = await createEngine({ backend: opts.backend });
        const market = inputs.market;
        const session = engine.openBook(inputs.book);
        inputs = undefined; // the book is laid out in columns now: its objects can go (gigabytes on big books)
        let report: MarginReport;
        try {
          report = session.margin(market, { method, profile: opts.profile, params, breakdown: opts.breakdown === true, lenient: opts.lenient === true });
        } finally {
          session.release();
        }
        bar.advance(1, 'writing');
        const output = await openOutput(opts.out);
        const rows = report.accounts.length;
        const written = (i: number) => {
          if ((i & 4095) === 0) bar.setFraction(3 + i / Math.max(1, rows), 'writing');
        };
        if (opts.format === 'json') {
          let i = 0;
          for (const chunk of jsonChunks(report, 'accounts')) {
            await output.write(chunk);
            written(i++);
          }
          await output.write('\n');
        } else if (opts.format === 'csv') {
          // a book with masters: each row's master last (empty for masters and accounts in no group)
          const columns = report.subaccounts ? [...COLUMNS, 'master' as const] : COLUMNS;
          await output.lines(csvLines(columns, rows, (i) => (written(i), columns.map((c) => report.accounts[i][c]))));
        } else {
          await output.lines(marginTableLines(report, written));
        }
        await output.end();
        bar.advance(1);
        bar.finish();
        await reportWritten(opts.out, `${rows.toLocaleString('en-US')} accounts, ${report.method} margin, ${opts.format}`);
        printWarnings(report.warnings);
        checkAccountErrors(report.accounts);
      } finally {
        bar.finish();
      }
    });
}

export function marginSummary(report: MarginReport): string {
  const t = report.totals;
  const statuses = Object.entries(t.byStatus).map(([s, n]) => `${s} ${n}`).join(', ');
  const profile = report.profile ? ` under profile ${report.profile.name} ${report.profile.version} (${report.method})` : '';
  return `${t.accounts} accounts${profile} (${statuses}); total IM ${money(t.im)}, MM ${money(t.mm)}, equity ${money(t.equity)}; ` +
    `margin efficiency ${Number.isFinite(t.efficiency) ? `${t.efficiency.toFixed(2)}×` : 'n/a (no account requires IM)'} (gross notional / IM)`;
}

/** The account table, a line at a time (any size), then the summary line. */
function* marginTableLines(report: MarginReport, written: (i: number) => void): Generator<string> {
  const accounts = report.accounts;
  const row = (a: AccountMargin) => [
    a.id, a.status, money(a.equity), money(a.im), money(a.mm), ratio(a.health), money(a.excessOverMm), efficiency(a.efficiency),
    a.status === 'healthy' ? '' : a.statusReason,
  ];
  let i = 0;
  const header = ['account', 'status', 'equity', 'IM', 'MM', 'health', 'excess over MM', 'efficiency', 'why (unless healthy)'];
  for (const line of tableLines(header, accounts.length, (k) => row(accounts[k]), ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'])) {
    written(i++ >> 1);
    yield line;
  }
  yield `${report.method} margin on ${report.backend}, valued ${report.valuationTime}: ${marginSummary(report)}`;
  if (report.subaccounts) {
    yield '';
    yield* rollupLines(report.subaccounts);
  }
}
