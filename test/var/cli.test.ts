import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { marginCore, SAMPLE } from '../support/cli.js';

const sample = SAMPLE;


test('`margin-core margin --method var` runs every model from a params file, and bad params exit 1 with paths', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'margin-core-var-'));
  const base = ['margin', '--book', join(sample, 'book.json'), '--market', join(sample, 'market.json'), '--method', 'var'];
  const table = await marginCore(...base);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/var margin on wasm-simd.*302 accounts/);
  const params = join(dir, 'params.json');
  await writeFile(params, JSON.stringify({ var: { model: 'monte-carlo', measure: 'es', confidence: 0.975, scenarios: 500, seed: 9, horizonDays: 2 } }));
  const json = JSON.parse((await marginCore(...base, '--params', params, '--format', 'json', '--breakdown')).stdout);
  expect(json.method).toBe('var');
  expect(json.accounts).toHaveLength(302);
  const explained = json.accounts.find((a: { var: { components: unknown[] } }) => a.var.components.length > 0);
  expect(explained.var).toMatchObject({ model: 'monte-carlo', measure: 'es', confidence: 0.975, horizonDays: 2, scenarios: 500 });
  await writeFile(params, JSON.stringify({ var: { model: 'historical', confidence: 1.5 } }));
  const bad = await marginCore(...base, '--params', params);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('params.var.confidence: must be in [0.5, 1), got 1.5');
  expect(bad.stderr).toContain('params.var.returns: required by model historical');
});
