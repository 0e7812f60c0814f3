/**
 * The report writer thread (src/cli/report-writer.ts), run as the CLI runs it (a worker of the built bundle,
 * dist/cli.js): a report whose file cannot be opened fails as the same InputError at `--out` the command's thread
 * would throw, by the command's next call, and leaves no file; the chunks it is given are written in order, the file
 * the bytes of `JSON.stringify(report, null, 2)` of the book margined whole, and an Arrow report the table the
 * command's thread writes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { createEngine, type Engine, generateSample } from '../src/index.js';
import { writerSink } from '../src/cli/report-writer.js';
import { ReportStream } from '../src/cli/report-stream.js';
import { columnarReport } from '../src/margin/columnar-report.js';
import { writeArrowReport } from '../src/io/arrow/write-report.js';
import { CLI } from './support/cli.js';
import { scratchDir } from './support/scratch-dir.js';

const dir = scratchDir('mc-report-writer-');
const engine = await createEngine({ backend: 'js' });
const sample = generateSample({ accounts: 90, seed: 3 });
/** The book's report in three chunks of 30 accounts (margined alone: each account's row is the whole book's). */
const chunks = [0, 30, 60].map((from) => engine.margin({ ...sample.book, accounts: sample.book.accounts.slice(from, from + 30) }, sample.market, { method: 'cross' }));

describe('the report writer thread', () => {
  it('a file that cannot be opened: the InputError at --out, thrown by a later call; nothing left behind', async () => {
    const path = join(dir, 'no-such-folder', 'report.json');
    const sink = writerSink(CLI, { format: 'json', path });
    const failure = await (async () => {
      for (const report of chunks) await sink.rows(columnarReport(report));
    })().catch((error: unknown) => error);
    await sink.discard();
    expect(failure).toBeInstanceOf(InputError);
    expect((failure as InputError).problems[0]).toMatchObject({ path: '--out', message: expect.stringContaining(`cannot write ${path}`) });
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('JSON: the chunks\' rows in order, the bytes of the book\'s report; Arrow: its table (WASM and JS, three methods)', async () => {
    for (const backend of ['wasm', 'js'] as const) {
      const on = await createEngine({ backend });
      for (const method of ['cross', 'isolated', 'portfolio']) await writesTheBook(on, method, `${backend}-${method}`);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

/** The book margined in three chunks, written by the writer thread, against the book margined whole. */
async function writesTheBook(on: Engine, method: string, name: string): Promise<void> {
  const whole = on.margin(sample.book, sample.market, { method });
  const parts = [0, 30, 60].map((from) => on.margin({ ...sample.book, accounts: sample.book.accounts.slice(from, from + 30) }, sample.market, { method }));
  for (const format of ['json', 'arrow'] as const) {
    const path = join(dir, `${name}.${format}`);
    const stream = new ReportStream(async () => writerSink(CLI, { format, path }));
    for (const report of parts) await stream.add(report);
    await stream.end();
    if (format === 'json') expect(readFileSync(path, 'utf8'), name).toBe(`${JSON.stringify(whole, null, 2)}\n`);
    else {
      const rows = (bytes: Uint8Array) => A.tableFromIPC(bytes).toArray().map((row) => row.toJSON());
      expect(rows(readFileSync(path)), name).toEqual(rows(await writeArrowReport(columnarReport(whole))));
    }
  }
}
