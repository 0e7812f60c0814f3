/**
 * Options several commands share, declared once with their allowed values, so a wrong value is a usage error
 * (exit 2) with the list of choices, e.g. `error: option '--backend <backend>' argument 'gpu' is invalid.
 * Allowed choices are auto, wasm, js.`
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { MAX_WORKERS } from '../engine.js';
import { MARGIN_METHODS } from '../methods/registry.js';
import { findProfile } from '../profiles/profile.js';
import { BUILT_IN_PROFILES } from '../profiles/registry.js';

export type BackendChoice = 'auto' | 'wasm' | 'js';

export function backendOption(): Option {
  return new Option('--backend <backend>', 'kernels: WASM when it loads (auto), WASM or fail (wasm), or the JS twins (js)').choices(['auto', 'wasm', 'js']).default('auto');
}

export function methodOption(): Option {
  return new Option('--method <method>', 'margin method').choices([...MARGIN_METHODS]).default('cross');
}

export function formatOption(formats: readonly string[]): Option {
  return new Option('--format <format>', 'output format').choices([...formats]).default(formats[0]);
}

export function profileOption(): Option {
  return new Option('--profile <name>', 'a methodology profile: its method and parameters, --params merged over them (margin-core profiles lists them)')
    .choices(BUILT_IN_PROFILES.map((p) => p.name));
}

/**
 * The method a command runs: `--method` as given, or the profile's when `--profile` is given and `--method` was left
 * at its default (naming another method than the profile's is the library's error, exit 1).
 */
export function chosenMethod(opts: { method: string; profile?: string }, command: Command): string {
  if (opts.profile === undefined || command.getOptionValueSource('method') !== 'default') return opts.method;
  return findProfile(opts.profile, BUILT_IN_PROFILES).method;
}

/** A commander parser for a whole number ≥ 0 (`--seed 7`, `--paths 1000`). */
/** A name other processes will see and compare (a Redis consumer): printable, no spaces, not empty. */
export function plainName(value: string): string {
  if (!/^[\x21-\x7e]{1,200}$/.test(value)) throw new InvalidArgumentError('expected 1–200 printable ASCII characters, no spaces.');
  return value;
}

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number.');
  return n;
}

/** `--workers N`: worker threads the book is sharded across (engine `workers`; 1, the default: this thread). */
export function workersOption(): Option {
  return new Option('--workers <n>', `worker threads to shard the book across (1–${MAX_WORKERS}; 1: this thread only)`)
    .argParser((value) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_WORKERS}.`);
      return n;
    })
    .default(1);
}
