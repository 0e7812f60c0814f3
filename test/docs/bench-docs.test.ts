/**
 * Benchmark figures in the docs come from the results files, never by hand: docs/benchmarks.md and the README's
 * headline table are what scripts/bench-docs.mjs generates from bench/results/*.json, and the regression check
 * compares same-run ratios only (docs/benchmarks.md).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
// @ts-expect-error: a plain ES module script, no types
import { compareRatios, markdownTable, readResults } from '../../scripts/bench-check.mjs';

const file = (mode: string, ratios: Record<string, number>) => ({ mode, ratios });

describe('benchmark results and docs', () => {
  it('docs/benchmarks.md and the README headline table are up to date with bench/results', () => {
    const check = () => execFileSync(process.execPath, [join(ROOT, 'scripts', 'bench-docs.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    expect(check).not.toThrow();
  });

  it('every committed result file names its machine, Node version, date and tables', () => {
    const files = readResults(join(ROOT, 'bench', 'results'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.machine.cores, f.mode).toBeGreaterThan(0);
      expect(f.node, f.mode).toMatch(/^v\d+/);
      expect(Number.isNaN(Date.parse(f.date)), f.mode).toBe(false);
      expect(f.tables.length, f.mode).toBeGreaterThan(0);
    }
  });

  it('the regression check flags a ratio that fell by more than the tolerance, and nothing else', () => {
    const committed = [file('greeks', { 'js / wasm': 5, 'other': 2 })];
    const fresh = [file('greeks', { 'js / wasm': 3.9, 'other': 1.6, 'new one': 1 }), file('liquidation', { 'x': 1 })];
    const rows = compareRatios(committed, fresh, 0.2);
    // 3.9 < 5 · 0.8 = 4: fell; 1.6 = 2 · 0.8: not below; new ratios never fail
    expect(rows.map((r: { ratio: string; fell: boolean }) => [r.ratio, r.fell])).toEqual([['js / wasm', true], ['other', false], ['new one', false], ['x', false]]);
  });

  it('the headline table puts the mission\'s rows before the action layer\'s and names the headline modes with no rows recorded', async () => {
    // @ts-expect-error: a plain ES module script, no types
    const { headlineTable, HEADLINE_MODES } = await import('../../scripts/bench-docs.mjs');
    const row = (work: string) => ({ work, wasm: '1 ms', js: '2 ms', target: '< 3 ms', met: true });
    const files = [{ mode: 'stress', headline: [row('cascade')] }, { mode: 'zeta', headline: [row('other')] }, { mode: 'greeks', headline: [row('Greeks')] }, { mode: 'e2e', headline: [] }];
    const text: string = headlineTable(files);
    const works = text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| work')).map((l) => l.split(' | ')[0].slice(2));
    expect(works).toEqual(['Greeks', 'cascade', 'other']);
    const missing = HEADLINE_MODES.filter((m: string) => m !== 'greeks' && m !== 'stress');
    expect(missing).toContain('e2e'); // a result file without headline rows counts as missing
    expect(text).toContain(`No headline rows in the recorded results yet: ${missing.map((m: string) => `\`${m}\``).join(', ')} (`);
  });

  it('the Monte Carlo headline is judged against its 60 s target only for a run of 1,000 paths or more', async () => {
    const { BENCH_MODES } = await import('../../bench/modes.js');
    const mode = BENCH_MODES.find((m) => m.name === 'stress-growth')!;
    const row = (count: number, ms: number) => ({ backend: 'wasm-simd', work: 'monte-carlo', accounts: 100_000, count, ms, marginMs: 0, liquidationMs: 0, otherMs: 0, marginedPerRound: 0, workers: 2 });
    const judged = (count: number, ms: number) => mode.headline!([row(count, ms)])[0];
    expect(judged(200, 39_500)).toEqual({ work: 'Monte Carlo stress: 200 paths × 100,000 accounts, 2 workers, cross', wasm: '39.5 s', js: '—', target: '≤ 60 s for 1,000 paths' });
    expect(judged(1000, 59_900).met).toBe(true);
    expect(judged(1000, 60_100).met).toBe(false);
  });

  it('the reverse search\'s headline: one thread (WASM and JS) and, on workers, the held book\'s call judged with the first call\'s time beside it', async () => {
    const { BENCH_MODES } = await import('../../bench/modes.js');
    const mode = BENCH_MODES.find((m) => m.name === 'stress-growth')!;
    const row = (backend: string, workers: number, ms: number, note?: string) => ({ backend, work: 'reverse' as const, accounts: 100_000, count: 24, ms, marginMs: 0, liquidationMs: 0, otherMs: 0, marginedPerRound: 0, workers, ...(note ? { note } : {}) });
    const rows = [row('wasm-simd', 1, 5_900), row('js', 1, 7_000), row('wasm-simd', 2, 6_600, 'first call: book sent to the workers'), row('wasm-simd', 2, 3_600, 'book held by the workers')];
    expect(mode.headline!(rows)).toEqual([
      { work: 'stress: reverse search, 100,000 accounts, cross', wasm: '5.9 s', js: '7.0 s', target: '< 5 s', met: false },
      { work: 'stress: reverse search, 100,000 accounts, 2 workers, cross (book held; first call 6.6 s)', wasm: '3.6 s', js: '—', target: '< 5 s', met: true },
    ]);
  });

  it('tables render numbers right-aligned and integers with separators', () => {
    expect(markdownTable([{ work: 'a|b', ms: 12.5, count: 123456 }])).toBe('| work | ms | count |\n|---|---:|---:|\n| a\\|b | 12.5 | 123,456 |');
  });
});

describe('the load a benchmark ran under', () => {
  it('a run is quiet while the 1-minute load stayed at or below the core count, before and after', async () => {
    const { benchLoad } = await import('../../bench/harness.js');
    expect(benchLoad([1.2, 1, 1], [1.99, 1, 1], 2).quiet).toBe(true);
    expect(benchLoad([2, 1, 1], [2, 1, 1], 2).quiet).toBe(true);
    // the 5- and 15-minute averages lag behind: only the 1-minute one decides
    expect(benchLoad([0.5, 9, 9], [0.5, 9, 9], 2).quiet).toBe(true);
    expect(benchLoad([0.4, 0.3, 0.3], [2.01, 1, 1], 2).quiet).toBe(false);
    expect(benchLoad([13.8, 9, 9], [0.3, 1, 1], 2).quiet).toBe(false);
    expect(benchLoad([1.234567, 0, 0], [1, 0, 0], 2).before[0]).toBe(1.23);
    // a mode whose own processes (shards, a database) load the machine is judged by the load before it alone
    expect(benchLoad([0.4, 0.3, 0.3], [3.5, 1, 1], 2, true).quiet).toBe(true);
    expect(benchLoad([2.4, 0.3, 0.3], [0.5, 1, 1], 2, true).quiet).toBe(false);
  });

  it('the docs name each run’s load, and say a loaded run is not evidence', async () => {
    // @ts-expect-error: a plain ES module script, no types
    const { loadNote } = await import('../../scripts/bench-docs.mjs');
    const machine = { cores: 2 };
    expect(loadNote({ machine, load: { before: [0.31, 0, 0], after: [1.2, 0, 0], cores: 2, quiet: true } })).toBe('load 0.31 → 1.20');
    expect(loadNote({ machine, load: { before: [0.3, 0, 0], after: [3, 0, 0], cores: 2, quiet: false } })).toBe('load 0.30 → 3.00, above the 2 cores: not evidence');
    expect(loadNote({ machine, result: { loadAverage: [13.82, 21.15] } })).toBe('load 13.82 → 21.15, above the 2 cores: not evidence');
    expect(loadNote({ machine })).toBe('load not recorded');
  });
});
