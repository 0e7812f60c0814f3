/**
 * What the figure table (figures.ts) derives at run time: the summary figures and their stride, the stored ones (a
 * compact block's), the money ones (the USD view's), each derived figure's inputs, the row builders and the schema's
 * part. Every reader takes the model once per call ({@link figureModel}).
 *
 * The row and USD-view builders are compiled once from the table into one object literal each (perf: object-literal,
 * docs/performance.md: a row assembled key by key is several times slower to make and to read); where a runtime forbids
 * code generation (a Content-Security-Policy without 'unsafe-eval'), they are assembled key by key instead: the same
 * rows, keys in the same order.
 */
import { figure, nullable, number, type JsonSchema } from '../model/schema-builder.js';
import { FIGURE_TABLE, type FigureColumn, type FigureSpec } from './figures.js';
import type { AccountMargin, UsdView } from './report.js';
import type { Status } from './status.js';

/**
 * A row from the figures at `f[k * n + i]` (figure k in summary order): `n` and `i` of a block of summary rows, or 1
 * and 0 for one row's figures. A subaccount's row carries `master` after its id; `statusReason` is left empty.
 */
export type RowMaker = (id: string, master: string | undefined, status: Status, f: ArrayLike<number>, n: number, i: number) => AccountMargin;

/** The USD view of a row whose money figures are in its margin asset, at `price` USD per unit. */
export type UsdViewMaker = (row: AccountMargin, price: number) => UsdView;

/** A derived figure's place in the summary and its inputs' (summary indices). */
export interface DerivedFigure {
  readonly at: number;
  readonly x: number;
  readonly y: number;
  readonly formula: (x: number, y: number) => number;
}

export interface FigureModel {
  /** Every figure, in the row's key order: the summary columns (a summary block's stride). */
  readonly names: readonly string[];
  /** The stored figures in that order (a compact block's columns), each with its kernel column and summary index. */
  readonly stored: readonly string[];
  readonly columns: readonly FigureColumn[];
  readonly storedAt: readonly number[];
  /** Indices in `stored` whose coin-margined value is the row's cash. */
  readonly coinCash: readonly number[];
  readonly derived: readonly DerivedFigure[];
  /** The money figures, in row order (a coin row's USD view). */
  readonly money: readonly string[];
  readonly row: RowMaker;
  readonly usdView: UsdViewMaker;
  /** Rows [0, n) of a summary block (`f`, stride n) given their derived figures from their stored ones. */
  readonly deriveRows: (f: Float64Array, n: number) => void;
  /** Each figure's schema in a report row, in row order. */
  readonly schemas: readonly (readonly [string, JsonSchema])[];
  /** The summary index of figure `name` (throws on an unknown one). */
  at(name: string): number;
  /** Its index among the stored figures (throws when it is derived). */
  storedIndex(name: string): number;
}

/** A row's keys besides its figures (report.ts AccountMargin; `price` is the USD view's): no figure may take one. */
const ROW_KEYS: ReadonlySet<string> = new Set(['id', 'master', 'status', 'statusReason', 'error', 'marginCurrency', 'usd', 'cashUsd', 'liquidationPrice', 'positions', 'collateral', 'method', 'backstopUsd', 'price']);

