/**
 * The Arrow IPC book (schemas/book.arrow.md): one table, one row per account, its positions and balances as lists of
 * structs (CSR in Arrow's own layout: the list offsets are the accounts' runs), the instruments (few, and of every
 * shape) as the book format's JSON in the schema metadata. These are the names and types the reader checks.
 */
import type { DataType, Field } from 'apache-arrow';
import { TYPE } from './columns.js';

/** Schema metadata key holding the instruments: the JSON array of book.json's `instruments`. */
export const INSTRUMENTS_KEY = 'margin-core:instruments';
/** Schema metadata key naming the format version ("1"). */
export const VERSION_KEY = 'margin-core:book';
export const BOOK_VERSION = '1';

export type ColumnKind = 'string' | 'float64' | 'positions' | 'collateral';

/** Top-level columns: name → kind and whether it must be there. */
export const ACCOUNT_COLUMNS: Readonly<Record<string, { kind: ColumnKind; required: boolean }>> = {
  id: { kind: 'string', required: true },
  positions: { kind: 'positions', required: false },
  collateral: { kind: 'collateral', required: false },
  cashUsd: { kind: 'float64', required: false },
  master: { kind: 'string', required: false },
  method: { kind: 'string', required: false },
  marginCurrency: { kind: 'string', required: false },
};

/** Fields of a position struct and of a balance struct. */
export const POSITION_FIELDS: Readonly<Record<string, { kind: 'string' | 'float64'; required: boolean }>> = {
  instrument: { kind: 'string', required: true },
  quantity: { kind: 'float64', required: true },
  entryPrice: { kind: 'float64', required: true },
  isolatedMargin: { kind: 'float64', required: false },
};
export const BALANCE_FIELDS: Readonly<Record<string, { kind: 'string' | 'float64'; required: boolean }>> = {
  asset: { kind: 'string', required: true },
  amount: { kind: 'float64', required: true },
  location: { kind: 'string', required: false },
};

/** Why `type` is not of `kind`, or null. */
export function typeProblem(type: DataType, kind: 'string' | 'float64'): string | null {
  if (kind === 'float64') {
    const ok = type.typeId === TYPE.Float && (type as DataType & { precision: number }).precision === 2;
    return ok ? null : `expected Float64 (double), got ${String(type)}: cast it (e.g. DuckDB: ::DOUBLE)`;
  }
  if (type.typeId === TYPE.Utf8 || type.typeId === TYPE.LargeUtf8) return null;
  if (type.typeId === TYPE.Dictionary) {
    const value = (type as DataType & { dictionary: DataType }).dictionary;
    if (value.typeId === TYPE.Utf8 || value.typeId === TYPE.LargeUtf8) return null;
  }
  return `expected a string (Utf8, LargeUtf8 or a dictionary of Utf8), got ${String(type)}`;
}

/** The struct fields of a `List<Struct<…>>` column, or why it is not one. */
export function listOfStruct(field: Field): readonly Field[] | string {
  const type = field.type as DataType & { children?: Field[] | undefined };
  if (type.typeId !== TYPE.List) return `expected a list of structs, got ${String(type)}`;
  const item = type.children?.[0]?.type as (DataType & { children?: Field[] | undefined }) | undefined;
  if (!item || item.typeId !== TYPE.Struct) return `expected a list of structs, got ${String(type)}`;
  return item.children ?? [];
}
