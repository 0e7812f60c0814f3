/** `margin-core generate`: writes a generated sample book and market to a directory. */

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Command, Option } from 'commander';
import { DEFAULT_VALUATION_TIME, MAX_GENERATED_ACCOUNTS } from '../../sample/generate.js';
import { writeSample } from '../../sample/write.js';
import { Progress } from '../progress.js';
import { CommandFailed } from '../io.js';
import { integerText, isoTimestamp } from '../options.js';

function positiveInteger(value: string): number {
  const n = integerText(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** The most positions `generate --positions` gives an account. */
export const MAX_POSITIONS_PER_ACCOUNT = 100;

function accountCount(value: string): number {
  const n = positiveInteger(value);
  if (n > MAX_GENERATED_ACCOUNTS) throw new InvalidArgumentError(`at most ${MAX_GENERATED_ACCOUNTS.toLocaleString('en-US')} accounts`);
  return n;
}

/** An option's value: an integer from 0 to `max`. */
function countUpTo(max: number): (value: string) => number {
  return (value) => {
    const n = integerText(value);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`expected an integer from 0 to ${max.toLocaleString('en-US')}`);
    return n;
  };
}

function integer(value: string): number {
  const n = integerText(value);
  // beyond 2^53 − 1 two seeds typed apart would be read as one number
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(Number.isInteger(n) ? 'expected an integer of at most 16 digits (|n| ≤ 9,007,199,254,740,991)' : 'expected an integer');
  return n;
}

export function registerGenerateCommand(program: Command): Command {
  return program
    .command('generate')
    .description('write a deterministic sample book and market (DIR/book.json or DIR/book.arrow, and DIR/market.json)')
    .addHelpText('after', '\nExample:\n  margin-core generate --accounts 1000000 --out big\n  margin-core generate --accounts 100000 --positions 20 --accounts-per-master 5 --coin-accounts 1000 --format arrow --out mixed')
    .requiredOption('--accounts <n>', `number of accounts (1 to ${MAX_GENERATED_ACCOUNTS.toLocaleString('en-US')})`, accountCount)
    .option('--positions <n>', 'exactly n positions per account (default: what each archetype holds, 2.3 on average)', countUpTo(MAX_POSITIONS_PER_ACCOUNT))
    .option('--accounts-per-master <k>', 'group the accounts under masters: every k-th account is the master of the k − 1 after it (docs/subaccounts.md)', positiveInteger)
    .option('--coin-accounts <n>', 'BTC-margined accounts appended after the others: an inverse perpetual, coin-settled options, a BTC balance (docs/coin-margined.md)', countUpTo(MAX_GENERATED_ACCOUNTS))
    .option('--seed <s>', 'random seed (same seed, same files)', integer, 7)
    .option('--valuation-time <iso>', 'valuation time, ISO-8601 with a zone', isoTimestamp, DEFAULT_VALUATION_TIME)
    .addOption(new Option('--format <format>', 'book format: json (book.json) or arrow (book.arrow: Arrow IPC, schemas/book.arrow.md)').choices(['json', 'arrow']).default('json'))
    .requiredOption('--out <dir>', 'output directory')
    .action(async (opts: { accounts: number; seed: number; valuationTime: string; out: string; positions?: number | undefined; accountsPerMaster?: number | undefined; coinAccounts?: number | undefined; format: 'json' | 'arrow' }) => {
      const started = performance.now();
      // a book of the other format left in the folder by an earlier run would sit beside this run's market: refused
      const other = join(opts.out, opts.format === 'arrow' ? 'book.json' : 'book.arrow');
      // an output folder that holds the other format is no input problem: the command fails, saying why in one line
      if (await exists(other)) throw new CommandFailed(`--out: ${other} is there from an earlier run: beside this run's ${opts.format === 'arrow' ? 'book.arrow' : 'book.json'} and market.json it would read as their pair; remove it or write to another folder`);
      // a million accounts take a minute: the bar counts the accounts written
      const total = opts.accounts + (opts.coinAccounts ?? 0);
      const bar = new Progress('generate', total);
      const count = total.toLocaleString('en-US');
      const onProgress = (written: number) => bar.setFraction(written, `${written.toLocaleString('en-US')} of ${count} accounts`);
      const options = { valuationTime: opts.valuationTime, positionsPerAccount: opts.positions, accountsPerMaster: opts.accountsPerMaster, coinAccounts: opts.coinAccounts, onProgress };
      let paths: { book: string; market: string };
      try {
        bar.note(`0 of ${count} accounts`);
        paths = opts.format === 'arrow'
          ? await (await import('../../sample/write-arrow.js')).writeArrowSample(opts.out, opts.accounts, opts.seed, options)
          : await writeSample(opts.out, opts.accounts, opts.seed, options);
        onProgress(total);
      } catch (error) {
        throw (error as NodeJS.ErrnoException).code ? new CommandFailed(`--out: cannot write in ${opts.out}: ${(error as Error).message}`) : error;
      } finally {
        bar.finish();
      }
      const ms = (performance.now() - started).toFixed(0);
      const coin = opts.coinAccounts ? `, ${opts.coinAccounts} of them BTC-margined` : '';
      // on stderr, as every command's summary of what it wrote: stdout is a command's output, and generate's is its files
      process.stderr.write(`margin-core: wrote ${paths.book} and ${paths.market} (${total} accounts${coin}, seed ${opts.seed}, ${ms} ms)\n`);
    });
}

/** Whether `path` exists (a file or anything else). */
async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
