/**
 * A margin report as Arrow IPC (docs/arrow.md, "Reports"): one row per account with the report's columns (id, status,
 * status reason, the summary figures as Float64 — health and efficiency keep ±Infinity, where JSON writes null — and
 * the optional keys some row has), and everything else of the report (method, valuation time, backend, profile,
 * totals, warnings, the subaccount roll-up) as JSON in the schema metadata. Read from the columnar report
 * (src/margin/columnar-report.ts), a record batch of rows at a time.
 */
import type { Data, RecordBatch, Schema } from 'apache-arrow';
import type { ColumnarMarginReport, OptionalKey } from '../../margin/columnar-report.js';
import { figureModel } from '../../margin/figure-model.js';
import type { FigureName } from '../../margin/figures.js';
import { STATUS } from '../../margin/status.js';
import { type Arrow, loadArrow } from './load.js';
import { utf8Data } from './utf8.js';
import { ByteText } from '../byte-text.js';

/** Schema metadata key of the report's head, totals and the rest (JSON). */
export const REPORT_KEY = 'margin-core:report';
/** Rows per record batch. */
export const ROWS_PER_BATCH = 65_536;

const STRING_KEYS: readonly OptionalKey[] = ['master', 'method', 'error'];

/** The report's schema and its record batches, in order. */
export function arrowReport(arrow: Arrow, c: ColumnarMarginReport, rowsPerBatch = ROWS_PER_BATCH): { schema: Schema; batches: () => Generator<RecordBatch> } {
  const A = arrow;
  const status = new A.Dictionary(new A.Utf8(), new A.Int8(), 0);
  const head: Record<string, unknown> = {};
  for (const key of Object.keys(c.report)) if (key !== 'accounts') head[key] = (c.report as unknown as Record<string, unknown>)[key];
  const optional = c.optionalKeys;
  const figures = figureModel().names as readonly FigureName[]; // the figure table's (src/margin/figures.ts), in row order
  const schema = new A.Schema([
    new A.Field('id', new A.Utf8(), false),
    ...(optional.includes('master') ? [new A.Field('master', new A.Utf8(), true)] : []),
    new A.Field('status', status, false),
    new A.Field('statusReason', new A.Utf8(), false),
    ...figures.map((name) => new A.Field(name, new A.Float64(), false)),
    ...optional.filter((k) => k !== 'master').map((k) => new A.Field(k, STRING_KEYS.includes(k) ? new A.Utf8() : new A.Float64(), true)),
  ], new Map([[REPORT_KEY, JSON.stringify(head)]]));
  const statusNames = A.vectorFromArray([...STATUS], new A.Utf8());
  function* batches(): Generator<RecordBatch> {
    const columns = c.columns;
    for (let from = 0; from < c.count; from += rowsPerBatch) {
      const to = Math.min(c.count, from + rowsPerBatch), n = to - from;
      const pick = (key: OptionalKey) => Array.from({ length: n }, (_, i) => c.value(from + i, key));
      const strings = (values: readonly (string | null | undefined)[]) => utf8Data(A, values);
      const f64 = (values: Float64Array) => A.makeData({ type: new A.Float64(), length: n, data: values });
      const children: Data[] = [strings(columns.ids.slice(from, to))];
      if (optional.includes('master')) children.push(strings(pick('master') as (string | undefined)[]));
      children.push(A.makeData({ type: status, length: n, data: new Int8Array(columns.status.buffer, columns.status.byteOffset + from, n), dictionary: statusNames } as never));
      children.push(statusReasons(A, c, from, n));
      for (const name of figures) children.push(f64(columns[name].subarray(from, to))); // views: the columns outlive the write
      for (const key of optional) {
        if (key === 'master') continue;
        if (STRING_KEYS.includes(key)) children.push(strings(pick(key) as (string | undefined)[]));
        else children.push(A.vectorFromArray(pick(key).map((v) => (v as number | undefined) ?? null), new A.Float64()).data[0]);
      }
      yield new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: n, children }));
    }
  }
  return { schema, batches };
}

/** Rows [from, from + n)'s status reasons as a Utf8 column, written as bytes (pooled ones make no string). */
function statusReasons(A: Arrow, c: ColumnarMarginReport, from: number, n: number): Data {
  const out = new ByteText(64 * n + 256), offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    c.writeStatusReason(from + i, out);
    offsets[i + 1] = out.length;
  }
  return A.makeData({ type: new A.Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: out.take() });
}

/** The report as Arrow IPC bytes (`file` format). */
export async function writeArrowReport(c: ColumnarMarginReport, format: 'file' | 'stream' = 'file'): Promise<Uint8Array> {
  const A = await loadArrow();
  const { schema, batches } = arrowReport(A, c);
  return A.tableToIPC(new A.Table(schema, [...batches()]), format);
}
