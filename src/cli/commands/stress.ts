import { existsSync, readdirSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { createEngine, type Engine } from '../../engine.js';
import { MARGIN_METHODS } from '../../methods/registry.js';
import { stressTextLines } from '../../report/stress-text.js';
import { noteSetAsideBy, readJson, readValidInputs, setAsideAccounts, shocksDir } from '../io.js';
import { reportWritten } from '../written.js';
import { backendOption, type BackendChoice, chosenMethod, flagsGiven, formatOption, methodOption, profileOption, nonNegativeDecimal, wholeNumberUpTo, workersOption, bookOption, marketOption, sampleOption, inputPaths, type InputFlags } from '../options.js';
import type { StressReport } from '../../stress/report.js';
import { csvLines, jsonChunks, openOutput } from '../output.js';
import { Progress } from '../progress.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';
import { InputError } from '../../errors.js';
import { stressOwnedBook } from '../stress-owned.js';
import { MAX_HORIZON_DAYS } from '../../stress/params.js';
import { MAX_PATHS, type StressOptions } from '../../stress/stress.js';
import type { ValidatedBook, ValidatedMarket } from '../../model/types.js';

const ROUND_COLUMNS = [
  'method', 'round', 'step', 'accountsLiquidated', 'accountsBankrupt', 'liquidatedNotional', 'fees', 'badDebt', 'insuranceFund', 'adlNotional', 'prices', 'impactMove',
] as const;

/** `margin-core stress`: a shock, the liquidation cascade it sets off, per method; reverse and Monte Carlo stress. */
export function registerStressCommand(program: Command): Command {
  return program
    .command('stress')
    .description('stress test: a shock, then the cascade of liquidations and market impact, per margin method')
    .addOption(bookOption()).addOption(marketOption()).addOption(sampleOption())
    .option('--shock <file|name>', `shock JSON, or a bundled shock: ${bundledShockNames().join(', ')}; default crash-path (a path: prices fall over three snapshots, the cascade running after each)`, 'crash-path')
    .option('--params <file>', 'risk parameters JSON (its `liquidation` and `stress` sections set the rules and the market impact)')
    .addOption(methodOption([...MARGIN_METHODS, 'all'], 'cross', 'margin method, or all'))
    .addOption(profileOption())
    .option('--paths <n>', `Monte Carlo stress: this many correlated shocks (1 to ${MAX_PATHS.toLocaleString('en-US')}) from the market's vols and correlation`, wholeNumberUpTo(1, MAX_PATHS))
    .option('--seed <n>', 'Monte Carlo seed (0 to 4,294,967,295)', wholeNumberUpTo(0, 0xffffffff), 1)
    .option('--horizon-days <days>', `Monte Carlo shock horizon in days (above 0, at most ${MAX_HORIZON_DAYS})`, horizonDays, 1)
    .option('--reverse', 'reverse stress test: the smallest multiple of the shock whose bad debt exceeds the insurance fund')
    .option('--threshold <usd>', 'reverse stress test: bad debt to exceed instead of the insurance fund', nonNegativeDecimal('5000000'))
    .addOption(formatOption(['table', 'json', 'csv']))
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .addOption(workersOption())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .addHelpText('after', '\nExamples:\n  margin-core stress --sample --method all\n  margin-core stress --sample --shock btc-crash --method portfolio\n' +
      '  margin-core stress --book book.json --market market.json --shock shock.json --reverse --paths 1000')
    .action(async (opts: InputFlags & {
      shock: string; params?: string | undefined; method: string; profile?: string | undefined; paths?: number | undefined; seed: number; horizonDays: number;
      reverse?: boolean | undefined; threshold?: number | undefined; format: string; out?: string | undefined; backend: BackendChoice; workers: number;
    } & ValidationFlags, command: Command) => {
      const files = inputPaths(opts, command);
      const loose = looseOption(command, opts.paths !== undefined, opts.reverse === true, opts.workers);
      if (loose) command.error(`error: ${loose}`, { exitCode: 2 });
      // csv has a row per round, and no place for a path or a search: refused before paying for them
      const unwritten = [...(opts.paths !== undefined ? ['--paths'] : []), ...(opts.reverse === true ? ['--reverse'] : [])];
      if (opts.format === 'csv' && unwritten.length > 0) command.error(`error: --format csv writes the cascades' rounds only: give --format json or table with ${unwritten.join(' and ')}`, { exitCode: 2 });
      const bar = new Progress('stress', 1000);
      try {
        // a tenth of the bar for reading the book (tens of seconds for a big one), the rest for the cascades
        bar.note('reading');
        const inputs = await readValidInputs(files.book, files.market, validationOptions(opts), () => bar.setFraction(100, 'validating'), (done, total) => bar.bytes(0, done, total, 'reading', 100));
        const shock = await readJson(shockPath(opts.shock), '--shock');
        const params = opts.params ? await readJson(opts.params, '--params') : undefined;
        bar.note('margin before the shock');
        const engine = await createEngine({ backend: opts.backend, workers: opts.workers });
        const method = chosenMethod(opts, command);
        // the coin-margined accounts a USD-only method sets aside: a cascade's rounds name no account, the note does
        const aside = setAsideAccounts(inputs.book, method === 'all' ? MARGIN_METHODS : [method]);
        const options = {
          method, profile: opts.profile, params, lenient: opts.lenient === true,
          // the seed and horizon (defaults given) only with paths: the library refuses them alone
          ...(opts.paths !== undefined ? { paths: opts.paths, seed: opts.seed, horizonDays: opts.horizonDays } : {}),
          reverse: opts.threshold !== undefined ? { thresholdUsd: opts.threshold } : opts.reverse === true, // --threshold goes with --reverse (looseOption)
          onProgress: (done: number, total: number) => bar.setFraction(100 + (900 * done) / total, `${done}/${total} cascades`),
        };
        let report: StressReport;
        try {
          report = await stressOn(engine, opts.workers, inputs, shock, options);
        } catch (error) {
          throw command.getOptionValueSource('shock') === 'default' ? withDefaultShockNamed(error, opts.shock) : error;
        }
        bar.finish();
        const output = await openOutput(opts.out);
        if (opts.format === 'json') {
          for (const chunk of jsonChunks(report, 'cascades')) await output.write(chunk);
          await output.write('\n');
        } else if (opts.format === 'csv') {
          const rows = report.cascades.flatMap((c) => c.rounds.map((r) => ({ c, r })));
          await output.lines(csvLines(ROUND_COLUMNS, rows.length, (i) => {
            const { c, r } = rows[i];
            return [c.method, r.round, r.step, r.accountsLiquidated, r.accountsBankrupt, r.liquidatedNotional, r.fees, r.badDebt, r.insuranceFund, r.adlNotional,
              JSON.stringify(r.prices), JSON.stringify(r.impactMove)];
          }));
        } else await output.lines(stressTextLines(report));
        await output.end();
        await reportWritten(opts.out, `the stress test ${report.shock.name} under ${report.cascades.map((c) => c.method).join(', ')}, ${opts.format}`);
        printWarnings(report.warnings);
        noteSetAsideBy(aside, aside.usdOnly.length === 1 ? 'left out of its stress cascade' : 'left out of their stress cascades');
      } finally {
        bar.finish();
      }
    });
}

/**
 * Why options of the Monte Carlo stress given without --paths, or of the reverse test without --reverse (or threads
 * for either without both), are a usage error, or undefined: alone they would change nothing (or start a test not asked for), and a run that quietly ignored
 * them would pass for the one asked for.
 */
function looseOption(command: Command, paths: boolean, reverse: boolean, workers: number): string | undefined {
  // the shock's own cascade is one sequence of rounds on this thread: threads with no paths or probes would idle
  if (workers > 1 && !paths && !reverse) return `--workers ${workers} runs the Monte Carlo paths and the reverse search's probes on threads (the shock's cascade runs on this one): give --paths N or --reverse too, or leave --workers out`;
  // `what` follows "sets" (one flag) or "set" (several)
  const loose = (given: string[], what: string, give: string) => {
    if (given.length === 0) return undefined;
    const one = given.length === 1;
    return `${given.join(' and ')} ${one ? 'sets' : 'set'} ${what}: give ${give} too, or leave ${one ? given[0] : 'them'} out`;
  };
  return (paths ? undefined : loose(flagsGiven(command, [['seed', '--seed'], ['horizonDays', '--horizon-days']]), 'up the Monte Carlo stress', '--paths N'))
    ?? (reverse ? undefined : loose(flagsGiven(command, [['threshold', '--threshold']]), 'the reverse stress test\'s bad debt', '--reverse'));
}

/** A path to a shock file, or the bundled shock of that name. */
function shockPath(value: string): string {
  if (existsSync(value)) return value;
  const bundled = `${shocksDir()}${value.replace(/\.json$/, '')}.json`;
  if (/^[\w-]+(\.json)?$/.test(value) && existsSync(bundled)) return bundled;
  throw new InputError([{ path: '--shock', message: `${value}: no such file, nor a bundled shock (${bundledShockNames().join(', ')})` }]);
}

function bundledShockNames(): string[] {
  try {
    return readdirSync(shocksDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}


/** A horizon the Monte Carlo shocks take (the API refuses any other at options.horizonDays): a usage error here. */
function horizonDays(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0 && n <= MAX_HORIZON_DAYS)) throw new InvalidArgumentError(`expected a number of days above 0, at most ${MAX_HORIZON_DAYS}.`);
  return n;
}

/**
 * A shock's problems when no --shock was given: one more problem says the bundled default was used (its prices name
 * assets a user's market may not price: `shock.path[0].prices.ETH: unknown asset` alone read as the user's file).
 */
function withDefaultShockNamed(error: unknown, name: string): unknown {
  if (!(error instanceof InputError) || !error.problems.some((p) => p.path === 'shock' || p.path.startsWith('shock.'))) return error;
  return new InputError([{ path: '--shock', message: `not given: the bundled shock ${name} was used (give --shock with a shock of this market's assets)` }, ...error.problems], error.truncated);
}

/**
 * The stress on this thread, or with `workers` > 1 its Monte Carlo paths and the reverse search's probes on worker
 * threads (the shock's cascade runs here); the engine is closed after a run on threads.
 */
async function stressOn(engine: Engine, workers: number, inputs: { book: ValidatedBook; market: ValidatedMarket }, shock: unknown, options: StressOptions): Promise<StressReport> {
  if (workers <= 1) return stressOwnedBook(engine, inputs.book, inputs.market, shock, options);
  try {
    // the workers get the whole book when the first job needs it; its shards (for margin) are never laid out
    const sharded = await engine.openShardedBook(inputs.book, undefined, { layOut: 'first-margin' });
    return await sharded.stress(inputs.market, shock, options).finally(() => sharded.release());
  } finally {
    await engine.close();
  }
}
