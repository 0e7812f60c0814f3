/** `margin-core import deribit|ccxt --in DIR --out DIR`: the files it reads and writes, and what it says on stderr. */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginCore } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';
import { FIXTURES, fixtureDir } from './fixtures.js';

describe('margin-core import', () => {
  it('writes book.json and market.json that `margin` reads, and prints the venue equity', async () => {
    const out = join(scratchDir('import-cli'), 'usdc');
    const run = await marginCore('import', 'deribit', '--in', fixtureDir('deribit/usdc-account'), '--out', out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${join(out, 'book.json')} and ${join(out, 'market.json')}: 1 account, 1 position, 1 instrument`);
    expect(run.stdout).toContain('venue equity of deribit-USDC: 25154.875 USDC (25154.875 USD at the index)');
    expect(run.stderr).toContain('margin-core: note: get_account_summary.json.result: USDC-settled contracts and USDC balances are written as USD: Deribit values USDC at par');
    const book = JSON.parse(readFileSync(join(out, 'book.json'), 'utf8'));
    expect(book.accounts[0].positions).toEqual([{ instrument: 'BTC_USDC-PERPETUAL', quantity: 0.5, entryPrice: 91180.25 }]);
    const margin = await marginCore('margin', '--book', join(out, 'book.json'), '--market', join(out, 'market.json'), '--format', 'json');
    expect(margin.code).toBe(0);
    expect(JSON.parse(margin.stdout).accounts[0].equity).toBe(25154.875);
  });

  it('an --out folder that cannot be made is named with the option, exit 1', async () => {
    const run = await marginCore('import', 'deribit', '--in', fixtureDir('deribit/usdc-account'), '--out', '/proc/margin-core-nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('margin-core: could not write /proc/margin-core-nope (--out): ENOENT: no such file or directory');
  });

  it('lists what it did not import on stderr; --strict turns that into exit 1', async () => {
    const dir = scratchDir('import-cli-skip');
    cpSync(join(FIXTURES, 'ccxt', 'multi-asset'), dir, { recursive: true });
    const positions = JSON.parse(readFileSync(join(dir, 'positions.json'), 'utf8'));
    writeFileSync(join(dir, 'positions.json'), JSON.stringify([...positions, { ...positions[0], symbol: 'ETH/USD:BTC' }]));
    const run = await marginCore('import', 'ccxt', '--in', dir, '--out', join(dir, 'out'));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('margin-core: skipped: positions.json[2].symbol: ETH/USD:BTC: a quanto contract (settled in BTC, neither its base nor its quote) is not supported');
    expect(run.stdout).toContain('1 not imported (listed above)');
    const strict = await marginCore('import', 'ccxt', '--in', dir, '--out', join(dir, 'out2'), '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('positions.json[2].symbol: ETH/USD:BTC: a quanto contract');
  });

  it('refuses, exit 1 and nothing written, a position saved twice, an equity the book does not make, a size the book cannot hold', async () => {
    const cases: [string, (positions: { result: Record<string, unknown>[] }, summary: { result: Record<string, unknown> }) => void, string][] = [
      ['twice', (p) => p.result.push(p.result[0]), 'get_positions.json.result[1].instrument_name: "BTC_USDC-PERPETUAL" again (get_positions.json.result[0])'],
      ['equity', (_, s) => (s.result.equity = 25322.25), "get_account_summary.json.result.equity: the venue's USDC equity 25322.25 is not the imported book's 25154.875"],
      ['size', (p) => (p.result[0].size = 1e300), 'get_positions.json.result[0].size: 1e+300 is above the largest quantity 1e12 (imported as accounts[0].positions[0].quantity)'],
    ];
    for (const [name, change, line] of cases) {
      const dir = scratchDir(`import-cli-${name}`);
      cpSync(fixtureDir('deribit/usdc-account'), dir, { recursive: true });
      const positions = JSON.parse(readFileSync(join(dir, 'get_positions.json'), 'utf8'));
      const summary = JSON.parse(readFileSync(join(dir, 'get_account_summary.json'), 'utf8'));
      change(positions, summary);
      writeFileSync(join(dir, 'get_positions.json'), JSON.stringify(positions));
      writeFileSync(join(dir, 'get_account_summary.json'), JSON.stringify(summary));
      const run = await marginCore('import', 'deribit', '--in', dir, '--out', join(dir, 'out'));
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toContain(`  ${line}`);
      expect(existsSync(join(dir, 'out', 'book.json')), name).toBe(false);
    }
  });

  it('a missing file, a malformed one, an unknown venue: one clear line each', async () => {
    const dir = scratchDir('import-cli-bad');
    cpSync(join(FIXTURES, 'deribit', 'coin-account'), dir, { recursive: true });
    rmSync(join(dir, 'get_index_price.json'));
    expect((await marginCore('import', 'deribit', '--in', dir, '--out', join(dir, 'o'))).stderr).toContain(`--in: ${join(dir, 'get_index_price.json')} is missing`);
    writeFileSync(join(dir, 'get_index_price.json'), '{"jsonrpc": "2.0", ');
    const malformed = await marginCore('import', 'deribit', '--in', dir, '--out', join(dir, 'o'));
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('get_index_price.json: ');
    expect(malformed.stderr).toContain('not valid JSON');
    const venue = await marginCore('import', 'okx', '--in', dir, '--out', join(dir, 'o'));
    expect(venue.code).toBe(2);
    expect(venue.stderr).toContain("value 'okx' is invalid for argument 'venue'. Allowed choices are deribit, ccxt.");
  });

  it('ccxt-only options given to the Deribit adapter are a usage error, not silently ignored', async () => {
    const run = await marginCore('import', 'deribit', '--in', fixtureDir('deribit/usdc-account'), '--out', scratchDir('import-cli-ccxt-flags'), '--venue', 'bitmex', '--iv-unit', 'decimal');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --iv-unit, --venue are for import ccxt: the Deribit adapter reads its venue\'s own fields');
  });
});
