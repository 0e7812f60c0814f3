import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { marginCore, SAMPLE } from '../support/cli.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';

const base = ['stress', '--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json')];

test('`margin-core stress` runs a bundled shock under every method: rounds, the efficiency–resilience table, reverse and Monte Carlo', async () => {
  const all = await marginCore(...base, '--shock', 'btc-crash', '--method', 'all');
  expect(all.code).toBe(0);
  expect(all.stdout).toContain('Shock: BTC crash');
  for (const method of MARGIN_METHODS) expect(all.stdout).toContain(`Cascade under ${method} margin:`);
  expect(all.stdout).toMatch(/Efficiency \(gross notional \/ IM before the shock\) against resilience/);
  const more = await marginCore(...base, '--shock', 'usdc-depeg', '--reverse', '--paths', '20', '--seed', '3');
  expect(more.code).toBe(0);
  expect(more.stdout).toContain('Reverse stress test');
  expect(more.stdout).toMatch(/Monte Carlo stress: 20 correlated 1-day shocks \(seed 3\)/);
  const json = JSON.parse((await marginCore(...base, '--shock', 'crash-path', '--format', 'json')).stdout);
  expect(json.shock.steps).toHaveLength(3);
  expect(json.cascades[0].stops.map((s: { step: number }) => s.step)).toEqual([1, 2, 3]);
  const csv = (await marginCore(...base, '--shock', 'correlated-crash', '--format', 'csv', '--method', 'portfolio')).stdout.split('\n');
  expect(csv[0]).toBe('method,round,step,accountsLiquidated,accountsBankrupt,liquidatedNotional,fees,badDebt,insuranceFund,adlNotional,prices,impactMove');
  expect(csv[1]).toMatch(/^portfolio,1,1,/);
});

test('`margin-core stress` with a bad shock exits 1 with every problem and its path; a missing shock names the bundled ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'margin-core-stress-'));
  const shock = join(dir, 'shock.json');
  await writeFile(shock, JSON.stringify({ spot: { BTX: -0.3 }, impact: { default: { model: 'sqrt', y: 1, advUsd: 0 } } }));
  const bad = await marginCore(...base, '--shock', shock);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('shock.impact.default.advUsd: 0 is not above 0');
  expect(bad.stderr).toContain('shock.spot.BTX: unknown asset (did you mean "BTC"?)');
  expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
  const missing = await marginCore(...base, '--shock', 'moon-landing');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('--shock: moon-landing: no such file, nor a bundled shock (broken-correlation, btc-crash, correlated-crash, crash-path, usdc-depeg)');
  await writeFile(shock, '{ "spot": ');
  const syntax = await marginCore(...base, '--shock', shock);
  expect(syntax.code).toBe(1);
  expect(syntax.stderr).toContain(`--shock: ${shock}:1:11: not valid JSON (line 1, column 11): expected a value, found the end of the text`);
  const usage = await marginCore(...base, '--shock', 'btc-crash', '--paths', 'many');
  expect(usage.code).toBe(2);
});
