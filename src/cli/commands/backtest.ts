import { type Command, InvalidArgumentError } from 'commander';
import { createEngine } from '../../engine.js';
import { InputError } from '../../errors.js';
import { BUILT_IN_REGISTRY } from '../../methods/registry.js';
import { historyCsvLines, readHistory } from '../../dynamic/history.js';
import { syntheticHistoryFor } from '../../dynamic/synthetic-history.js';
import { SERIES_LABELS, backtestTextLines } from '../../report/backtest-text.js';
import type { BacktestSeriesName } from '../../backtest/backtest.js';
import { parseJsonText } from '../../model/json-text.js';
import { readJson, readTextFile, readValidInputs } from '../io.js';
import { reportWritten } from '../written.js';
import { backendOption, type BackendChoice, flagsGiven, formatOption, methodOption, wholeNumberUpTo, bookOption, marketOption, sampleOption, inputPaths } from '../options.js';
import { csvLines, jsonChunks, openOutput } from '../output.js';
import { Progress } from '../progress.js';

const DAY_COLUMNS = ['date', 'series', 'totalIm', 'breaches'] as const;
/** Fewest margin days a backtest reports (src/backtest/backtest.ts refuses fewer). */
const MIN_MARGIN_DAYS = 30;
/**
 * Most closes of a synthetic history (100 years): a history, its forecasts and the margin series are held whole, about
 * 11 kB a day on the 302-account sample (36,500 days peak at ~510 MB RSS, ~50 s); without a cap `--days 1e9` grew
 * memory until the machine died.
 */
export const MAX_SYNTHETIC_DAYS = 36_500;
/** Most warm-up days: the library's bound (src/backtest/backtest.ts, options.warmupDays), a usage error here. */
export const MAX_WARMUP_DAYS = 100_000;

