/**
 * Ordinary mistakes and awkward environments give one clear line and a documented exit code, never a stack trace
 * (issue 13 items 6, 8, 12): a missing output folder, a closed pipe, a bad --backend, WASM unavailable, --version,
 * accounts whose margin cannot be computed, a byte-order mark, and non-finite numbers in JSON and CSV.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, marginCore, ROOT, SAMPLE } from './support/cli.js';
import { scratchDir } from './support/scratch-dir.js';
import { AccountsInError, checkAccountErrors } from '../src/cli/io.js';

const dir = scratchDir('mc-cli-');
const BOOK = join(SAMPLE, 'book.json');
const MARKET = join(SAMPLE, 'market.json');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

/** No stack frames ("    at fn (file:line)") anywhere on stderr. */
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at .+:\d+/);

/** A small book: one account holding only USDC (no MM: health unbounded), one whose quantity overflows (status error). */
function writeBook(overflow = false): { book: string; market: string } {
  const book = {
    instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
    accounts: [
      { id: 'cash-only', collateral: [{ asset: 'USDC', amount: 1000 }] },
      ...(overflow ? [{ id: 'overflow', positions: [{ instrument: 'BTC-PERP', quantity: 1e300, entryPrice: 1e300 }], collateral: [{ asset: 'USDC', amount: 1 }] }] : []),
      { id: 'normal', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
    ],
  };
  const market = {
    valuationTime: '2026-11-20T08:00:00Z',
    assets: { BTC: { price: 91_500, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
    correlation: { assets: ['BTC'], matrix: [[1]] },
  };
  const paths = { book: join(dir, 'book.json'), market: join(dir, 'market.json') };
  writeFileSync(paths.book, JSON.stringify(book));
  writeFileSync(paths.market, JSON.stringify(market));
  return paths;
}

describe('the CLI fails in one line', () => {
  it('--out into a folder that does not exist: exit 1 naming --out and the folder', async () => {
    const { code, stdout, stderr } = await marginCore('margin', '--book', BOOK, '--market', MARKET, '--out', join(dir, 'missing', 'report.json'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`--out: cannot write ${join(dir, 'missing', 'report.json')}: the folder ${join(dir, 'missing')} does not exist`);
    noStack(stderr);
  });

  it('--backend gpu is a usage error listing the choices (exit 2)', async () => {
    const { code, stderr } = await marginCore('margin', '--book', BOOK, '--market', MARKET, '--backend', 'gpu');
    expect(code).toBe(2);
    expect(stderr).toMatch(/'gpu' is invalid\. Allowed choices are auto, wasm, js/);
    const format = await marginCore('margin', '--book', BOOK, '--market', MARKET, '--format', 'xml');
    expect([format.code, /Allowed choices are table, json, csv/.test(format.stderr)]).toEqual([2, true]);
  });

  it('WASM unavailable (node --jitless) with --backend wasm: one line, exit 1; auto falls back to JS', async () => {
    const run = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--jitless', CLI, ...args]);
      let stdout = '', stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    const wasm = await run('margin', '--book', BOOK, '--market', MARKET, '--backend', 'wasm', '--format', 'csv');
    expect(wasm.code).toBe(1);
    expect(wasm.stderr).toMatch(/could not load the (simd|scalar) WASM kernels/);
    noStack(wasm.stderr);
    const auto = await run('margin', '--book', BOOK, '--market', MARKET, '--format', 'csv');
    expect(auto.code).toBe(0);
    expect(auto.stdout.split('\n').length).toBe(304);
  });

  it('output piped into a reader that stops early (| head): exit 0, nothing on stderr', async () => {
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'margin', '--book', BOOK, '--market', MARKET, '--format', 'json', '--breakdown']);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.once('data', () => child.stdout.destroy()); // read one chunk, then hang up
      child.on('close', (exit) => resolve({ code: exit ?? -1, stderr }));
    });
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const { code, stdout } = await marginCore('--version');
    expect([code, stdout.trim()]).toEqual([0, version]);
  });

  it('accepts a file starting with a UTF-8 byte-order mark', async () => {
    const bom = join(dir, 'bom-market.json');
    writeFileSync(bom, `\uFEFF${readFileSync(MARKET, 'utf8')}`);
    const { code, stdout } = await marginCore('margin', '--book', BOOK, '--market', bom, '--format', 'csv');
    expect(code).toBe(0);
    expect(stdout.startsWith('id,status,')).toBe(true);
  });
});