/** The model of a table (figures in key order). Fails on a derived figure that reads a figure not stored. */
export function modelOf(table: Readonly<Record<string, FigureSpec>>): FigureModel {
  const names = Object.keys(table);
  for (const name of names) if (ROW_KEYS.has(name)) throw new Error(`margin-core: figure ${name} would overwrite the row's own key ${name}`);
  const specs = names.map((name) => table[name]);
  const stored: string[] = [], columns: FigureColumn[] = [], storedAt: number[] = [], coinCash: number[] = [];
  specs.forEach((s, k) => {
    if ((s.column === undefined) === (s.formula === undefined)) throw new Error(`margin-core: figure ${names[k]} needs a kernel column or a formula, not both`);
    if (s.column === undefined) return;
    if (s.coinCash) coinCash.push(stored.length);
    stored.push(names[k]);
    columns.push(s.column);
    storedAt.push(k);
  });
  const at = (name: string) => {
    const k = names.indexOf(name);
    if (k < 0) throw new Error(`margin-core: no account figure ${JSON.stringify(name)}`);
    return k;
  };
  const storedIndex = (name: string) => {
    const s = stored.indexOf(name);
    if (s < 0) throw new Error(`margin-core: account figure ${JSON.stringify(name)} is derived, not stored`);
    return s;
  };
  const derived: DerivedFigure[] = [];
  specs.forEach((s, k) => {
    if (s.formula === undefined) return;
    const [x, y] = s.of ?? [];
    if (x === undefined || y === undefined) throw new Error(`margin-core: derived figure ${names[k]} names no inputs`);
    storedIndex(x);
    storedIndex(y);
    derived.push({ at: k, x: at(x), y: at(y), formula: s.formula });
  });
  const money = names.filter((_, k) => specs[k].unit === 'money');
  const schemas = names.map((name, k) => {
    const s = specs[k].schema;
    return [name, s === undefined ? figure : nullable(number(s.interval, s.description))] as const;
  });
  return {
    names, stored, columns, storedAt, coinCash, derived, money, schemas, at, storedIndex,
    row: compiledRowMaker(names) ?? assembledRowMaker(names),
    usdView: compiledUsdView(money) ?? assembledUsdView(money),
    deriveRows: compiledDeriveRows(derived) ?? assembledDeriveRows(derived),
  };
}

/**
 * `v` (one row's summary figures) from its stored figures `f[s * n + i]` (s in stored order, a compact block's): the
 * derived ones recomputed by their formulas, the same bits as the row that was compacted.
 */
export function fromStored(model: FigureModel, v: Float64Array, f: ArrayLike<number>, n: number, i: number): Float64Array {
  const { storedAt, derived } = model;
  for (let s = 0; s < storedAt.length; s++) v[storedAt[s]] = f[s * n + i];
  return withDerived(derived, v);
}

/** `v` with its derived figures computed from its stored ones. */
export function withDerived(derived: readonly DerivedFigure[], v: Float64Array): Float64Array {
  for (let d = 0; d < derived.length; d++) v[derived[d].at] = derived[d].formula(v[derived[d].x], v[derived[d].y]);
  return v;
}

/** Row i of a summary block (`f`, `n` rows) with its derived figures recomputed from its stored ones (after they moved). */
export function rederiveInBlock(model: FigureModel, f: Float64Array, n: number, i: number): void {
  for (const d of model.derived) f[d.at * n + i] = d.formula(f[d.x * n + i], f[d.y * n + i]);
}

