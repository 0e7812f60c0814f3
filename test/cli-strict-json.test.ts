/**
 * The command line refuses what JSON.parse takes silently, in every file it reads (docs/book-format.md, "JSON text"):
 * a member name given twice (a quantity 0.5 then 500 was margined as 500; a second "BTC" in the market set its price)
 * and a number that underflows (a quantity of 1e-400 was a flat position), in small files and in books read streamed
 * (64 MB or more: here a small book padded with spaces). Exit 1, the path, the name or the value as written.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STREAMED_JSON_BYTES } from '../src/cli/io.js';
import { marginCore } from './support/cli.js';
import { book, market } from './support/margin-books.js';
import { scratchDir } from './support/scratch-dir.js';

const dir = scratchDir('mc-cli-strict-');
const BOOK = book(
  { id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: -21, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 3_000_000 }] },
  { id: 'b', positions: [{ instrument: 'ETH-PERP', quantity: 3, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] },
);
const MARKET = JSON.stringify(market(), null, 1);
/** The book's text with account b's quantity written as `quantity`. */
const bookText = (quantity: string) => JSON.stringify(BOOK, null, 1).replace('"quantity": 3', `"quantity": ${quantity}`);

let files = 0;
async function write(text: string): Promise<string> {
  const path = join(dir, `${files++}.json`);
  await writeFile(path, text);
  return path;
}

/** `text` padded after its first `{` with spaces to the size the CLI streams (written a piece at a time). */
async function writeStreamed(text: string | Buffer): Promise<string> {
  const path = join(dir, `${files++}-big.json`);
  const file = await open(path, 'w');
  try {
    await file.write('{');
    const spaces = Buffer.alloc(1 << 22, 0x20);
    for (let n = 0; n < STREAMED_JSON_BYTES; n += spaces.length) await file.write(spaces);
    if (typeof text === 'string') await file.write(text.slice(1));
    else await file.write(text.subarray(1));
  } finally {
    await file.close();
  }
  return path;
}

async function margin(bookPath: string, marketPath?: string) {
  return marginCore('margin', '--book', bookPath, '--market', marketPath ?? (await write(MARKET)), '--format', 'csv');
}

describe('a member name given twice', () => {
  it('in a small book: exit 1 naming the member, its object and both places (it was margined with the last)', async () => {
    const run = await margin(await write(bookText('0.5, "quantity": 500')));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/accounts\[1\]\.positions\[0\]\.quantity: \S+\.json:\d+:\d+: "quantity" is given twice in accounts\[1\]\.positions\[0\] \(first at \S+\.json:\d+:\d+\): JSON\.parse would keep the last silently/);
    expect(run.stdout).toBe('');
  });

  it('in a market: a second "BTC" does not set BTC to 1 USD', async () => {
    const twice = MARKET.replace('"ETH": {', '"BTC": { "price": 1, "vol": 0.5 },\n  "ETH": {');
    const run = await margin(await write(bookText('3')), await write(twice));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/market\.assets\.BTC: \S+\.json:10:3: "BTC" is given twice in market\.assets \(first at \S+\.json:4:3\)/);
  });

  it('in a shock and a params file', async () => {
    const market = await write(MARKET), bookPath = await write(bookText('3'));
    const shock = await marginCore('stress', '--book', bookPath, '--market', market, '--shock', await write('{"spot": {"BTC": -0.25, "BTC": -0.9}}'));
    expect([shock.code, shock.stderr]).toEqual([1, expect.stringMatching(/shock\.spot\.BTC: \S+\.json:1:25: "BTC" is given twice in shock\.spot/)]);
    const params = await marginCore('margin', '--book', bookPath, '--market', market, '--params', await write('{"liquidation": {"feeRate": 0, "feeRate": 0.5}}'));
    expect([params.code, params.stderr]).toEqual([1, expect.stringMatching(/params\.liquidation\.feeRate: \S+\.json:1:32: "feeRate" is given twice in params\.liquidation/)]);
  });

  it('in a book read streamed (64 MB or more): exit 1 at the member (it was margined with the last, −21)', async () => {
    const run = await margin(await writeStreamed(bookText('500, "quantity": -21')));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('accounts[1].positions[0].quantity: "quantity" is given twice in accounts[1].positions[0]: JSON.parse would keep the last silently');
  }, 60_000);

  it('a bad market beside a book read streamed names the market file on the first line, as beside a small book', async () => {
    const bookPath = await writeStreamed(bookText('3')), badMarket = await write(MARKET.replace('"price": 100000', '"price": "NaN"'));
    for (const format of ['csv', 'json']) {
      const run = await marginCore('margin', '--book', bookPath, '--market', badMarket, '--format', format, '--out', join(dir, `streamed-bad-market.${format}`));
      expect([run.code, run.stderr.split('\n').slice(0, 2)], format).toEqual([1, [`margin-core: invalid input in ${badMarket} (1 problem):`, '  market.assets.BTC.price: not a finite number (got "NaN")']]);
    }
  }, 60_000);
});

describe('a number that underflows', () => {
  it('in a small book: 1e-400 refused as written, where 1e-300 already was', async () => {
    const run = await margin(await write(bookText('1e-400')));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/accounts\[1\]\.positions\[0\]\.quantity: \S+\.json:\d+:\d+: 1e-400 is not 0 but nearer 0 than the smallest number \(5e-324\): it would be read as 0/);
    const smallest = await margin(await write(bookText('1e-300')));
    expect([smallest.code, smallest.stderr]).toEqual([1, expect.stringContaining('accounts[1].positions[0].quantity: 1e-300 is below the smallest quantity')]);
  });

  it('in a book read streamed', async () => {
    const run = await margin(await writeStreamed(bookText('1e-400')));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('accounts[1].positions[0].quantity: 1e-400 is not 0 but nearer 0 than the smallest number (5e-324): it would be read as 0');
  }, 60_000);
});

describe('a file that is not UTF-8', () => {
  /** The book's text with account b's id holding the byte 0xFF ("b" then 0xFF then "1"), and where that byte is. */
  const notUtf8 = (text: string) => {
    const bytes = Buffer.from(text.replace('"id": "b"', '"id": "bX1"'));
    const at = bytes.indexOf('X1');
    bytes[at] = 0xff;
    return { bytes, at };
  };

  it('in a small book: exit 1 at --book with the byte, not an account "b\ufffd1" in the report', async () => {
    const { bytes, at } = notUtf8(JSON.stringify(BOOK, null, 1));
    const path = join(dir, `${files++}.json`);
    await writeFile(path, bytes);
    const run = await margin(path);
    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toContain(`--book: ${path}: not valid UTF-8 at byte ${at} (after "`);
  });

  it('in a market: exit 1 at --market', async () => {
    const bytes = Buffer.from(MARKET);
    bytes[bytes.indexOf('BTC')] = 0xc3; // a sequence cut by the next character
    const path = join(dir, `${files++}.json`);
    await writeFile(path, bytes);
    const run = await margin(await write(bookText('3')), path);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--market: \S+\.json: not valid UTF-8 at byte \d+/);
  });

  it('in a book read streamed: exit 1 at --book, nothing written', async () => {
    const path = await writeStreamed(notUtf8(JSON.stringify(BOOK, null, 1)).bytes);
    const run = await margin(path);
    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toMatch(/--book: \S+-big\.json is not valid JSON: not valid UTF-8 at byte [\d,]+ \(after ".*\\"id\\": \\"b"\)/s);
  }, 60_000);
});
