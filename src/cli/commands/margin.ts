import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { isMarginMethod, MARGIN_METHODS, methodList } from '../../methods/registry.js';
import type { AccountMargin, MarginReport } from '../../margin/report.js';
import { validateInputs } from '../../model/validate.js';
import { csv, money, ratio, table } from '../table.js';
import { emit, readJson } from '../io.js';
import { withProgress } from '../progress.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';

const COLUMNS = ['id', 'status', 'equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'excessOverMm', 'grossNotional', 'efficiency'] as const;

/** `margin-core margin`: rule-based margin of every account of a book on a market snapshot. */
export function registerMarginCommand(program: Command): Command {
  return program
    .command('margin')
    .description('margin for every account by the chosen method: equity, IM, MM, health, status')
    .requiredOption('--book <file>', 'book JSON')
    .requiredOption('--market <file>', 'market JSON')
    .option('--params <file>', 'risk parameters JSON, merged over the defaults')
    .option('--method <method>', MARGIN_METHODS.join(' | '), 'cross')
    .option('--format <format>', 'table | json | csv', 'table')
    .option('--breakdown', 'per-position and per-collateral rows and liquidation prices (json)')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--backend <backend>', 'auto | wasm | js', 'auto')
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .action(async (opts: { book: string; market: string; params?: string; method: string; format: string; breakdown?: boolean; out?: string; backend: 'auto' | 'wasm' | 'js' } & ValidationFlags) => {
      if (!isMarginMethod(opts.method)) program.error(`--method must be ${methodList()}, got ${opts.method}`, { exitCode: 2 });
      if (!['table', 'json', 'csv'].includes(opts.format)) program.error(`--format must be table, json or csv, got ${opts.format}`, { exitCode: 2 });
      const method = opts.method;
      const report = await withProgress('margin', 3, async (bar) => {
        const bookJson = await readJson(opts.book, '--book');
        const marketJson = await readJson(opts.market, '--market');
        const params = opts.params ? await readJson(opts.params, '--params') : undefined;
        bar.advance(1, 'validating');
        const { book, market } = validateInputs(bookJson, marketJson, validationOptions(opts));
        bar.advance(1, `${method} margin`);
        const engine = await createEngine({ backend: opts.backend });
        return engine.margin(book, market, { method, params, breakdown: opts.breakdown === true, lenient: opts.lenient === true });
      });
      printWarnings(report.warnings);
      if (opts.format === 'json') return emit(JSON.stringify(report, jsonNumbers, 2), opts.out);
      if (opts.format === 'csv') return emit(csv([...COLUMNS], report.accounts.map((a) => COLUMNS.map((c) => a[c]))), opts.out);
      return emit(marginTable(report), opts.out);
    });
}

/** JSON has no Infinity: health and efficiency without a requirement become the string "Infinity". */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}


export function marginSummary(report: MarginReport): string {
  const t = report.totals;
  const statuses = Object.entries(t.byStatus).map(([s, n]) => `${s} ${n}`).join(', ');
  return `${t.accounts} accounts (${statuses}); total IM ${money(t.im)}, MM ${money(t.mm)}, equity ${money(t.equity)}; ` +
    `margin efficiency ${t.efficiency.toFixed(2)}× (gross notional / IM)`;
}

function marginTable(report: MarginReport): string {
  const row = (a: AccountMargin) => [
    a.id, a.status, money(a.equity), money(a.im), money(a.mm), ratio(a.health), money(a.excessOverMm), ratio(a.efficiency),
  ];
  return `${table(['account', 'status', 'equity', 'IM', 'MM', 'health', 'excess over MM', 'efficiency'], report.accounts.map(row), ['left', 'left'])}\n` +
    `${report.method} margin on ${report.backend}, valued ${report.valuationTime}: ${marginSummary(report)}`;
}
