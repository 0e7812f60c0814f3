/**
 * Where a params section names assets, and the check of those names against the market's: a misspelt key
 * (`params.linear.BTX`, `params.portfolio.assets.BTX`) would otherwise leave the asset silently on the default rule,
 * and a misspelt symbol (a SPAN leg's `commodity`) would silently drop what it names. Each name the market does not
 * price is a problem at its path, with the nearest symbol (`params.linear.BTX: unknown asset (did you mean "BTC"?)`),
 * unless it is a name the caller's context knows there (the session: the names its profiles give in that field). Pure
 * functions.
 */
import type { InputProblem } from '../errors.js';
import { isRecord, keyPath, nearestName, ownEntries } from './checks.js';

/** Where a params section names assets (paths inside the section, dot-separated; `name[]` steps into each element of a list). */
export interface AssetKeys {
  /** Objects keyed by asset symbol (besides `default`): `assets`, `ruleBased.baseVolAnnual`. */
  readonly keyed?: readonly string[];
  /** Fields holding a symbol or a list of symbols: `stableAssets`, `interSpreads[].legs[].commodity`. */
  readonly named?: readonly string[];
}

/** One asset name a params section gives: where (`params.linear.BTX`), and the declared field it is under (`linear`). */
export interface AssetName {
  symbol: string;
  path: string;
  field: string;
}

/** Every name `section` (at `path`) gives where `keys` says it names assets; fields of the wrong shape are skipped (the section's own check names them). */
export function assetNames(section: unknown, path: string, keys: AssetKeys): AssetName[] {
  const out: AssetName[] = [];
  const add = (field: string, symbol: unknown, at: string) => {
    if (typeof symbol === 'string') out.push({ symbol, path: at, field });
  };
  for (const field of keys.keyed ?? []) {
    visit(section, field.split('.'), path, (record, at) => {
      if (isRecord(record)) for (const [symbol] of ownEntries(record)) add(field, symbol, keyPath(at, symbol));
    });
  }
  for (const field of keys.named ?? []) {
    visit(section, field.split('.'), path, (value, at) => {
      if (Array.isArray(value)) value.forEach((symbol, k) => add(field, symbol, `${at}[${k}]`));
      else add(field, value, at);
    });
  }
  return out;
}

/**
 * The names `section` (at `path`) gives where `keys` says it names assets that are not among `assets` (the market's
 * symbols), each a problem at its path with the nearest symbol.
 */
export function unknownAssetProblems(section: unknown, path: string, assets: readonly string[], keys: AssetKeys): InputProblem[] {
  const priced = new Set(assets);
  return assetNames(section, path, keys).filter((n) => !isPriced(n.symbol, priced)).map((n) => unknownAsset(n, assets));
}

/** True for a name `priced` holds, or one every market knows: `default` (a keyed object's fallback rule) and the unit of account. */
export function isPriced(symbol: string, priced: ReadonlySet<string>): boolean {
  return priced.has(symbol) || symbol === 'default' || symbol === 'USD';
}

/** The problem of a name the market (`assets`) does not price, with the nearest symbol it does. */
export function unknownAsset(name: AssetName, assets: readonly string[]): InputProblem {
  const near = nearestName(name.symbol, assets);
  return { path: name.path, message: `unknown asset${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}: the market prices ${assets.join(', ')}` };
}

/** Calls `leaf` with each value at `steps` below `value` (at `path`), stepping into every element of a `name[]` list. */
function visit(value: unknown, steps: readonly string[], path: string, leaf: (value: unknown, path: string) => void): void {
  if (steps.length === 0) return leaf(value, path);
  if (!isRecord(value)) return;
  const step = steps[0], list = step.endsWith('[]'), name = list ? step.slice(0, -2) : step;
  if (!Object.hasOwn(value, name)) return;
  const next = value[name], at = `${path}.${name}`;
  if (!list) return visit(next, steps.slice(1), at, leaf);
  if (Array.isArray(next)) next.forEach((item, k) => visit(item, steps.slice(1), `${at}[${k}]`, leaf));
}
