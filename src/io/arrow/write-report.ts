/**
 * A margin report as Arrow IPC (docs/arrow.md, "Reports"): one row per account with the report's columns (id, status,
 * status reason, the summary figures as Float64 — health and efficiency keep ±Infinity, where JSON writes null; an
 * account in status error has them null — and
 * the optional keys some row has), and everything else of the report (method, valuation time, backend, profile,
 * totals, warnings, the subaccount roll-up) as JSON in the schema metadata. Read from the columnar report
 * (src/margin/columnar-report.ts), a record batch of rows at a time.
 */
import type { Data, RecordBatch, Schema, Vector } from 'apache-arrow';
import { asColumnar, type ColumnarMarginReport, type OptionalKey } from '../../margin/columnar-report.js';
import type { MarginReport } from '../../margin/report.js';
import { figureModel } from '../../margin/figure-model.js';
import type { FigureName } from '../../margin/figures.js';
import { STATUS } from '../../margin/status.js';
import { type Arrow, loadArrow } from './load.js';
import { textData, utf8Data } from './utf8.js';
import { ByteText } from '../byte-text.js';

/** Schema metadata key of the report's head, totals and the rest (JSON). */
export const REPORT_KEY = 'margin-core:report';
/** Rows per record batch. */
export const ROWS_PER_BATCH = 65_536;

const STRING_KEYS: readonly OptionalKey[] = ['master', 'method', 'error', 'marginCurrency'];

/** The report's schema and its record batches, in order. */
export function arrowReport(arrow: Arrow, c: ColumnarMarginReport, rowsPerBatch = ROWS_PER_BATCH): { schema: Schema; batches: () => Generator<RecordBatch> } {
  const schema = reportSchema(arrow, reportHead(c.report), c.optionalKeys);
  const names = statusNames(arrow);
  function* batches(): Generator<RecordBatch> {
    for (let from = 0; from < c.count; from += rowsPerBatch) yield reportBatch(arrow, schema, c, from, Math.min(c.count, from + rowsPerBatch), names);
  }
  return { schema, batches };
}

/** Everything of the report but its rows (method, valuation time, backend, profile, totals, warnings, …), in its key order. */
export function reportHead(report: object): Record<string, unknown> {
  const head: Record<string, unknown> = {};
  for (const key of Object.keys(report)) if (key !== 'accounts') head[key] = (report as Record<string, unknown>)[key];
  return head;
}

/** The report's schema: the row columns with the optional ones `optional` names, `head` as JSON in the metadata. */
export function reportSchema(arrow: Arrow, head: Record<string, unknown>, optional: readonly OptionalKey[]): Schema {
  const A = arrow;
  const figures = figureModel().names as readonly FigureName[]; // the figure table's (src/margin/figures.ts), in row order
  return new A.Schema([
    new A.Field('id', new A.Utf8(), false),
    ...(optional.includes('master') ? [new A.Field('master', new A.Utf8(), true)] : []),
    new A.Field('status', statusType(A), false),
    new A.Field('statusReason', new A.Utf8(), false),
    // nullable: an account in status error has no figures (null, as JSON writes them), never NaN
    ...figures.map((name) => new A.Field(name, new A.Float64(), true)),
    ...optional.filter((k) => k !== 'master').map((k) => new A.Field(k, STRING_KEYS.includes(k) ? new A.Utf8() : new A.Float64(), true)),
  ], new Map([[REPORT_KEY, JSON.stringify(head)]]));
}

/** The status column's type: the status names as a dictionary (id 0) of Int8 codes. */
function statusType(A: Arrow) {
  return new A.Dictionary(new A.Utf8(), new A.Int8(), 0);
}

/** The status column's dictionary: the status names, made once per report. */
export function statusNames(A: Arrow): Vector {
  return A.vectorFromArray([...STATUS], new A.Utf8());
}

/**
 * Rows [from, to) of `c` as a record batch of `schema` (its columns: {@link reportSchema}), statuses in `names`
 * ({@link statusNames}). `owned`: the figures and statuses copied, for a batch kept past the columns' next use; else
 * views of the columns, for a batch written at once.
 */
