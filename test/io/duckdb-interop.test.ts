/**
 * Interop: a book produced by a general tool, margined by margin-core. DuckDB (its Node API) reads the book's JSON,
 * reshapes every account with SQL into the Arrow book's columns (schemas/book.arrow.md: positions and balances as lists
 * of structs, amounts cast to DOUBLE) and hands the result over; apache-arrow, the reference JavaScript implementation,
 * writes it as Arrow IPC (DuckDB writes Arrow IPC only through its nanoarrow extension, which is downloaded on first use:
 * not available offline). margin-core reads that file and margins it to the same report bytes as the JSON book.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample } from '../../src/index.js';
import { readArrowBook } from '../../src/io/arrow/read-book.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-duckdb-');

describe('a book written through DuckDB', () => {
  it('is margined to the same report bytes as the JSON book it came from, on every backend', async () => {
    const sample = generateSample({ accounts: 250, seed: 17, positionsPerAccount: 4 });
    const bookJson = join(dir, 'book.json');
    writeFileSync(bookJson, JSON.stringify(sample.book));

    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const result = await connection.runAndReadAll(`
      SELECT a.id AS id,
             list_transform(coalesce(a.positions, []), p -> {'instrument': p.instrument, 'quantity': p.quantity::DOUBLE, 'entryPrice': p.entryPrice::DOUBLE}) AS positions,
             list_transform(coalesce(a.collateral, []), c -> {'asset': c.asset, 'amount': c.amount::DOUBLE}) AS collateral,
             0.0::DOUBLE AS "cashUsd"
      FROM (SELECT unnest(accounts) AS a FROM read_json('${bookJson}', maximum_object_size = 1e8))`);
    const columns = result.getColumnsObjectJS() as Record<string, unknown[]>;
    connection.closeSync();

    const position = new A.Struct([new A.Field('instrument', new A.Utf8()), new A.Field('quantity', new A.Float64()), new A.Field('entryPrice', new A.Float64())]);
    const balance = new A.Struct([new A.Field('asset', new A.Utf8()), new A.Field('amount', new A.Float64())]);
    const table = new A.Table({
      id: A.vectorFromArray(columns.id as string[], new A.Utf8()),
      positions: A.vectorFromArray(columns.positions, new A.List(new A.Field('item', position))),
      collateral: A.vectorFromArray(columns.collateral, new A.List(new A.Field('item', balance))),
      cashUsd: A.vectorFromArray(columns.cashUsd as number[], new A.Float64()),
    });
    table.schema.metadata.set('margin-core:instruments', JSON.stringify(sample.book.instruments));
    expect(table.numRows).toBe(250);
    const book = await readArrowBook(A.tableToIPC(table, 'file'));

    for (const backend of ['js', 'wasm'] as const) {
      const engine = await createEngine({ backend });
      for (const method of ['cross', 'portfolio']) {
        expect(JSON.stringify(engine.margin(book, sample.market, { method }))).toBe(JSON.stringify(engine.margin(sample.book, sample.market, { method })));
      }
    }
  });
});
