/**
 * margin-core/io: books and reports in and out of the engine: venue imports (Deribit, CCXT: docs/data-import.md),
 * Arrow IPC books and reports and the columnar report (docs/arrow.md), the report as streamed JSON, and price
 * histories for dynamic margin (docs/dynamic-margin.md). apache-arrow is loaded on the first Arrow call.
 */
export { importDeribit, type DeribitImportOptions } from './import/deribit/index.js';
export { importCcxt, type CcxtImportOptions } from './import/ccxt/index.js';
export type { ImportResult } from './import/types.js';
export { readArrowBook, type ArrowBookOptions } from './io/arrow/read-book.js';
export { writeArrowBook, ArrowBookBatches } from './io/arrow/write-book.js';
export { writeArrowReport, arrowReport } from './io/arrow/write-report.js';
export { columnarReport, type ColumnarMarginReport } from './margin/columnar-report.js';
export { marginReportJson, marginReportJsonBytes } from './io/report-json.js';
export { columnarBook, type BookColumns } from './model/book-columns.js';
export { readHistory, type PriceHistory, type HistoryOptions } from './dynamic/history.js';
export { syntheticHistory, DEFAULT_SYNTHETIC_ASSET, type SyntheticHistoryOptions } from './dynamic/synthetic-history.js';
