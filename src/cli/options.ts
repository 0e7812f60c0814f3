/**
 * Options several commands share, declared once with their allowed values, so a wrong value is a usage error
 * (exit 2, the table in docs/cli.md) with the list of choices, e.g. `error: option '--backend <backend>' argument
 * 'gpu' is invalid. Allowed choices are auto, wasm, js.` Method and profile names are the library's names: a wrong one
 * is a usage error too, with the library's message naming the nearest name, checked before any file is read.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { MAX_WORKERS } from '../engine.js';
import { InputError } from '../errors.js';
import { MARGIN_METHODS, unknownMethodMessage } from '../methods/registry.js';
import { findProfile } from '../profiles/profile.js';
import { BUILT_IN_PROFILES } from '../profiles/registry.js';
import { join } from 'node:path';
import { parseIsoTimestamp } from '../model/time.js';
import { sampleDir } from './io.js';
import { LENIENT_HELP, REPAIR_HELP } from './warnings.js';

export type BackendChoice = 'auto' | 'wasm' | 'js';

export function backendOption(): Option {
  return new Option('--backend <backend>', 'kernels: WASM when it loads (auto), WASM or fail (wasm), or the JS twins (js)').choices(['auto', 'wasm', 'js']).default('auto');
}

/** `--method NAME`: one of `names` (default: the built-in methods), else an InputError at `--method` naming the nearest. */
export function methodOption(names: readonly string[] = MARGIN_METHODS, fallback = 'cross', description = 'margin method'): Option {
  return new Option('--method <method>', `${description}: ${names.join(', ')}`)
    .argParser((value: string) => {
      if (!names.includes(value)) throw new InvalidArgumentError(`${unknownMethodMessage(value, names)}.`);
      return value;
    })
    .default(fallback);
}

export function formatOption(formats: readonly string[]): Option {
  return new Option('--format <format>', 'output format').choices([...formats]).default(formats[0]);
}

export function profileOption(): Option {
  return new Option('--profile <name>', `a methodology profile: its method and parameters, --params merged over them (${BUILT_IN_PROFILES.map((p) => p.name).join(', ')}; margin-core profiles describes them)`)
    .argParser((value: string) => {
      try {
        return findProfile(value, BUILT_IN_PROFILES).name;
      } catch (error) {
        if (error instanceof InputError) throw new InvalidArgumentError(`${error.problems[0].message}.`);
        throw error;
      }
    });
}

/**
 * The flags of `options` (its key, as commander names it, and its flag) given on the command line, in that order: the
 * ones a command refuses beside an option they say nothing to.
 */
export function flagsGiven(command: Command, options: readonly (readonly [key: string, flag: string])[]): string[] {
  return options.filter(([key]) => command.getOptionValueSource(key) === 'cli').map(([, flag]) => flag);
}

/**
 * The method a command runs: `--method` as given, or the profile's when `--profile` is given and `--method` was left
 * at its default (naming another method than the profile's is the library's error, exit 1).
 */
export function chosenMethod(opts: { method: string; profile?: string | undefined }, command: Command): string {
  if (opts.profile === undefined || command.getOptionValueSource('method') !== 'default') return opts.method;
  return findProfile(opts.profile, BUILT_IN_PROFILES).method;
}

/** A name other processes will see and compare (a Redis consumer): printable, no spaces, not empty. */
export function plainName(value: string): string {
  if (!/^[\x21-\x7e]{1,200}$/.test(value)) throw new InvalidArgumentError('expected 1–200 printable ASCII characters, no spaces.');
  return value;
}

/** A commander parser for a whole number ≥ 0 (`--seed 7`). */
/**
 * The integer `value` writes in decimal digits (a sign allowed), else NaN: `Number` also reads `0x10`, `1e3` and
 * `0b11`, which a message saying "a whole number" does not admit.
 */
export function integerText(value: string): number {
  return /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
}

/** The number `value` writes in decimal (sign, fraction and exponent allowed), else NaN: not `0x10`, `0b11` or `''`. */
export function decimalText(value: string): number {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value) ? Number(value) : Number.NaN;
}

