/** `margin-core generate`: writes a generated sample book and market to a directory. */

import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_VALUATION_TIME } from './generate.js';
import { writeSample } from './write.js';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

export function registerGenerateCommand(program: Command): Command {
  return program
    .command('generate')
    .description('write a deterministic sample book and market (DIR/book.json, DIR/market.json)')
    .requiredOption('--accounts <n>', 'number of accounts', positiveInteger)
    .option('--seed <s>', 'random seed (same seed, same files)', integer, 7)
    .option('--valuation-time <iso>', 'valuation time, ISO-8601 with a zone', DEFAULT_VALUATION_TIME)
    .requiredOption('--out <dir>', 'output directory')
    .action(async (opts: { accounts: number; seed: number; valuationTime: string; out: string }) => {
      const started = performance.now();
      const paths = await writeSample(opts.out, opts.accounts, opts.seed, opts.valuationTime);
      const ms = (performance.now() - started).toFixed(0);
      console.log(`wrote ${paths.book} and ${paths.market} (${opts.accounts} accounts, seed ${opts.seed}, ${ms} ms)`);
    });
}