export function reportBatch(arrow: Arrow, schema: Schema, c: ColumnarMarginReport, from: number, to: number, names: Vector, owned = false): RecordBatch {
  const A = arrow, n = to - from, columns = c.columns;
  const pick = (key: OptionalKey) => Array.from({ length: n }, (_, i) => c.value(from + i, key));
  const strings = (values: readonly (string | null | undefined)[]) => utf8Data(A, values);
  const f64 = (values: Float64Array) => withoutNaN(A, values);
  const children: Data[] = [];
  const figures = new Set<string>(figureModel().names);
  for (const field of schema.fields) {
    const name = field.name as OptionalKey | FigureName | 'id' | 'status' | 'statusReason';
    if (name === 'id') children.push(columns.idText ? textData(A, columns.idText, from, to) : strings(columns.ids.slice(from, to)));
    else if (name === 'status') children.push(A.makeData({ type: field.type, length: n, data: owned ? columns.status.slice(from, to) : new Int8Array(columns.status.buffer, columns.status.byteOffset + from, n), dictionary: names } as never));
    else if (name === 'statusReason') children.push(statusReasons(A, c, from, n));
    else if (figures.has(name)) children.push(f64(owned ? columns[name as FigureName].slice(from, to) : columns[name as FigureName].subarray(from, to)));
    else if (!c.optionalKeys.includes(name as OptionalKey)) children.push(nulls(A, field.type as never, n)); // no row has it: no value to read
    else if (STRING_KEYS.includes(name as OptionalKey)) children.push(strings(pick(name as OptionalKey) as (string | undefined)[]));
    else children.push(A.vectorFromArray(pick(name as OptionalKey).map((v) => (v as number | undefined) ?? null), new A.Float64()).data[0]);
  }
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: n, children }));
}

/**
 * A Float64 column of `values`, a NaN (the figures of an account in status error) null: a validity bitmap only when
 * some value is.
 */
function withoutNaN(A: Arrow, values: Float64Array): Data {
  const n = values.length;
  let first = 0;
  while (first < n && values[first] === values[first]) first++;
  if (first === n) return A.makeData({ type: new A.Float64(), length: n, data: values });
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i])) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  }
  return A.makeData({ type: new A.Float64(), length: n, nullCount, nullBitmap, data: values });
}

/** A column of `n` nulls (Utf8 or Float64): a zero validity bitmap, no values read. */
function nulls(A: Arrow, type: InstanceType<Arrow['Utf8']> | InstanceType<Arrow['Float64']>, n: number): Data {
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  if (type instanceof A.Utf8) return A.makeData({ type, length: n, nullCount: n, nullBitmap, valueOffsets: new Int32Array(n + 1), data: new Uint8Array(0) });
  return A.makeData({ type: type as InstanceType<Arrow['Float64']>, length: n, nullCount: n, nullBitmap, data: new Float64Array(n) });
}

/** Rows [from, from + n)'s status reasons as a Utf8 column, written as bytes (pooled ones make no string). */
function statusReasons(A: Arrow, c: ColumnarMarginReport, from: number, n: number): Data {
  const out = new ByteText(64 * n + 256), offsets = new Int32Array(n + 1);
  c.writeStatusReasons(from, n, out, offsets.subarray(1));
  return A.makeData({ type: new A.Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: out.take() });
}

/** The report (a margin report, or its columnar view) as Arrow IPC bytes (`file` format). */
export async function writeArrowReport(report: ColumnarMarginReport | MarginReport, format: 'file' | 'stream' = 'file'): Promise<Uint8Array> {
  const c = asColumnar(report, 'writeArrowReport');
  if (format !== 'file' && format !== 'stream') throw new TypeError(`writeArrowReport: format is 'file' or 'stream', got ${JSON.stringify(format) ?? String(format)}`);
  const A = await loadArrow();
  const { schema, batches } = arrowReport(A, c);
  return A.tableToIPC(new A.Table(schema, [...batches()]), format);
}