/** A commander parser for a finite number ≥ 0 in decimal (`--threshold 5e6`, `--buffer 0.02`): `example` in its message. */
export function nonNegativeDecimal(example: string): (value: string) => number {
  return (value) => {
    const n = decimalText(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a finite number ≥ 0, e.g. ${example}${Number.isNaN(n) ? '' : ` (${value.trim()} is ${n < 0 ? 'below 0' : 'beyond the largest number, 1.8e308'})`}.`);
    return n;
  };
}

export function wholeNumber(value: string): number {
  const n = integerText(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0.');
  return n;
}

/**
 * A commander parser for a whole number from `min` to `max` (`backtest --days 500`): a count that sizes memory is capped,
 * so `1e9` is a usage error before any work, not a machine out of memory.
 */
export function wholeNumberUpTo(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = integerText(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max.toLocaleString('en-US')}.`);
    return n;
  };
}

/** A commander parser for a whole number ≥ 1 (`--shards 8`, `--attempts 10`, `--paths 1000`). */
export function positiveWholeNumber(value: string): number {
  const n = integerText(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return n;
}

/** A commander parser for an ISO-8601 timestamp with a zone (`--valuation-time 2026-11-20T08:00:00Z`). */
export function isoTimestamp(value: string): string {
  if (Number.isNaN(parseIsoTimestamp(value))) throw new InvalidArgumentError('expected an ISO-8601 timestamp with a zone, e.g. 2026-11-20T08:00:00Z.');
  return value;
}

/** `--workers N`: worker threads the book is sharded across (engine `workers`; 1, the default: this thread). */
export function workersOption(): Option {
  return new Option('--workers <n>', `worker threads to shard the book across (1–${MAX_WORKERS}; 1: this thread only)`)
    .argParser((value) => {
      const n = integerText(value);
      if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_WORKERS}.`);
      return n;
    })
    .default(1);
}

/** `--book FILE --market FILE`, or `--sample`: the bundled sample (data/sample in the package). */
export interface InputFlags {
  book?: string | undefined;
  market?: string | undefined;
  sample?: boolean | undefined;
}

/** --book FILE (`fallback`: what leaving it out means, e.g. "the bundled sample"). */
export function bookOption(fallback?: string): Option {
  return new Option('--book <file>', `the book: book.json, or book.arrow (Arrow IPC, schemas/book.arrow.md) (${fallback ? `default: ${fallback}` : 'or --sample'})`);
}

export function marketOption(fallback?: string): Option {
  return new Option('--market <file>', `market JSON (${fallback ? `default: ${fallback}` : 'or --sample'})`);
}

/** --sample: the bundled sample book and market instead of --book and --market. */
export function sampleOption(): Option {
  return new Option('--sample', 'the bundled sample book and market (302 accounts; data/sample in the package)');
}

/**
 * The book and market files a command reads: --book and --market, or the bundled sample with --sample (or when
 * `sampleByDefault` and neither is given). Anything else is a usage error (exit 2) saying what to give.
 */
export function inputPaths(opts: InputFlags, command: Command, sampleByDefault = false): { book: string; market: string } {
  const hasBook = opts.book !== undefined, hasMarket = opts.market !== undefined;
  if (opts.sample === true && (hasBook || hasMarket)) command.error('error: give --sample, or --book and --market, not both', { exitCode: 2 });
  if (opts.sample === true || (sampleByDefault && !hasBook && !hasMarket)) {
    const dir = sampleDir();
    return { book: join(dir, 'book.json'), market: join(dir, 'market.json') };
  }
  if (!hasBook || !hasMarket) {
    const missing = hasBook ? '--market too' : hasMarket ? '--book too' : '--book and --market';
    command.error(`error: give ${missing}, or --sample for the bundled sample`, { exitCode: 2 });
  }
  return { book: opts.book!, market: opts.market! };
}

/**
 * The options a command on one account or group (explain, optimize, allocate) takes after its own: the method and
 * profile, a table or JSON, `--out`, the backend and the validation flags.
 */
export function withOneAccountOptions(command: Command): Command {
  return command
    .addOption(methodOption())
    .addOption(profileOption())
    .addOption(formatOption(['table', 'json']))
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP);
}
