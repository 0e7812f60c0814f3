/**
 * Options the CLI used to take and then drop or fail on late: a seed beyond what the run can use (the library refused
 * it after the book was read, naming `options.seed`; a backtest or sample seed past 2^53 − 1 was read as another
 * number), csv beside --paths or --reverse (their results silently left out, after paying for them), and the header
 * of an input error in a --shock or --params file (it named no file, as docs/cli.md promises it does).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginCore, ROOT } from './support/cli.js';
import { scratchDir } from './support/scratch-dir.js';

const dir = scratchDir('mc-cli-stress-');

describe('stress, backtest and generate: options refused before any work', () => {
  it('a Monte Carlo seed above 2^32 − 1 is a usage error naming --seed', async () => {
    const r = await marginCore('stress', '--sample', '--paths', '2', '--seed', '4294967296');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed.*4,294,967,295/);
    expect((await marginCore('stress', '--sample', '--paths', '1', '--seed', '4294967295', '--format', 'json')).code).toBe(0);
  });

  it('a --threshold that is no decimal number (empty, hex) is a usage error, not a threshold of 0 or 16; 5e6 is taken', async () => {
    for (const bad of ['', '0x10', 'ten', '-1']) {
      const r = await marginCore('stress', '--sample', '--reverse', '--threshold', bad, '--format', 'json');
      expect([r.code, r.stderr.split('\n')[0]], bad).toEqual([2, expect.stringMatching(/--threshold.*expected a finite number ≥ 0, e\.g\. 5000000/)]);
    }
    // a number beyond the largest double is said as that, not as a number below 0
    const huge = await marginCore('stress', '--sample', '--reverse', '--threshold', '1e400');
    expect([huge.code, huge.stderr.split('\n')[0]]).toEqual([2, "error: option '--threshold <usd>' argument '1e400' is invalid. expected a finite number ≥ 0, e.g. 5000000 (1e400 is beyond the largest number, 1.8e308)."]);
    const ok = await marginCore('stress', '--sample', '--reverse', '--threshold', '5e6', '--format', 'json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).reverse[0].thresholdUsd).toBe(5_000_000);
  });

  it('seeds past 2^53 − 1 (two typed seeds read as one number) are usage errors for backtest and generate', async () => {
    const backtest = await marginCore('backtest', '--sample', '--seed', '99999999999999999999');
    expect(backtest.code).toBe(2);
    expect(backtest.stderr).toMatch(/--seed/);
    const generate = await marginCore('generate', '--accounts', '2', '--seed', '99999999999999999999', '--out', join(dir, 'gen'));
    expect(generate.code).toBe(2);
    expect(generate.stderr).toMatch(/--seed.*at most 16 digits/);
  });

  it('csv with --paths or --reverse is a usage error: csv has a row per round and no place for their results', async () => {
    for (const extra of [['--paths', '3'], ['--reverse'], ['--paths', '3', '--reverse']]) {
      const r = await marginCore('stress', '--sample', '--format', 'csv', ...extra);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--format csv writes the cascades' rounds only: give --format json or table with --(paths|reverse)/);
      expect(r.stdout).toBe('');
    }
  });
});

describe('input errors name the --shock, --params, --hedges and --history files they are in', () => {
  it('a hedges file with a negative spread, and a history file with a negative close', async () => {
    const hedges = join(dir, 'hedges.json'), history = join(dir, 'history.json');
    writeFileSync(hedges, JSON.stringify([{ instrument: 'BTC-PERP', spread: -1, maxQuantity: 1 }]));
    writeFileSync(history, JSON.stringify({ assets: { BTC: [{ date: '2026-01-01', close: -5 }, { date: '2026-01-02', close: 100 }] } }));
    const optimized = await marginCore('optimize', 'alice', '--book', join(ROOT, 'data/examples/hedge-book.json'), '--market', join(ROOT, 'data/examples/market.json'), '--hedges', hedges);
    expect(optimized.code).toBe(1);
    expect(optimized.stderr.split('\n')[0]).toBe(`margin-core: invalid input in ${hedges} (1 problem):`);
    const backtest = await marginCore('backtest', '--sample', '--history', history);
    expect(backtest.code).toBe(1);
    expect(backtest.stderr.split('\n')[0]).toMatch(new RegExp(`^margin-core: invalid input in ${history.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ problems?\\):$`));
    expect(backtest.stderr).toMatch(/history\.assets\.BTC\[0\]\.close/);
  });

  it('a shock file whose asset the market does not price', async () => {
    const shock = join(dir, 'shock.json');
    writeFileSync(shock, JSON.stringify({ spot: { BTX: -0.1 } }));
    const r = await marginCore('stress', '--sample', '--shock', shock);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`margin-core: invalid input in ${shock} (1 problem):`);
    expect(r.stderr).toContain('shock.spot.BTX: unknown asset (did you mean "BTC"?)');
  });

  it('a params file with an unknown field, under margin and stress; a bundled shock names no file', async () => {
    const params = join(dir, 'params.json');
    writeFileSync(params, JSON.stringify({ liquidation: { bogus: 1 } }));
    for (const command of ['margin', 'stress']) {
      const r = await marginCore(command, '--sample', '--params', params);
      expect(r.code, command).toBe(1);
      expect(r.stderr.split('\n')[0], command).toBe(`margin-core: invalid input in ${params} (1 problem):`);
    }
  });
});