describe('accounts in error and non-finite numbers', () => {
  it('a position too large for double precision is refused at the door with its path (the domain, docs/domain.md)', async () => {
    const { book, market } = writeBook(true);
    const { code, stdout, stderr } = await marginCore('margin', '--book', book, '--market', market, '--format', 'json');
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toBe(`margin-core: invalid input in ${book} (2 problems):\n  accounts[1].positions[0].quantity: 1e+300 is above the largest quantity 1e12\n  accounts[1].positions[0].entryPrice: 1e+300 is above the largest entry price 1e12\n`);
  });

  it('the header names the files the problems are in: the book, the market, or both', async () => {
    const { book, market } = writeBook(true);
    const badMarket = join(dir, 'bad-market.json');
    writeFileSync(badMarket, JSON.stringify({ ...JSON.parse(readFileSync(market, 'utf8')), valuationTime: 5 }));
    const head = async (b: string, m: string) => (await marginCore('margin', '--book', b, '--market', m)).stderr.split('\n')[0];
    expect(await head(BOOK, badMarket)).toMatch(new RegExp(`^margin-core: invalid input in ${escaped(badMarket)} \\(\\d+\\+? problems?\\):$`));
    expect(await head(book, badMarket)).toMatch(new RegExp(`^margin-core: invalid input in ${escaped(book)} and ${escaped(badMarket)} \\(\\d+\\+? problems\\):$`));
  });

  it('a problem a method finds in the market after reading names the market file too (var without a correlation)', async () => {
    const noCorrelation = join(dir, 'no-correlation.json');
    const { correlation: _c, ...rest } = JSON.parse(readFileSync(MARKET, 'utf8')) as Record<string, unknown>;
    writeFileSync(noCorrelation, JSON.stringify(rest));
    const { code, stderr } = await marginCore('margin', '--book', BOOK, '--market', noCorrelation, '--method', 'var');
    expect(code).toBe(1);
    expect(stderr.split('\n').slice(0, 2)).toEqual([`margin-core: invalid input in ${noCorrelation} (1 problem):`, expect.stringMatching(/^ {2}market\.correlation: missing/)]);
  });

  it('a report with accounts in error (a safety net: the domain leaves none) makes the command exit 3 naming them', () => {
    expect(() => checkAccountErrors([{ id: 'a', status: 'healthy' }, { id: 'overflow', status: 'error' }])).toThrow(AccountsInError);
    expect(() => checkAccountErrors([{ id: 'a', status: 'healthy' }])).not.toThrow();
  });

  it('JSON writes null where a number is unbounded or not applicable, the same text as JSON.stringify of the report; CSV an empty cell', async () => {
    const { book, market } = writeBook();
    const json = await marginCore('margin', '--book', book, '--market', market, '--format', 'json');
    const cash = JSON.parse(json.stdout).accounts[0];
    expect([cash.im, cash.mm, cash.health, cash.efficiency]).toEqual([0, 0, null, null]);
    expect(json.stdout).not.toMatch(/Infinity|NaN/);
    const csv = await marginCore('margin', '--book', book, '--market', market, '--format', 'csv');
    const [header, first] = csv.stdout.split('\n');
    const cells = Object.fromEntries(header.split(',').map((h, i) => [h, first.split(',')[i]]));
    expect([cells.id, cells.health, cells.efficiency, cells.im]).toEqual(['cash-only', '', '', '0']);
  });

  it('the table shows health ∞ (no MM, equity for MM ≥ 0) and efficiency n/a (no IM: not applicable)', async () => {
    const { book, market } = writeBook();
    const { stdout } = await marginCore('margin', '--book', book, '--market', market);
    const lines = stdout.split('\n');
    const header = lines.find((l) => l.startsWith('account'))!;
    const cash = lines.find((l) => l.startsWith('cash-only'))!;
    const at = (name: string) => cash.slice(0, header.indexOf(name) + name.length).trim().split(/\s{2,}/).pop();
    expect([at('health'), at('efficiency')]).toEqual(['∞', 'n/a']);
  });
});