/** A row object's derived figures recomputed from its stored ones (after they moved). */
export function rederiveRow(model: FigureModel, row: AccountMargin): void {
  const r = row as unknown as Record<string, number>, names = model.names;
  for (const d of model.derived) r[names[d.at]] = d.formula(r[names[d.x]], r[names[d.y]]);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** f[d.at * n + i] = d.formula(f[d.x * n + i], f[d.y * n + i]) for i in [0, n). */
function deriveColumn(f: Float64Array, d: DerivedFigure, n: number): void {
  const at = d.at * n, x = d.x * n, y = d.y * n, formula = d.formula;
  for (let i = 0; i < n; i++) f[at + i] = formula(f[x + i], f[y + i]);
}

function assembledDeriveRows(derived: readonly DerivedFigure[]): (f: Float64Array, n: number) => void {
  return (f, n) => {
    for (const d of derived) deriveColumn(f, d, n);
  };
}

/** The derived figures' loop over a block as one function, a call site per formula (each inlined where it is hot). */
function compiledDeriveRows(derived: readonly DerivedFigure[]): ((f: Float64Array, n: number) => void) | undefined {
  const formulas = derived.map((d) => d.formula);
  const body = derived.map((d, k) => `f[${d.at} * n + i] = d${k}(f[${d.x} * n + i], f[${d.y} * n + i]);`).join(' ');
  const loop = compiled<(f: Float64Array, n: number, d: readonly ((x: number, y: number) => number)[]) => void>(
    ['f', 'n', 'd'], `${formulas.map((_, k) => `const d${k} = d[${k}];`).join(' ')} for (let i = 0; i < n; i++) { ${body} }`,
  );
  return loop && ((f, n) => loop(f, n, formulas));
}

/** The row maker as one function of two literals (see the module comment), or undefined where code is not generated. */
function compiledRowMaker(names: readonly string[]): RowMaker | undefined {
  if (!names.every((name) => IDENTIFIER.test(name))) return undefined;
  const fields = names.map((name, k) => `${name}: f[${k === 0 ? '' : `${k} * n + `}i]`).join(', ');
  return compiled(['id', 'master', 'status', 'f', 'n', 'i'], `return master === undefined ? { id, status, statusReason: '', ${fields} } : { id, master, status, statusReason: '', ${fields} };`);
}

function assembledRowMaker(names: readonly string[]): RowMaker {
  return (id, master, status, f, n, i) => {
    const row = (master === undefined ? { id, status, statusReason: '' } : { id, master, status, statusReason: '' }) as Record<string, unknown>;
    for (let k = 0; k < names.length; k++) row[names[k]] = f[k * n + i];
    return row as unknown as AccountMargin;
  };
}

function compiledUsdView(money: readonly string[]): UsdViewMaker | undefined {
  if (!money.every((name) => IDENTIFIER.test(name))) return undefined;
  return compiled(['row', 'price'], `return { price, ${money.map((name) => `${name}: row.${name} * price`).join(', ')} };`);
}

function assembledUsdView(money: readonly string[]): UsdViewMaker {
  return (row, price) => {
    const view: Record<string, number> = { price };
    for (const name of money) view[name] = (row as unknown as Record<string, number>)[name] * price;
    return view as unknown as UsdView;
  };
}

/** A function made from generated source, or undefined where the runtime forbids it (an EvalError). */
function compiled<F>(params: readonly string[], body: string): F | undefined {
  try {
    return new Function(...params, body) as F;
  } catch {
    return undefined;
  }
}

/** The makers and the derived loop as a runtime without code generation has them (tests compare them with the compiled). */
export function assembledMakers(model: FigureModel): Pick<FigureModel, 'row' | 'usdView' | 'deriveRows'> {
  return { row: assembledRowMaker(model.names), usdView: assembledUsdView(model.money), deriveRows: assembledDeriveRows(model.derived) };
}

/** The model of the table in force (figures.ts, or a test's extension of it). */
export function figureModel(): FigureModel {
  return FIGURES.model;
}

/**
 * The figures in force. One holder, written only by {@link FIGURE_EXTENSION} (tests): the model is otherwise fixed at
 * load, a pure function of the table.
 */
const FIGURES: { model: FigureModel } = { model: modelOf(FIGURE_TABLE) };

/**
 * A test's way to add figures (`extendFigures[FIGURE_EXTENSION](extra)`: the table followed by `extra`, until the
 * returned function restores the table): how test/margin/figures.test.ts proves a figure added to the table reaches
 * every form of the report. Not an option of any entry; the types stay the table's.
 */
export const FIGURE_EXTENSION: unique symbol = Symbol('margin-core: extend the figure table (tests)');

export const extendFigures = {
  [FIGURE_EXTENSION](extra: Readonly<Record<string, FigureSpec>>): () => void {
    const before = FIGURES.model;
    FIGURES.model = modelOf({ ...FIGURE_TABLE, ...extra });
    return () => void (FIGURES.model = before);
  },
};
