/**
 * `margin-core import deribit|ccxt --in DIR --out DIR`: a venue account, as its API responses were saved, to
 * DIR/book.json and DIR/market.json (src/import/, docs/data-import.md). What was not imported is listed on stderr
 * with its path (and fails the command under --strict); so is what the import assumed.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { InputError, type InputProblem } from '../../errors.js';
import { importCcxt } from '../../import/ccxt/index.js';
import { importDeribit } from '../../import/deribit/index.js';
import type { ImportResult } from '../../import/types.js';
import { CommandFailed, readJson } from '../io.js';
import { writeErrorText } from '../output.js';
import { Progress } from '../progress.js';
import { flagsGiven, integerText, isoTimestamp } from '../options.js';
import { makeDirs } from '../../io/make-dirs.js';

/** The files each venue's folder holds (docs/data-import.md). */
const FILES = {
  deribit: { required: ['get_positions.json', 'get_account_summary.json', 'get_index_price.json'], oneOf: ['get_book_summary_by_currency.json', 'ticker.json'] },
  ccxt: { required: ['positions.json', 'balance.json', 'tickers.json'], optional: ['greeks.json'] },
} as const;

interface ImportFlags {
  in: string;
  out: string;
  account?: string | undefined;
  valuationTime?: string | undefined;
  ivUnit: 'percent' | 'decimal' | 'auto';
  expiryHour?: number | undefined;
  venue?: string | undefined;
  balanceTotal?: 'cash' | 'equity' | undefined;
  strict?: boolean | undefined;
}

export function registerImportCommand(program: Command): Command {
  return program
    .command('import')
    .description('a venue account from its saved API responses to DIR/book.json and DIR/market.json')
    .addArgument(program.createArgument('<venue>', 'deribit (JSON-RPC responses) or ccxt (unified structures)').choices(['deribit', 'ccxt']))
    .requiredOption('--in <dir>', 'folder of saved responses (deribit: get_positions.json, get_account_summary.json, get_book_summary_by_currency.json or ticker.json, get_index_price.json; ccxt: positions.json, balance.json, tickers.json, greeks.json)')
    .requiredOption('--out <dir>', 'folder to write book.json and market.json to (created if missing)')
    .option('--account <id>', 'account id (ccxt; default ccxt) or id prefix (deribit; default deribit: deribit-BTC, …)', accountId)
    .option('--valuation-time <iso>', 'the market\'s valuation time (default: the latest quote timestamp)', isoTimestamp)
    .addOption(new Option('--iv-unit <unit>', 'ccxt: units of markImpliedVolatility').choices(['percent', 'decimal', 'auto']).default('auto'))
    .option('--expiry-hour <h>', 'ccxt: UTC hour of expiry on a symbol\'s date (0 to 23, default 8)', hourOfDay)
    .option('--venue <id>', 'ccxt: the exchange id the structures came from (deribit, bitmex, okx, binance: their total is equity; deribit, bitmex, okx, bybit: positions as their parsers fill them; docs/data-import.md)', exchangeId)
    .addOption(new Option('--balance-total <what>', 'ccxt: what fetchBalance\'s total is, over the venue\'s convention').choices(['cash', 'equity']))
    .option('--strict', 'fail (exit 1) when anything could not be imported, instead of listing it')
    .addHelpText('after', '\nExample:\n  margin-core import deribit --in saved/ --out book/\n  margin-core margin --book book/book.json --market book/market.json')
    .action(async (venue: 'deribit' | 'ccxt', opts: ImportFlags, command: Command) => {
      // the ccxt options say nothing to the Deribit adapter: given there, they would pass for applied
      const ccxtOnly = flagsGiven(command, [['ivUnit', '--iv-unit'], ['expiryHour', '--expiry-hour'], ['venue', '--venue'], ['balanceTotal', '--balance-total']]);
      if (venue === 'deribit' && ccxtOnly.length > 0) command.error(`error: ${ccxtOnly.join(', ')} ${ccxtOnly.length === 1 ? 'is' : 'are'} for import ccxt: the Deribit adapter reads its venue's own fields`, { exitCode: 2 });
      // saved responses of a big account run to hundreds of MB: reading, importing, writing shown on a terminal
      const bar = new Progress('import', 3);
      let result: ImportResult;
      try {
        bar.note(`reading ${opts.in}`);
        result = venue === 'deribit' ? await importFromDeribit(opts) : await importFromCcxt(opts);
        bar.advance(2, 'writing');
      } finally {
        bar.finish();
      }
      report('skipped', result.skipped);
      report('note', result.notes);
      if (opts.strict && result.skipped.length > 0) throw new InputError(result.skipped);
      if (result.book.accounts.length === 0) throw new InputError([{ path: '--in', message: 'nothing to import: no position or balance was readable' }]);
      const book = join(opts.out, 'book.json'), market = join(opts.out, 'market.json');
      // a folder that cannot be made or written is said at --out (Node's ENOENT names neither the option nor the file)
      const named = (path: string) => (error: unknown): never => {
        throw new CommandFailed(`could not write ${path} (--out): ${writeErrorText(error as NodeJS.ErrnoException)}`);
      };
      await makeDirs(opts.out).catch(named(opts.out));
      await writeFile(book, `${JSON.stringify(result.book, null, 1)}\n`).catch(named(book));
      await writeFile(market, `${JSON.stringify(result.market, null, 1)}\n`).catch(named(market));
      const positions = result.book.accounts.reduce((n, a) => n + a.positions.length, 0);
      process.stdout.write(`wrote ${book} and ${market}: ${result.book.accounts.length} account${result.book.accounts.length === 1 ? '' : 's'}, ${positions} position${positions === 1 ? '' : 's'}, ${result.book.instruments.length} instrument${result.book.instruments.length === 1 ? '' : 's'}${result.skipped.length > 0 ? `; ${result.skipped.length} not imported (listed above)` : ''}\n`);
      // the USD figure is a product (equity × index): 12 significant digits, not 113095.83369999999
      for (const e of result.venueEquity) process.stdout.write(`  venue equity of ${e.account}: ${e.equity} ${e.currency}${e.currency === 'USD' ? '' : ` (${Number(e.equityUsd.toPrecision(12))} USD at the index)`}\n`);
    });
}