describe('progress on a terminal', () => {
  it('covers every phase up to the last row written, then clears its line', async () => {
    const out = join(dir, 'progress.csv');
    // `script` gives the command a pseudo-terminal, as a user's shell would
    const tty = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qc', `"${process.execPath}" "${CLI}" margin --book "${BOOK}" --market "${MARKET}" --format csv --out "${out}"`, '/dev/null']);
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('close', () => resolve(text));
    });
    const frames = tty.split('\r').map((f) => f.replace(/\x1b\[K/g, '')).filter((f) => f.startsWith('margin ['));
    expect(frames.some((f) => f.includes('validating'))).toBe(true);
    expect(frames.some((f) => f.includes('writing'))).toBe(true);
    expect(frames.at(-1)).toMatch(/\] 100% /);
    expect(tty.trimEnd().endsWith('\x1b[K')).toBe(true); // the line is cleared at the end
    expect(readFileSync(out, 'utf8').split('\n').length).toBe(304);
  });
});

describe('one cause, once', () => {
  it('a message at more than three paths is one line, where it first comes, with three paths and how many more', async () => {
    const { problemLines } = await import('../src/cli/main.js');
    const at = (path: string, message: string) => ({ path, message });
    const many = Array.from({ length: 1_905 }, (_, i) => at(`accounts[${i + 1}].method`, 'liquidation runs one method over the book (cross); this account\'s is var'));
    expect(problemLines([at('accounts[0].id', 'duplicate id'), ...many, at('accounts[2000].quantity', 'zero'), at('accounts[0].id', 'duplicate id')])).toEqual([
      'accounts[0].id: duplicate id',
      'accounts[1].method, accounts[2].method, accounts[3].method and 1,902 more: liquidation runs one method over the book (cross); this account\'s is var',
      'accounts[2000].quantity: zero',
      'accounts[0].id: duplicate id',
    ]);
  });
});

describe('an output that names an input', () => {
  it('--out naming the book or the market (by another path too) is a usage error, and the input stays as it was', async () => {
    const book = join(dir, 'victim-book.json'), market = join(dir, 'victim-market.json');
    writeFileSync(book, readFileSync(BOOK));
    writeFileSync(market, readFileSync(MARKET));
    const margin = await marginCore('margin', '--book', book, '--market', market, '--format', 'csv', '--out', book);
    expect([margin.code, margin.stderr.split('\n')[0]]).toEqual([2, `error: --out ${book} is the file --book reads: the output would overwrite it (name another file)`]);
    const other = join(dir, '.', 'victim-market.json').replace(dir, join(dir, '..', dir.split('/').pop()!));
    const liquidate = await marginCore('liquidate', '--book', book, '--market', market, '--format', 'json', '--out', other);
    expect([liquidate.code, liquidate.stderr.split('\n')[0]]).toEqual([2, `error: --out ${other} is the file --market reads: the output would overwrite it (name another file)`]);
    expect(readFileSync(book)).toEqual(readFileSync(BOOK));
    expect(readFileSync(market)).toEqual(readFileSync(MARKET));
  });

  it('--out in the package\'s bundled data (the sample --sample and explain read), by any path, is a usage error', async () => {
    const data = join(ROOT, 'data'), sampleBook = join(data, 'sample', 'book.json'), kept = readFileSync(sampleBook);
    const link = join(dir, 'bundled-data-link');
    symlinkSync(data, link);
    try {
      const cases: [string[], string][] = [
        [['margin', '--sample', '--format', 'csv', '--out', sampleBook], sampleBook], // what --sample reads
        [['explain', 'distressed-000107', '--out', join(link, 'sample', 'book.json')], join(link, 'sample', 'book.json')], // through a symlink
        [['margin', '--sample', '--format', 'csv', '--out', join(link, 'sample', 'new', '..', 'report.csv')], join(link, 'sample', 'new', '..', 'report.csv')], // a new file there
        [['generate', '--accounts', '10', '--out', join(data, 'sample')], join(data, 'sample')], // a folder command
      ];
      for (const [args, out] of cases) {
        const r = await marginCore(...args);
        expect([r.code, r.stderr.split('\n')[0]], args.join(' ')).toEqual([2, `error: --out ${out} is in margin-core's bundled data (${data}): the output would overwrite the package's own files (name another place)`]);
      }
      expect(existsSync(join(data, 'sample', 'report.csv'))).toBe(false);
    } finally {
      if (!readFileSync(sampleBook).equals(kept)) writeFileSync(sampleBook, kept); // a failing run must not leave the sample broken
    }
    expect(readFileSync(sampleBook)).toEqual(kept);
  });
});

/** `text` as a literal in a regular expression. */
function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
