import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { bookOptions } from '../../greeks/book-options.js';
import { coinGreeks, type OptionGreeks } from '../../margin/coin-valuation.js';
import { sig, tableLines } from '../table.js';
import { readValidInputs } from '../io.js';
import { reportWritten } from '../written.js';
import { backendOption, type BackendChoice, formatOption, bookOption, marketOption, sampleOption, inputPaths, type InputFlags } from '../options.js';
import { csvLines, jsonChunks, openOutput } from '../output.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';

const FIELDS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const;

/**
 * The table's columns in the units a desk reads (docs/cli.md, "Numbers and units"): vega and rho per point (0.01 of
 * vol or rate), theta per calendar day (1/365 of a year). Display only: JSON and CSV keep the library's units
 * (per 1.00 of vol and rate, per year), as do the Greeks the library returns.
 */
const TABLE_UNITS: Record<(typeof FIELDS)[number], { label: string; scale: number }> = {
  price: { label: 'price', scale: 1 },
  delta: { label: 'delta', scale: 1 },
  gamma: { label: 'gamma', scale: 1 },
  vega: { label: 'vega/pt', scale: 0.01 },
  theta: { label: 'theta/day', scale: 1 / 365 },
  rho: { label: 'rho/pt', scale: 0.01 },
};

/** `margin-core greeks`: price and Greeks of every option in a book, on a market snapshot. */
export function registerGreeksCommand(program: Command): Command {
  return program
    .command('greeks')
    .description('price and Greeks (per unit of underlying) of every option in a book')
    .addHelpText('after', '\nExample:\n  margin-core greeks --sample\n  margin-core greeks --book book.json --market market.json --format csv --out greeks.csv')
    .addOption(bookOption()).addOption(marketOption()).addOption(sampleOption())
    .addOption(formatOption(['table', 'json', 'csv']))
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .action(async (opts: InputFlags & { format: string; out?: string | undefined; backend: BackendChoice } & ValidationFlags, command: Command) => {
      const files = inputPaths(opts, command);
      const { book, market } = await readValidInputs(files.book, files.market, validationOptions(opts));
      printWarnings([...book.warnings, ...market.warnings]);
      const engine = await createEngine({ backend: opts.backend });
      const chain = bookOptions(book, market);
      const out = engine.greeks(chain.input);
      // a coin-settled option's premium and Greeks in its coin beside the USD ones (docs/coin-margined.md)
      const coinOf = (i: number): OptionGreeks => {
        const usd = Object.fromEntries(FIELDS.map((f) => [f, out[f][i]])) as unknown as OptionGreeks;
        return coinGreeks(usd, chain.input.spot[i], chain.input.rate[i], chain.input.carry[i], chain.input.expiryYears[i]);
      };
      const anyCoin = chain.settlements.some((s) => s !== undefined);
      const rows = chain.ids.map((id, i) => {
        const coin = chain.settlements[i] === undefined ? undefined : coinOf(i);
        return {
          instrument: id,
          underlying: chain.underlyings[i],
          right: chain.input.isCall[i] ? 'call' : 'put',
          strike: chain.input.strike[i],
          expiryYears: chain.input.expiryYears[i],
          vol: chain.input.vol[i],
          ...Object.fromEntries(FIELDS.map((f) => [f, out[f][i]])),
          ...(anyCoin ? { settlement: chain.settlements[i] ?? 'USD', coinPrice: coin?.price ?? '', coinDelta: coin?.delta ?? '' } : {}),
          ...(coin !== undefined && opts.format === 'json' ? { coin } : {}),
        };
      }) as Array<Record<string, unknown>>;
      const output = await openOutput(opts.out);
      const header = ['instrument', 'underlying', 'right', 'strike', 'expiryYears', 'vol', ...FIELDS, ...(anyCoin ? ['settlement', 'coinPrice', 'coinDelta'] : [])];
      if (opts.format === 'json') {
        const json = rows.map(({ coinPrice: _p, coinDelta: _d, ...r }) => r);
        for (const chunk of jsonChunks({ valuationTime: market.valuationTime, backend: engine.backend, options: json }, 'options')) await output.write(chunk);
        await output.write('\n');
      } else if (opts.format === 'csv') {
        await output.lines(csvLines(header, rows.length, (i) => header.map((h) => rows[i][h] as string | number)));
      } else {
        const scale = (h: string) => (h in TABLE_UNITS ? TABLE_UNITS[h as keyof typeof TABLE_UNITS].scale : 1);
        const cells = (i: number) => header.map((h) => (typeof rows[i][h] === 'number' ? sig((rows[i][h] as number) * scale(h)) : String(rows[i][h])));
        const labels = header.map((h) => (h in TABLE_UNITS ? TABLE_UNITS[h as keyof typeof TABLE_UNITS].label : h));
        await output.lines(tableLines(labels, rows.length, cells, ['left', 'left', 'left']));
        const coinNote = anyCoin ? '; coinPrice and coinDelta of a coin-settled option in its coin (delta Δ·S/F − premium in coin)' : '';
        await output.write(`(${rows.length} options, valued ${market.valuationTime} on ${engine.backend}; per unit of underlying: vega per vol point, ` +
          `theta per calendar day, rho per point of rate; JSON and CSV give them per 1.00 and per year${coinNote})\n`);
      }
      await output.end();
      await reportWritten(opts.out, `price and Greeks of ${rows.length.toLocaleString('en-US')} options, ${opts.format}`);
    });
}
