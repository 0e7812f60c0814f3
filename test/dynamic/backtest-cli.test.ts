/**
 * `margin-core backtest` as a user runs it: on the bundled sample with the bundled synthetic history, on a saved
 * history read back (the same table), and with bad input (one line, exit 1, no stack trace).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginCore } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('backtest-');

describe('margin-core backtest', () => {
  it('prints coverage, test statistics and procyclicality per series; a saved history gives the same table', async () => {
    const saved = join(dir, 'prices.csv');
    const synthetic = await marginCore('backtest', '--days', '400', '--seed', '3', '--save-history', saved, '--backend', 'js');
    expect(synthetic.code).toBe(0);
    const lines = synthetic.stdout.split('\n');
    // 400 closes − 250 warm-up − 1 (the last close realises the last day's move) = 149 margin days
    expect(lines[0]).toMatch(/^Backtest of portfolio margin: \d+ accounts × 149 margin days \(.*\), synthetic history \(400 closes, the first 250 warm-up;/);
    expect(synthetic.stdout).toMatch(/^static +\d+ +\d/m);
    expect(synthetic.stdout).toMatch(/^dynamic \+ APC +\d+/m);
    expect(synthetic.stdout).toMatch(/Kupiec p +Christoffersen p/);
    expect(readFileSync(saved, 'utf8').split('\n')[0]).toMatch(/^timestamp,ADA|^timestamp,[A-Z]+/);
    const replay = await marginCore('backtest', '--history', saved, '--backend', 'js');
    expect(replay.code).toBe(0);
    const table = (s: string) => s.split('\n').slice(3, 8).join('\n');
    expect(table(replay.stdout)).toBe(table(synthetic.stdout));
  });

  it('writes one CSV row per day and series', async () => {
    const r = await marginCore('backtest', '--days', '300', '--method', 'cross', '--format', 'csv');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe('date,series,totalIm,breaches');
    expect(rows.length).toBe(1 + 49 * 3);
    expect(rows.slice(1, 4).map((row) => row.split(',')[1])).toEqual(['static', 'dynamic', 'apc']);
  });

  it('refuses a bad history with its row, and a bad option, in one line', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'timestamp,BTC\n2026-01-01T00:00:00Z,100\n2026-01-02T00:00:00Z,abc\n');
    const r = await marginCore('backtest', '--history', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv:3/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    const c = await marginCore('backtest', '--confidence', '1.5');
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/\[0\.5, 1\)/);
    // 280 closes − 250 − 1 = 29 margin days, one short of 30: refused before any work
    const short = await marginCore('backtest', '--days', '280');
    expect(short.code).toBe(2);
    expect(short.stderr.split('\n')[0]).toBe('error: --days 280 leaves 29 margin days after --warmup-days 250 and the 1-day horizon: at least 30 are needed (--days 281 or more)');
    // a warm-up the forecast refuses is said at the flag given, not the library option it sets: a usage error
    const warm = await marginCore('backtest', '--warmup-days', '20', '--days', '400');
    expect([warm.code, warm.stderr.split('\n')[0]]).toEqual([2, 'error: --warmup-days: 20 days is too short for the EWMA forecast to settle: at least 30']);
  });

  // a history, its forecasts and the margin series are held whole: --days 1e9 grew memory until the machine died
  it('refuses a --days above 36,500, a --warmup-days of 0 or above 100,000 and a negative --seed as usage errors, before any work', async () => {
    const cases: [string[], string][] = [
      [['--days', '1e9'], "error: option '--days <n>' argument '1e9' is invalid. expected a whole number from 0 to 36,500."],
      [['--days', '36501'], "error: option '--days <n>' argument '36501' is invalid. expected a whole number from 0 to 36,500."],
      [['--warmup-days', '0', '--days', '400'], "error: option '--warmup-days <n>' argument '0' is invalid. expected a whole number from 1 to 100,000."],
      [['--warmup-days', '100001', '--history', '/nonexistent-margin-core/prices.csv'], "error: option '--warmup-days <n>' argument '100001' is invalid. expected a whole number from 1 to 100,000."],
      // -1 is a whole number to some readers: the bound is said
      [['--seed', '-1'], "error: option '--seed <n>' argument '-1' is invalid. expected a whole number from 0 to 9,007,199,254,740,991."],
    ];
    for (const [args, line] of cases) {
      const r = await marginCore('backtest', ...args);
      expect([r.code, r.stdout, r.stderr.split('\n')[0]], args.join(' ')).toEqual([2, '', line]);
    }
  });
  it('a weekday history: refused for its gaps, taken with --allow-gaps (trading days: periodsPerYear 252)', async () => {
    const saved = join(dir, 'daily.csv'), weekdays = join(dir, 'weekdays.csv'), params = join(dir, 'trading-days.json');
    expect((await marginCore('backtest', '--days', '600', '--save-history', saved, '--backend', 'js')).code).toBe(0);
    const [header, ...rows] = readFileSync(saved, 'utf8').trim().split('\n');
    const kept = rows.filter((row) => ![0, 6].includes(new Date(row.slice(0, row.indexOf(','))).getUTCDay()));
    writeFileSync(weekdays, [header, ...kept].join('\n'));
    writeFileSync(params, JSON.stringify({ dynamic: { periodsPerYear: 252 } }));
    const refused = await marginCore('backtest', '--history', weekdays, '--backend', 'js');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('backtest --allow-gaps accepts it');
    const taken = await marginCore('backtest', '--history', weekdays, '--allow-gaps', '--params', params, '--backend', 'js');
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toContain(`(${kept.length} closes, the first 250 warm-up)`);
  });
});