/** `margin-core backtest`: static vs dynamic vs dynamic + APC margin over a price history, day by day. */
export function registerBacktestCommand(program: Command): Command {
  return program
    .command('backtest')
    .description('backtest margin over a price history: static, volatility-driven, and with anti-procyclicality; breaches, Kupiec/Christoffersen, procyclicality')
    .option('--history <file>', 'closes per asset: CSV (timestamp,BTC,ETH… or timestamp,asset,close) or JSON; default: a seeded synthetic history (GARCH with jumps)')
    .option('--days <n>', `synthetic history: number of daily closes (at most ${MAX_SYNTHETIC_DAYS.toLocaleString('en-US')}); the margin days are the closes after --warmup-days, less the horizon (1 day by default)`, wholeNumberUpTo(0, MAX_SYNTHETIC_DAYS), 3650)
    .option('--seed <n>', 'synthetic history: seed', wholeNumberUpTo(0, Number.MAX_SAFE_INTEGER), 1)
    .option('--allow-gaps', 'take a history whose closes skip days (weekdays only: trading days; set params.dynamic.periodsPerYear 252)')
    .option('--save-history <file>', 'write the history used (CSV) to this file')
    .addOption(bookOption('the bundled sample')).addOption(marketOption('the bundled sample when no --book is given')).addOption(sampleOption())
    .option('--params <file>', 'risk parameters JSON; its `dynamic` section sets the forecast, k, the APC tool and the circuit breaker')
    .addOption(methodOption(BUILT_IN_REGISTRY.dynamicNames, 'portfolio', 'margin method (one a volatility forecast can drive)'))
    .option('--confidence <level>', 'confidence the margin is judged at (expected breach rate 1 − level)', fraction, 0.99)
    .option('--warmup-days <n>', `days of history before the first margin day (1 to ${MAX_WARMUP_DAYS.toLocaleString('en-US')}; at least 30 under the EWMA forecast, 100 under GARCH)`, wholeNumberUpTo(1, MAX_WARMUP_DAYS), 250)
    .option('--no-circuit-breaker', 'leave the velocity circuit breaker out of the dynamic series')
    .addOption(formatOption(['table', 'json', 'csv']))
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .addHelpText('after', '\nExamples:\n  margin-core backtest\n  margin-core backtest --history prices.csv --method var --params params.json\n' +
      '  margin-core backtest --days 2000 --seed 7 --format csv --out days.csv')
    .action(async (opts: {
      history?: string | undefined; allowGaps?: boolean | undefined; days: number; seed: number; saveHistory?: string | undefined; book?: string | undefined; market?: string | undefined; params?: string | undefined; method: string;
      confidence: number; warmupDays: number; circuitBreaker: boolean; format: string; out?: string | undefined; backend: BackendChoice; sample?: boolean | undefined;
    }, command: Command) => {
      const files = inputPaths(opts, command, true);
      // --days and --seed make the synthetic history: beside a history file they would change nothing, and a run that
      // quietly ignored them would pass for the one asked for
      const synthetic = flagsGiven(command, [['days', '--days'], ['seed', '--seed']]);
      if (opts.history && synthetic.length > 0) {
        const one = synthetic.length === 1;
        command.error(`error: ${synthetic.join(' and ')} ${one ? 'makes' : 'make'} the synthetic history: with --history ${one ? 'it changes' : 'they change'} nothing; leave ${one ? synthetic[0] : 'them'} out`, { exitCode: 2 });
      }
      // a history of N closes margins N − warm-up − horizon days: a --days that leaves too few is said before any work
      const marginDays = opts.days - opts.warmupDays - 1;
      if (!opts.history && marginDays < MIN_MARGIN_DAYS) {
        command.error(`error: --days ${opts.days} leaves ${Math.max(0, marginDays)} margin days after --warmup-days ${opts.warmupDays} and the 1-day horizon: at least ${MIN_MARGIN_DAYS} are needed (--days ${opts.warmupDays + 1 + MIN_MARGIN_DAYS} or more)`, { exitCode: 2 });
      }
      const bar = new Progress('backtest', 1000);
      try {
        const inputs = await readValidInputs(files.book, files.market, {});
        const params = opts.params ? await readJson(opts.params, '--params') : undefined;
        const history = opts.history ? readHistory(await readText(opts.history), { name: opts.history, allowGaps: opts.allowGaps === true }) : syntheticHistoryFor(inputs.market, { days: opts.days, seed: opts.seed });
        // the closes the margin days came from: N closes margin N − warm-up − horizon days
        const closes = `${history.times.length.toLocaleString('en-US')} closes, the first ${opts.warmupDays} warm-up`;
        const source = opts.history ? `history ${opts.history} (${closes})` : `synthetic history (${closes}; seed ${opts.seed}, GARCH(1,1) with jumps, docs/dynamic-margin.md)`;
        if (opts.saveHistory) {
          const file = await openOutput(opts.saveHistory, undefined, '--save-history');
          await file.lines(historyCsvLines(history));
          await file.end();
          await reportWritten(opts.saveHistory, 'the price history used, csv');
        }
        const engine = await createEngine({ backend: opts.backend });
        const report = withFlagPaths(command, () => engine.backtest(inputs.book, inputs.market, history, {
          method: opts.method, params, confidence: opts.confidence, warmupDays: opts.warmupDays, circuitBreaker: opts.circuitBreaker,
          onProgress: (done, total) => bar.setFraction((1000 * done) / total, `day ${done}/${total}`),
        }));
        bar.finish();
        const output = await openOutput(opts.out);
        if (opts.format === 'json') {
          const json = { ...report, volAnnual: Object.fromEntries(Object.entries(report.volAnnual).map(([a, v]) => [a, Array.from(v)])),
            series: Object.fromEntries(Object.entries(report.series).map(([k, s]) => [k, { ...s, totalMargin: Array.from(s.totalMargin), breaches: Array.from(s.breaches) }])) };
          for (const chunk of jsonChunks(json, 'dates')) await output.write(chunk);
          await output.write('\n');
        } else if (opts.format === 'csv') {
          const names = Object.keys(SERIES_LABELS) as BacktestSeriesName[];
          const days = report.dates.length;
          await output.lines(csvLines(DAY_COLUMNS, days * names.length, (i) => {
            const d = Math.floor(i / names.length), s = report.series[names[i % names.length]];
            return [report.dates[d], names[i % names.length], s.totalMargin[d], s.breaches[d]];
          }));
        } else await output.lines(backtestTextLines(report, source));
        await output.end();
        await reportWritten(opts.out, `the ${opts.method} margin backtest over ${report.dates.length.toLocaleString('en-US')} days, ${opts.format}`);
      } finally {
        bar.finish();
      }
    });
}

async function readText(path: string): Promise<unknown> {
  const text = await readTextFile(path, '--history');
  if (!/\.json$/i.test(path)) return text;
  return parseJsonText(text, path, '--history', 'history'); // as every JSON file: a name given twice, 1e-400 refused
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n >= 0.5 && n < 1)) throw new InvalidArgumentError('expected a number in [0.5, 1).');
  return n;
}

/** The library options this command sets from its flags: a problem with one is said at the flag the user gave. */
const FLAG_OF_OPTION: Record<string, string> = { 'options.warmupDays': '--warmup-days', 'options.confidence': '--confidence', 'options.method': '--method' };

/**
 * `run()`, with an InputError's problems at a library option this command sets from a flag named by that flag; when
 * every problem is a flag's (a --warmup-days too short for the params' forecast), a usage error (exit 2).
 */
function withFlagPaths<T>(command: Command, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof InputError) || !error.problems.some((p) => FLAG_OF_OPTION[p.path] !== undefined)) throw error;
    if (!error.truncated && error.problems.every((p) => FLAG_OF_OPTION[p.path] !== undefined)) {
      command.error(`error: ${error.problems.map((p) => `${FLAG_OF_OPTION[p.path]}: ${p.message}`).join('; ')}`, { exitCode: 2 });
    }
    throw new InputError(error.problems.map((p) => ({ ...p, path: FLAG_OF_OPTION[p.path] ?? p.path })), error.truncated);
  }
}
