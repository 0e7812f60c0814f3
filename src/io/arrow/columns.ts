/**
 * Reading Arrow column data (apache-arrow `Data`) where it lies: validity bits, 32-bit list offsets, Float64 values
 * and strings (Utf8, LargeUtf8 or dictionary-encoded), each index taken through the data's own `offset`.
 */
import type { Data } from 'apache-arrow';
import type { ByteKeys } from './byte-keys.js';
import { firstNonUtf8 } from '../utf8.js';
import { InputError } from '../../errors.js';

/** Arrow type ids (apache-arrow `Type`), kept here so the readers need no value import of the package. */
export const TYPE = { Utf8: 5, Float: 3, Int: 2, List: 12, Struct: 13, Dictionary: -1, LargeUtf8: 20 } as const;

/** True when row i of `data` is not null. */
export function isValid(data: Data, i: number): boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return true;
  const bit = data.offset + i;
  return (data.nullBitmap[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** A column's typed values from its first row (`values` shifted by the data's offset). */
export function float64Values(data: Data): Float64Array {
  return (data.values as Float64Array).subarray(data.offset, data.offset + data.length);
}

/** A list column's offsets [row 0 … row length] (into its child). */
export function listOffsets(data: Data): Int32Array {
  return (data.valueOffsets as Int32Array).subarray(data.offset, data.offset + data.length + 1);
}

const decoder = new TextDecoder();

/** Reads a string column row by row: `get(i)` is the string or null. */
export interface StringColumn {
  get(i: number): string | null;
  /** The distinct strings and each row's index in them (−1: null), when the column is dictionary-encoded. */
  dictionary?: { values: (string | null)[]; indices: Int32Array } | undefined;
  /** A plain Utf8 column's bytes and its rows' offsets into them (row i: [offsets[i], offsets[i + 1])). */
  raw?: { bytes: Uint8Array; offsets: Int32Array } | undefined;
  /** True when no row is null. */
  nullFree?: boolean | undefined;
}

export function stringColumn(data: Data): StringColumn {
  const dictionary = (data as Data & { dictionary?: { data: Data[]; length: number } | undefined }).dictionary;
  if (dictionary !== undefined) {
    const values: (string | null)[] = [];
    for (const chunk of dictionary.data) {
      // a dictionary that claims more strings than its buffers hold (a malformed file) is never read string by string
      if (rowsHeld(chunk) < chunk.length) throw new DictionaryIndexError(-1, chunk.length, Math.max(0, rowsHeld(chunk)));
      let column: StringColumn;
      try {
        column = stringColumn(chunk);
      } catch (error) {
        if (!(error instanceof InvalidStringError)) throw error;
        throw new InvalidStringError(-1, error.message.startsWith('string offsets') ? `a string of its dictionary: ${error.message}` : undefined);
      }
      for (let i = 0; i < chunk.length; i++) values.push(column.get(i));
    }
    const raw = data.values as Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | BigInt64Array;
    let indices: Int32Array;
    // Int32 indices without nulls (what writers use) are read where they lie; others are widened, nulls made −1
    if (data.nullCount === 0 && raw instanceof Int32Array) indices = raw.subarray(data.offset, data.offset + data.length);
    else {
      indices = new Int32Array(data.length);
      if (data.nullCount === 0 && !(raw instanceof BigInt64Array)) for (let i = 0; i < data.length; i++) indices[i] = raw[data.offset + i] as number;
      else for (let i = 0; i < data.length; i++) indices[i] = isValid(data, i) ? Math.max(-2, Math.min(0x7fffffff, Number(raw[data.offset + i]))) : -1;
    }
    checkIndices(indices, values.length, data.nullCount > 0);
    return { get: (i) => (indices[i] < 0 ? null : values[indices[i]]), dictionary: { values, indices }, nullFree: data.nullCount === 0 };
  }
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const bytes = data.values as Uint8Array;
  const at = (i: number) => Number(offsets[data.offset + i]);
  // each row a range of the bytes: offsets that fall back (a damaged file) would read one string as the next ones and
  // another as empty
  const held = bytes?.length ?? 0, end = at(data.length), size = end >= 0 && end <= held ? end : held; // the rows' bytes (the buffer is padded)
  for (let i = 0, from = at(0); i < data.length; i++) {
    const to = at(i + 1);
    if (from < 0 || to < from || to > size) throw new InvalidStringError(i, `string offsets ${from} … ${to} are not a range of the column's ${size} bytes (a malformed Arrow file)`);
    from = to;
  }
  // the Utf8 type's strings are UTF-8: one that is not is refused, not read with U+FFFD in place of its bytes (an id
  // that is not the file's); ASCII bytes (ids usually are) need no more than one look
  if (!asciiBytes(bytes, at(0), at(data.length))) {
    for (let i = 0; i < data.length; i++) if (firstNonUtf8(bytes, at(i), at(i + 1)) >= 0) throw new InvalidStringError(i);
  }
  // on the first read of a row, one decode of the rows' bytes when they are ASCII (ids usually are): each string is
  // then a slice of it (a column read through `raw` only is never decoded)
  const first = at(0), last = at(data.length);
  let text: string | undefined, ascii = true;
  const decodeAll = () => {
    for (let b = first; b < last && ascii; b++) ascii = bytes[b] < 0x80;
    return ascii ? decoder.decode(bytes.subarray(first, last)) : '';
  };
  const raw = offsets instanceof Int32Array ? { bytes, offsets: offsets.subarray(data.offset, data.offset + data.length + 1) } : undefined;
  const nullFree = data.nullCount === 0;
  return {
    raw,
    nullFree,
    get: (i) => {
      if (!nullFree && !isValid(data, i)) return null;
      text ??= decodeAll();
      return ascii ? text.slice(at(i) - first, at(i + 1) - first) : decoder.decode(bytes.subarray(at(i), at(i + 1)));
    },
  };
}

/** Row `row` of a string column (−1: a string of its dictionary) is not UTF-8, or not a range of the column's bytes. */
export class InvalidStringError extends Error {
  constructor(readonly row: number, message?: string) {
    super(message ?? (row < 0 ? 'a string of its dictionary is not valid UTF-8 (a malformed Arrow file)' : 'not valid UTF-8 (a malformed Arrow file: Utf8 strings are UTF-8)'));
  }
}

/** True when bytes[from, to) are all ASCII. */
function asciiBytes(bytes: Uint8Array, from: number, to: number): boolean {
  for (let b = from; b < to; b++) if (bytes[b] >= 0x80) return false;
  return true;
}

/** A dictionary index that is not one of its dictionary's strings: the file is malformed (the reader names the value's path). */
export class DictionaryIndexError extends Error {
  /** `row` −1: the dictionary itself claims `index` strings and its buffers hold `size`. */
  constructor(readonly row: number, readonly index: number, readonly size: number) {
    super(row < 0
      ? `its dictionary claims ${index} strings and its buffers hold ${size} (a malformed Arrow file)`
      : `dictionary index ${index} is outside its dictionary of ${size} strings (a malformed Arrow file)`);
  }
}

/**
 * Every index in [0, size), or −1 where `nullable` (a null): else DictionaryIndexError at the first other. A writer
 * checks nothing of the kind and apache-arrow reads what it is given, so an index past the dictionary would otherwise
 * read as no string, or as another row's once mapped through an array.
 */
function checkIndices(indices: Int32Array, size: number, nullable: boolean): void {
  for (let i = 0; i < indices.length; i++) {
    if ((indices[i] >>> 0) >= size && !(nullable && indices[i] === -1)) throw new DictionaryIndexError(i, indices[i], size);
  }
}

/**
 * Each row's index in `index` (−1: not there, −2: null), reading a dictionary once instead of each row, and the bytes
 * of a plain Utf8 column without nulls through `keys` (the same index by UTF-8 bytes) without a string per row.
 * Written into `out` (at least `length` long; default: a new array).
 */
export function indexedColumn(column: StringColumn, length: number, index: ReadonlyMap<string, number>, keys?: ByteKeys, out: Int32Array = new Int32Array(length)): Int32Array {
  if (keys && column.raw && column.nullFree) return keys.rows(column.raw.bytes, column.raw.offsets, length, out);
  if (column.dictionary) {
    const map = Int32Array.from(column.dictionary.values, (v) => (v === null ? -2 : index.get(v) ?? -1));
    const indices = column.dictionary.indices;
    // a dictionary in the index's own order (what write-book.ts writes) without nulls: its indices are the rows
    if (column.nullFree && map.every((row, j) => row === j)) return indices.subarray(0, length);
    for (let i = 0; i < length; i++) out[i] = indices[i] < 0 ? -2 : map[indices[i]];
    return out;
  }
  for (let i = 0; i < length; i++) {
    const value = column.get(i);
    out[i] = value === null ? -2 : index.get(value) ?? -1;
  }
  return out;
}

/**
 * How many rows `data`'s buffers hold: a string or list column's offsets (and, for strings, the bytes they reach), a
 * struct its own length (its fields are checked each), any other column its values (a dictionary's indices).
 */
function rowsHeld(data: Data): number {
  const type = data.typeId as number;
  if (type === TYPE.Struct) return data.length;
  if (type === TYPE.Utf8 || type === TYPE.LargeUtf8 || type === TYPE.List) {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array | null | undefined;
    if (!offsets || offsets.length === 0) return 0;
    const rows = offsets.length - 1 - data.offset;
    const bytes = data.values as Uint8Array | null | undefined;
    const size = bytes?.length ?? 0;
    if (type === TYPE.List || rows < data.length || Number(offsets[data.offset + data.length]) <= size) return rows;
    // the strings run past the bytes: the rows held are those before the first that ends past them (a malformed file)
    let held = 0;
    while (held < data.length && Number(offsets[data.offset + held + 1]) <= size) held++;
    return held;
  }
  const values = data.values as ArrayLike<unknown> | null | undefined;
  return (values?.length ?? 0) - data.offset;
}

/**
 * An InputError at `path` when `data`'s buffers hold fewer rows than it says it has (a malformed file: apache-arrow
 * reads what it is given, and a row past the buffers reads as no value at all).
 */
export function checkRows(data: Data, path: string): void {
  const held = rowsHeld(data);
  if (held < data.length) throw new InputError([{ path, message: `its buffers hold ${Math.max(0, held)} of its ${data.length} rows (a malformed Arrow file)` }]);
}

/** A list column (positions, collateral): its rows' offsets into its items, and the items' fields by name. */
export interface ListColumn {
  offsets: Int32Array;
  list: Data;
  item: Data;
  field(name: string): Data | undefined;
}

/** The list column of `data` (undefined: no such column), its shape checked before ({@link checkList}). */
export function listColumn(data: Data | undefined): ListColumn | undefined {
  if (!data) return undefined;
  const item = data.children[0];
  const names = fieldNames(item);
  return { offsets: listOffsets(data), list: data, item, field: (name) => (names.includes(name) ? item.children[names.indexOf(name)] : undefined) };
}

/**
 * A list column's shape: its buffers and its items' fields' hold their rows, and its offsets rise from row to row
 * within its items (a writer checks nothing of the kind, nor does apache-arrow). Else an InputError at the column's
 * path or the first bad row's (`pathOf(row)`): never rows read from another's items or from past the column.
 */
export function checkList(data: Data, pathOf: (row: number) => string, columnPath: string): void {
  const item = data.children[0];
  checkRows(data, columnPath);
  fieldNames(item).forEach((name, k) => checkRows(item.children[k], `${columnPath}.${name}`));
  const offsets = listOffsets(data);
  for (let i = 0; i < data.length; i++) {
    if (offsets[i] < 0 || offsets[i + 1] < offsets[i] || offsets[i + 1] > item.length) {
      throw new InputError([{ path: pathOf(i), message: `list offsets ${offsets[i]} … ${offsets[i + 1]} are not a range of the column's ${item.length} items (a malformed Arrow file)` }]);
    }
  }
}

function fieldNames(struct: Data): string[] {
  return (struct.type as { children: { name: string }[] }).children.map((c) => c.name);
}

/**
 * A string column; a dictionary index past its dictionary is an InputError at the path of the value read
 * (`pathOf(row)`), a dictionary short of its strings one at the column's (`columnPath`).
 */
export function stringAt(data: Data, pathOf: (row: number) => string, columnPath: string): StringColumn {
  try {
    return stringColumn(data);
  } catch (error) {
    if (error instanceof DictionaryIndexError || error instanceof InvalidStringError) throw new InputError([{ path: error.row < 0 ? columnPath : pathOf(error.row), message: error.message }]);
    throw error;
  }
}

/**
 * The path of item row r of a list column: `accounts[a].<list>[k].<field>` (the last account whose items start at or
 * before r). A batch cut from a bigger one (row-range.ts) shares its items, and a check of them may find a row of a
 * later part: the search runs over the whole batch's offsets, its account counted from the part's `first`.
 */
export function itemPath(list: ListColumn, first: number, name: string, field: string): (row: number) => string {
  return (r) => {
    const offsets = list.list.valueOffsets as Int32Array, base = first - list.list.offset;
    let lo = 0, hi = offsets.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= r) lo = mid;
      else hi = mid - 1;
    }
    return `accounts[${base + lo}].${name}[${r - offsets[lo]}].${field}`;
  };
}
