/**
 * Where a params section names assets, and the check of those names against the market's: a misspelt key
 * (`params.linear.BTX`, `params.portfolio.assets.BTX`) would otherwise leave the asset silently on the default rule,
 * and a misspelt symbol (a SPAN leg's `commodity`) would silently drop what it names. Each name the market does not
 * price is a problem at its path, with the nearest symbol (`params.linear.BTX: unknown asset (did you mean "BTC"?)`);
 * for a whole params file ({@link unknownParamAssets}), unless a profile gives the same name in the same field (a
 * venue's rules name assets a market may not price). Pure functions.
 */
import type { InputProblem } from '../errors.js';
import { isRecord, keyPath, nearestName, ownEntries } from './checks.js';

/** Where a params section names assets (paths inside the section, dot-separated; `name[]` steps into each element of a list). */
export interface AssetKeys {
  /** Objects keyed by asset symbol (besides `default`): `assets`, `ruleBased.baseVolAnnual`. */
  readonly keyed?: readonly string[] | undefined;
  /** Fields holding a symbol or a list of symbols: `stableAssets`, `interSpreads[].legs[].commodity`. */
  readonly named?: readonly string[] | undefined;
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
function isPriced(symbol: string, priced: ReadonlySet<string>): boolean {
  return priced.has(symbol) || symbol === 'default' || symbol === 'USD';
}

/** The problem of a name the market (`assets`) does not price, with the nearest symbol it does. */
function unknownAsset(name: AssetName, assets: readonly string[]): InputProblem {
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

/** A params file's section that names assets: where it is (`params` for the top-level rule sections) and its fields. */
export interface AssetSection {
  /** The section's name in the params file (null: fields at the top level). */
  name: string | null;
  keys: AssetKeys;
}

/** Each asset name params `json` give in `sections`, with its site: the section, the field and the name (JSON). */
export function paramAssetNames(json: unknown, sections: readonly AssetSection[]): (AssetName & { site: string })[] {
  if (!isRecord(json)) return [];
  return sections.flatMap(({ name, keys }) => {
    const section = name === null ? json : Object.hasOwn(json, name) ? json[name] : undefined;
    return assetNames(section, name === null ? 'params' : `params.${name}`, keys).map((n) => ({ ...n, site: JSON.stringify([name, n.field, n.symbol]) }));
  });
}

/**
 * The names params `json` give in `sections` that the market (`assets`) does not price and no profile gives in the same
 * field (`profileSites()`: the sites of {@link paramAssetNames} of the profiles' params, asked for only when a name is
 * not priced), each a problem at its path.
 */
export function unknownParamAssets(json: unknown, sections: readonly AssetSection[], assets: readonly string[], profileSites: () => ReadonlySet<string>): InputProblem[] {
  const priced = new Set(assets);
  return paramAssetNames(json, sections).filter((n) => !isPriced(n.symbol, priced) && !profileSites().has(n.site)).map((n) => unknownAsset(n, assets));
}