async function importFromDeribit(opts: ImportFlags): Promise<ImportResult> {
  const read = await readFolder(opts.in, FILES.deribit.required, [...FILES.deribit.oneOf]);
  if (read['get_book_summary_by_currency.json'] === undefined && read['ticker.json'] === undefined) {
    throw new InputError([{ path: '--in', message: `${opts.in} has neither get_book_summary_by_currency.json nor ticker.json (the marks and mark IVs)` }]);
  }
  return importDeribit({
    positions: read['get_positions.json'], accountSummary: read['get_account_summary.json'], bookSummary: read['get_book_summary_by_currency.json'],
    ticker: read['ticker.json'], indexPrice: read['get_index_price.json'],
  }, { accountPrefix: opts.account, valuationTime: opts.valuationTime });
}

async function importFromCcxt(opts: ImportFlags): Promise<ImportResult> {
  const read = await readFolder(opts.in, FILES.ccxt.required, [...FILES.ccxt.optional]);
  return importCcxt({ positions: read['positions.json'], balance: read['balance.json'], tickers: read['tickers.json'], greeks: read['greeks.json'] }, {
    accountId: opts.account, valuationTime: opts.valuationTime, ivUnit: opts.ivUnit, expiryHourUtc: opts.expiryHour,
    venue: opts.venue, balanceTotal: opts.balanceTotal,
  });
}

/** The folder's files parsed, by name; a missing required file is an input error naming every one missing. */
async function readFolder(dir: string, required: readonly string[], optional: readonly string[]): Promise<Record<string, unknown>> {
  if (!existsSync(dir)) throw new InputError([{ path: '--in', message: `${dir} does not exist` }]);
  const missing = required.filter((name) => !existsSync(join(dir, name)));
  if (missing.length > 0) throw new InputError(missing.map((name) => ({ path: '--in', message: `${join(dir, name)} is missing` })));
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of [...required, ...optional]) if (existsSync(join(dir, name))) out[name] = await readJson(join(dir, name), name);
  return out;
}

function report(kind: string, problems: readonly InputProblem[]): void {
  for (const p of problems) process.stderr.write(`margin-core: ${kind}: ${p.path}: ${p.message}\n`);
}

function accountId(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected an account id, not empty.');
  return value;
}

/** A ccxt exchange id (`deribit`, `bitmex`, `binanceusdm`): lower-case letters and digits. */
function exchangeId(value: string): string {
  if (!/^[a-z][a-z0-9]*$/.test(value)) throw new InvalidArgumentError('expected a ccxt exchange id (lower-case letters and digits, e.g. deribit).');
  return value;
}

function hourOfDay(value: string): number {
  const n = integerText(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 23) throw new InvalidArgumentError('expected a whole hour from 0 to 23.');
  return n;
}
