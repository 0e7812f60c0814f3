import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { bookOptions } from '../../greeks/book-options.js';
import { validateInputs } from '../../model/validate.js';
import { csv, sig, table } from '../table.js';
import { emit, readJson } from '../io.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';

const FIELDS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const;

/** `margin-core greeks`: price and Greeks of every option in a book, on a market snapshot. */
export function registerGreeksCommand(program: Command): Command {
  return program
    .command('greeks')
    .description('price and Greeks (per unit of underlying) of every option in a book')
    .requiredOption('--book <file>', 'book JSON')
    .requiredOption('--market <file>', 'market JSON')
    .option('--format <format>', 'table | json | csv', 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--backend <backend>', 'auto | wasm | js', 'auto')
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .action(async (opts: { book: string; market: string; format: string; out?: string; backend: 'auto' | 'wasm' | 'js' } & ValidationFlags) => {
      if (!['table', 'json', 'csv'].includes(opts.format)) program.error(`--format must be table, json or csv, got ${opts.format}`, { exitCode: 2 });
      const { book, market } = validateInputs(await readJson(opts.book, '--book'), await readJson(opts.market, '--market'), validationOptions(opts));
      printWarnings([...book.warnings, ...market.warnings]);
      const engine = await createEngine({ backend: opts.backend });
      const chain = bookOptions(book, market);
      const out = engine.greeks(chain.input);
      const rows = chain.ids.map((id, i) => ({
        instrument: id,
        underlying: chain.underlyings[i],
        right: chain.input.isCall[i] ? 'call' : 'put',
        strike: chain.input.strike[i],
        expiryYears: chain.input.expiryYears[i],
        vol: chain.input.vol[i],
        ...Object.fromEntries(FIELDS.map((f) => [f, out[f][i]])),
      })) as Array<Record<string, string | number>>;
      if (opts.format === 'json') return emit(JSON.stringify({ valuationTime: market.valuationTime, backend: engine.backend, options: rows }, null, 2), opts.out);
      const header = ['instrument', 'underlying', 'right', 'strike', 'expiryYears', 'vol', ...FIELDS];
      if (opts.format === 'csv') return emit(csv(header, rows.map((r) => header.map((h) => r[h]))), opts.out);
      const text = table(header, rows.map((r) => header.map((h) => (typeof r[h] === 'number' ? sig(r[h] as number) : String(r[h])))), ['left', 'left', 'left']);
      return emit(`${text}\n(${rows.length} options, valued ${market.valuationTime} on ${engine.backend}; vega and rho per 1.00, theta per year)`, opts.out);
    });
}
