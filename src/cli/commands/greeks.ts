import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { bookOptions } from '../../greeks/book-options.js';
import { coinGreeks, type OptionGreeks } from '../../margin/coin-valuation.js';
import { validateInputs } from '../../model/validate.js';
import { sig, tableLines } from '../table.js';
import { readJson } from '../io.js';
import { backendOption, type BackendChoice, formatOption } from '../options.js';
import { csvLines, jsonChunks, openOutput } from '../output.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';

const FIELDS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const;

/** `margin-core greeks`: price and Greeks of every option in a book, on a market snapshot. */
export function registerGreeksCommand(program: Command): Command {
  return program
    .command('greeks')
    .description('price and Greeks (per unit of underlying) of every option in a book')
    .requiredOption('--book <file>', 'book JSON')
    .requiredOption('--market <file>', 'market JSON')
    .addOption(formatOption(['table', 'json', 'csv']))
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .action(async (opts: { book: string; market: string; format: string; out?: string; backend: BackendChoice } & ValidationFlags) => {
      const { book, market } = validateInputs(await readJson(opts.book, '--book'), await readJson(opts.market, '--market'), validationOptions(opts));
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
        const cells = (i: number) => header.map((h) => (typeof rows[i][h] === 'number' ? sig(rows[i][h] as number) : String(rows[i][h])));
        await output.lines(tableLines(header, rows.length, cells, ['left', 'left', 'left']));
        const coinNote = anyCoin ? '; coinPrice and coinDelta of a coin-settled option in its coin (delta Δ·S/F − premium in coin)' : '';
        await output.write(`(${rows.length} options, valued ${market.valuationTime} on ${engine.backend}; vega and rho per 1.00, theta per year${coinNote})\n`);
      }
      await output.end();
    });
}
