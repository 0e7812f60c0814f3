/**
 * The shape of a columnar book's columns (book-columns.ts BookColumns, not imported: that module calls this), checked before it is certified as validated:
 * a caller who builds the columns (JavaScript, no compiler) gets an InputError at `columns.<field>`, not a crash
 * inside a later run. What the readers build passes by construction; this holds the public `columnarBook` to it.
 */
import { describeValue, InputError, type InputProblem } from '../errors.js';

/** Throws an InputError naming every column of `columns` that is missing, of the wrong type or length, or out of order. */
export function checkColumnShape(columns: unknown): void {
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) {
    throw new InputError([{ path: 'columns', message: `expected a book's columns (BookColumns), got ${describeValue(columns)}` }]);
  }
  const c = columns as Record<string, unknown>, problems: InputProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ path: `columns.${field}`, message });
  const list = (field: string) => (Array.isArray(c[field]) ? (c[field] as unknown[]) : (bad(field, `expected an array, got ${describeValue(c[field])}`), null));
  const typed = <T extends Int32Array | Float64Array>(field: string, type: { new (n: number): T; name: string }, optional = false): T | null => {
    if (optional && c[field] === undefined) return null;
    return c[field] instanceof type ? (c[field] as T) : (bad(field, `expected a ${type.name}, got ${describeValue(c[field])}`), null);
  };
  const instruments = list('instruments'), ids = list('accountIds'), assets = list('balanceAssets');
  const cash = typed('cashUsd', Float64Array), posStart = typed('positionStart', Int32Array), posInstrument = typed('positionInstrument', Int32Array);
  const quantity = typed('quantity', Float64Array), entry = typed('entryPrice', Float64Array), isolated = typed('isolatedMargin', Float64Array, true);
  const balStart = typed('balanceStart', Int32Array), balAsset = typed('balanceAsset', Int32Array), amount = typed('amount', Float64Array);
  if (problems.length > 0) throw new InputError(problems);
  const accounts = ids!.length;
  if (ids!.some((id) => typeof id !== 'string')) bad('accountIds', 'expected a string per account');
  if (cash!.length !== accounts) bad('cashUsd', `expected one per account (${accounts}), got ${cash!.length}`);
  offsets('positionStart', posStart!, accounts, posInstrument!.length, bad);
  offsets('balanceStart', balStart!, accounts, balAsset!.length, bad);
  for (const [field, column] of [['quantity', quantity], ['entryPrice', entry], ['isolatedMargin', isolated]] as const) {
    if (column !== null && column.length !== posInstrument!.length) bad(field, `expected one per position (${posInstrument!.length}), got ${column.length}`);
  }
  if (amount!.length !== balAsset!.length) bad('amount', `expected one per balance (${balAsset!.length}), got ${amount!.length}`);
  if (posInstrument!.some((i) => i < 0 || i >= instruments!.length)) bad('positionInstrument', `expected rows of instruments (0 to ${instruments!.length - 1})`);
  if (balAsset!.some((i) => i < 0 || i >= assets!.length)) bad('balanceAsset', `expected indices of balanceAssets (0 to ${assets!.length - 1})`);
  for (const [field, column] of [['cashUsd', cash], ['quantity', quantity], ['entryPrice', entry], ['amount', amount]] as const) {
    if (column!.some((x) => !Number.isFinite(x))) bad(field, 'expected finite numbers');
  }
  if (problems.length > 0) throw new InputError(problems);
}

/** `start`: accounts + 1 offsets from 0, never falling, ending at `items`. */
function offsets(field: string, start: Int32Array, accounts: number, items: number, bad: (field: string, message: string) => void): void {
  if (start.length !== accounts + 1) return bad(field, `expected accounts + 1 offsets (${accounts + 1}), got ${start.length}`);
  if (start[0] !== 0 || start[accounts] !== items) return bad(field, `expected offsets from 0 to ${items}, got ${start[0]} to ${start[accounts]}`);
  for (let a = 0; a < accounts; a++) if (start[a + 1] < start[a]) return bad(field, `offsets fall at account ${a}`);
}
