/**
 * Options several commands share, declared once with their allowed values, so a wrong value is a usage error
 * (exit 2) with the list of choices, e.g. `error: option '--backend <backend>' argument 'gpu' is invalid.
 * Allowed choices are auto, wasm, js.`
 */
import { Option } from 'commander';
import { MARGIN_METHODS } from '../methods/registry.js';

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
