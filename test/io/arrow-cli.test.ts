/** The CLI's Arrow paths (docs/arrow.md): generate --format arrow, --book FILE.arrow everywhere, margin --format arrow. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { marginCore } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-arrow-cli-');
const json = join(dir, 'json'), arrow = join(dir, 'arrow');

describe('margin-core with Arrow books', () => {
  it('generate --format arrow writes DIR/book.arrow and DIR/market.json: the book generate writes as JSON', async () => {
    expect((await marginCore('generate', '--accounts', '600', '--positions', '4', '--out', json)).code).toBe(0);
    const run = await marginCore('generate', '--accounts', '600', '--positions', '4', '--format', 'arrow', '--out', arrow);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`margin-core: wrote ${join(arrow, 'book.arrow')} and ${join(arrow, 'market.json')}`);
    expect(run.stdout).toBe('');
    expect(readFileSync(join(arrow, 'market.json'), 'utf8')).toBe(readFileSync(join(json, 'market.json'), 'utf8'));
    const table = A.tableFromIPC(readFileSync(join(arrow, 'book.arrow')));
    expect(table.numRows).toBe(600);
  });

  it('margin, liquidate and stress read book.arrow to the bytes they give for book.json', async () => {
    for (const args of [['margin', '--format', 'json'], ['margin', '--format', 'csv', '--method', 'portfolio'], ['liquidate', '--format', 'json'], ['stress', '--shock', 'btc-crash', '--format', 'json']]) {
      const [command, ...rest] = args;
      const fromJson = await marginCore(command, '--book', join(json, 'book.json'), '--market', join(json, 'market.json'), ...rest);
      const fromArrow = await marginCore(command, '--book', join(arrow, 'book.arrow'), '--market', join(arrow, 'market.json'), ...rest);
      expect(fromArrow.code).toBe(fromJson.code);
      expect(fromArrow.stdout).toBe(fromJson.stdout);
    }
  });

  it('generate --coin-accounts: BTC-margined accounts in either format, every command the same bytes from both', async () => {
    const coinJson = join(dir, 'coin-json'), coinArrow = join(dir, 'coin-arrow');
    const made = await marginCore('generate', '--accounts', '300', '--coin-accounts', '40', '--out', coinJson);
    expect(made.stderr).toContain('(340 accounts, 40 of them BTC-margined, seed 7');
    expect((await marginCore('generate', '--accounts', '300', '--coin-accounts', '40', '--format', 'arrow', '--out', coinArrow)).code).toBe(0);
    const book = JSON.parse(readFileSync(join(coinJson, 'book.json'), 'utf8')) as { accounts: { marginCurrency?: string }[] };
    expect(book.accounts.filter((a) => a.marginCurrency === 'BTC')).toHaveLength(40);
    expect(A.tableFromIPC(readFileSync(join(coinArrow, 'book.arrow'))).getChild('marginCurrency')!.nullCount).toBe(300);
    for (const args of [['margin', '--format', 'json'], ['liquidate', '--format', 'json'], ['stress', '--shock', 'btc-crash', '--format', 'json']]) {
      const [command, ...rest] = args;
      const fromJson = await marginCore(command, '--book', join(coinJson, 'book.json'), '--market', join(coinJson, 'market.json'), ...rest);
      const fromArrow = await marginCore(command, '--book', join(coinArrow, 'book.arrow'), '--market', join(coinArrow, 'market.json'), ...rest);
      expect([fromArrow.code, fromJson.code]).toEqual([0, 0]);
      expect(fromArrow.stdout).toBe(fromJson.stdout);
    }
    expect((await marginCore('generate', '--accounts', '10', '--coin-accounts', '-1', '--out', coinJson)).code).toBe(2);
  });

  it('margin --format arrow writes the report\'s columns, the JSON report\'s rows', async () => {
    const out = join(dir, 'report.arrow');
    expect((await marginCore('margin', '--book', join(arrow, 'book.arrow'), '--market', join(arrow, 'market.json'), '--format', 'arrow', '--out', out)).code).toBe(0);
    const report = JSON.parse((await marginCore('margin', '--book', join(json, 'book.json'), '--market', join(json, 'market.json'), '--format', 'json')).stdout);
    const table = A.tableFromIPC(readFileSync(out));
    expect(table.numRows).toBe(report.accounts.length);
    expect(table.getChild('id')!.toArray()).toEqual(report.accounts.map((a: { id: string }) => a.id));
    expect(Array.from(table.getChild('im')!.toArray() as Float64Array)).toEqual(report.accounts.map((a: { im: number }) => a.im));
    expect(JSON.parse(table.schema.metadata.get('margin-core:report')!).totals).toEqual(report.totals);
  });

  it('a file that is not Arrow, --breakdown with --format arrow: one clear line each', async () => {
    const bad = join(dir, 'bad.arrow');
    writeFileSync(bad, '{"instruments": []}');
    const run = await marginCore('margin', '--book', bad, '--market', join(arrow, 'market.json'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--book: ${bad}: not an Arrow IPC file or stream`); // the file named
    const usage = await marginCore('margin', '--book', join(arrow, 'book.arrow'), '--market', join(arrow, 'market.json'), '--format', 'arrow', '--breakdown', '--out', join(dir, 'x.arrow'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--breakdown is written with --format json only');
  });

  it('a truncated Arrow file: the file named, read in chunks (margin) or whole (liquidate), one problem', async () => {
    const whole = readFileSync(join(arrow, 'book.arrow'));
    const cut = join(dir, 'cut.arrow');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2))); // the footer and half the batches gone
    for (const command of ['margin', 'liquidate']) {
      const run = await marginCore(command, '--book', cut, '--market', join(arrow, 'market.json'));
      expect([run.code, run.stdout], command).toEqual([1, '']);
      expect(run.stderr, command).toBe(`margin-core: invalid input (1 problem):\n  --book: ${cut}: not an Arrow IPC file or stream, or one cut short: the file does not end with the Arrow magic (its footer is missing)\n`);
    }
  });

  it('--breakdown with table or csv output is refused before any work (it is shown in JSON only)', async () => {
    for (const format of ['table', 'csv']) {
      const run = await marginCore('margin', '--sample', '--breakdown', '--format', format);
      expect([run.code, run.stdout], format).toEqual([2, '']);
      expect(run.stderr.split('\n')[0]).toBe(`error: --breakdown is written with --format json only (the ${format} report holds one summary row per account)`);
    }
  });
});
