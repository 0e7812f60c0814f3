/**
 * docs/dynamic-margin.md's backtest table is the bundled `margin-core backtest` (EWMA rows): a change of results must
 * not leave the page reading figures the command no longer prints (its breaches and p-values went stale once).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { marginCore, ROOT } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

interface Series { coverage: { breaches: number; christoffersen: { pValue: number } }; totalMargin: number[] }

it('the EWMA rows of the backtest table are what margin-core backtest prints', async () => {
  const out = join(scratchDir('backtest-table'), 'backtest.json');
  const run = await marginCore('backtest', '--format', 'json', '--out', out);
  expect(run.code, run.stderr).toBe(0);
  const series = (JSON.parse(readFileSync(out, 'utf8')) as { series: Record<'static' | 'dynamic' | 'apc', Series> }).series;
  const page = readFileSync(join(ROOT, 'docs', 'dynamic-margin.md'), 'utf8');
  const row = (forecast: string, margin: string) => {
    const cells = new RegExp(`^\\| ${forecast} \\| ${margin} \\| ([^|]+) \\| [^|]+ \\| ([^|]+) \\| ([^|]+) \\|`, 'm').exec(page);
    expect(cells, `docs/dynamic-margin.md: the row "${forecast} | ${margin}"`).not.toBeNull();
    const [, breaches, christoffersen, meanIm] = cells!.map((c) => c.trim().replace(/,/g, ''));
    return { breaches: Number(breaches), christoffersen: Number(christoffersen), meanIm: Number(meanIm) };
  };
  for (const [forecast, margin, key] of [['—', 'static', 'static'], ['EWMA λ 0.94', 'dynamic', 'dynamic'], ['EWMA λ 0.94', 'dynamic \\+ APC buffer', 'apc']] as const) {
    const s = series[key], docs = row(forecast, margin);
    expect(docs.breaches).toBe(s.coverage.breaches);
    expect(docs.meanIm).toBe(Math.round(s.totalMargin.reduce((sum, x) => sum + x, 0) / s.totalMargin.length));
    // as printed: two significant digits below 0.001, else three decimals
    const p = s.coverage.christoffersen.pValue;
    expect(docs.christoffersen).toBe(p < 1e-3 ? Number(p.toPrecision(2)) : Number(p.toFixed(3)));
  }
}, 60_000);
