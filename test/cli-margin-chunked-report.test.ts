/**
 * `margin --format json|arrow` on a book read in chunks writes its report as it margins (src/cli/report-stream.ts):
 * with chunks of 50 accounts (the hidden --chunk-accounts; an Arrow book of batches of 16) the JSON report is the bytes
 * of the same book margined whole, the Arrow report its table and metadata; an id repeated across chunks is refused,
 * naming both accounts, and leaves no report file. A JSON report to a file is written on a writer thread
 * (src/cli/report-writer.ts; an Arrow one only with a third core), one to stdout in the command's thread: the same
 * bytes; a failed write on the writer thread exits as one in the command's thread. The chunked runs overwrite each
 * chunk's positions as they are given back to the reader (MARGIN_CORE_CHECK_RELEASED, src/cli/read-ahead.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { generateSample } from '../src/index.js';
import { writeArrowBook } from '../src/io/arrow/write-book.js';
import { validateBook } from '../src/model/validate.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { CLI, marginCore, marginCoreWith } from './support/cli.js';

const CHECKED = { MARGIN_CORE_CHECK_RELEASED: '1' };
import { scratchDir } from './support/scratch-dir.js';

const dir = scratchDir('mc-chunked-report-');
const sample = generateSample({ accounts: 230, seed: 11 });
const bookJson = join(dir, 'book.json'), market = join(dir, 'market.json'), bookArrow = join(dir, 'book.arrow'), repeated = join(dir, 'repeated.arrow');
writeFileSync(bookJson, JSON.stringify(sample.book));
writeFileSync(market, JSON.stringify(sample.market));
writeFileSync(bookArrow, await writeArrowBook(validateBook(sample.book), { accountsPerBatch: 16 }));
const twice = validateBook(sample.book);
(twice.accounts[200] as { id: string }).id = twice.accounts[3].id;
writeFileSync(repeated, await writeArrowBook(twice, { accountsPerBatch: 16 }));

/** An Arrow report's metadata and columns, row by row (null where a value is null). */
function table(path: string) {
  const t = A.tableFromIPC(readFileSync(path));
  return { metadata: t.schema.metadata.get('margin-core:report'), columns: Object.fromEntries(t.schema.fields.map((f) => [f.name, Array.from({ length: t.numRows }, (_, i) => t.getChild(f.name)!.get(i) as unknown)])) };
}

describe('margin --format json|arrow on a book read in chunks', () => {
  it('JSON: the bytes of the book margined whole; Arrow: the same table and totals (cross and portfolio)', async () => {
    for (const method of ['cross', 'portfolio']) {
      const whole = await marginCore('margin', '--book', bookJson, '--market', market, '--method', method, '--format', 'json');
      expect(whole.code).toBe(0);
      const out = join(dir, `${method}.json`);
      // each chunk's positions overwritten as they are given back to the reader (read-ahead.ts): a chunk read after it
      // was let go would show in the report
      const run = await marginCoreWith(CHECKED, 'margin', '--book', bookArrow, '--market', market, '--method', method, '--format', 'json', '--chunk-accounts', '50', '--out', out);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('230 accounts (streamed)');
      expect(readFileSync(out, 'utf8')).toBe(whole.stdout);
      const [chunked, single] = [join(dir, `${method}-chunked.arrow`), join(dir, `${method}-single.arrow`)];
      expect((await marginCoreWith(CHECKED, 'margin', '--book', bookArrow, '--market', market, '--method', method, '--format', 'arrow', '--chunk-accounts', '50', '--out', chunked)).code).toBe(0);
      expect((await marginCore('margin', '--book', bookArrow, '--market', market, '--method', method, '--format', 'arrow', '--out', single)).code).toBe(0);
      expect(table(chunked)).toEqual(table(single));
      expect(JSON.parse(table(chunked).metadata!).totals).toEqual(JSON.parse(whole.stdout).totals);
    }
  });

  it('an id repeated in a later chunk: refused with both accounts named, no report file and no temporary file left', async () => {
    const out = join(dir, 'refused.arrow');
    const run = await marginCore('margin', '--book', repeated, '--market', market, '--format', 'arrow', '--chunk-accounts', '50', '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`accounts[200].id: duplicate account id ${JSON.stringify(sample.book.accounts[3].id)} (first at accounts[3])`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a bad market while the book reader already reads (it starts first): the market\'s problem alone, exit 1, nothing left behind', async () => {
    const badMarket = join(dir, 'bad-market.json');
    writeFileSync(badMarket, '{"valuationTime": "2026-11-20T08:00:00Z", "prices": ');
    for (const [format, bad] of [['arrow', badMarket], ['table', badMarket], ['json', join(dir, 'missing-market.json')]] as const) {
      const out = join(dir, `report-with-bad-market.${format}`);
      const run = await marginCore('margin', '--book', bookArrow, '--market', bad, '--format', format, '--chunk-accounts', '50', '--out', out);
      expect(run.code, `${format}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toContain('--market');
      expect(run.stderr.split('\n').filter((line) => line.includes('--book'))).toEqual([]);
      expect(existsSync(out), `${format}: ${out}`).toBe(false);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a report written to a file (--out: JSON on the writer thread, Arrow where a core is spared) is the bytes of one written to stdout in the command\'s thread, WASM and JS', () => {
    for (const backend of ['wasm', 'js']) {
      for (const [format, method] of [['json', 'portfolio'], ['arrow', 'cross'], ['json', 'isolated']]) {
        const args = ['margin', '--book', bookArrow, '--market', market, '--method', method, '--format', format, '--backend', backend, '--chunk-accounts', '50'];
        const inThread = execFileSync(process.execPath, [CLI, ...args], { maxBuffer: 1 << 26 });
        const out = join(dir, `threaded-${backend}-${method}.${format}`);
        execFileSync(process.execPath, [CLI, ...args, '--out', out], { stdio: 'pipe' });
        expect(inThread.length).toBeGreaterThan(10_000); // 230 rows: several chunks
        expect(readFileSync(out).equals(inThread)).toBe(true);
      }
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a write that fails on the writer thread (a 50 KiB file-size limit): exit 1 naming EFBIG, the previous file whole, no temporary file', () => {
    const folder = join(dir, 'limited');
    mkdirSync(folder);
    const out = join(folder, 'report.json');
    writeFileSync(out, '{"previous":"report"}\n');
    const margin = `${JSON.stringify(process.execPath)} ${CLI} margin --book ${bookArrow} --market ${market} --format json --chunk-accounts 50 --out ${out}`;
    // bash's ulimit -f counts 1,024-byte blocks; the report is ~120 KB
    const failed = spawnSync('bash', ['-c', `ulimit -f 50; ${margin}`], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('EFBIG');
    expect(readFileSync(out, 'utf8')).toBe('{"previous":"report"}\n');
    expect(readdirSync(folder)).toEqual(['report.json']);
  });
});
