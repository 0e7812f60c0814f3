/** `margin-core compare`: the library's equal-coverage figures, as JSON, CSV and a table a terminal can show. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/engine.js';
import { coverageByAccount, equalCoverage, referenceLossParams } from '../src/report/coverage.js';
import { marginCore, SAMPLE } from './support/cli.js';

const methods = ['isolated', 'cross', 'portfolio'] as const;
let engine: Engine;
const read = (name: string) => JSON.parse(readFileSync(join(SAMPLE, name), 'utf8'));

beforeAll(async () => {
  engine = await createEngine();
});

describe('margin-core compare', () => {
  it('writes as JSON the library\'s equal coverage and per-account requirements', async () => {
    const { code, stdout } = await marginCore('compare', '--sample', '--methods', methods.join(','), '--format', 'json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    const [book, market] = [read('book.json'), read('market.json')];
    const reports = methods.map((method) => engine.margin(book, market, { method }));
    const reference = engine.margin(book, market, { method: 'var', params: referenceLossParams() });
    expect(json.equalCoverage).toEqual(JSON.parse(JSON.stringify(equalCoverage(reports, reference))));
    const accounts = coverageByAccount(reports, reference);
    expect(json.accounts).toHaveLength(accounts.length);
    expect(json.accounts[0]).toEqual({ id: accounts[0].id, loss: accounts[0].loss, requirement: Object.fromEntries(methods.map((m, k) => [m, accounts[0].requirement[k]])) });
    expect(Object.keys(json.calibrations)).toEqual([...methods]);
    expect(json.equalCoverage.rows[0].freedVsIsolated).toBe(0); // isolated against itself
  });

  it('writes one CSV row per account compared, and a table of the least covered within 120 columns', async () => {
    // a method named twice is compared once
    const csv = await marginCore('compare', '--sample', '--methods', 'cross,var,cross', '--format', 'csv');
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('id,loss,requirement_cross,requirement_var,coverage_cross,coverage_var');
    const table = await marginCore('compare', '--sample', '--methods', 'cross,var', '--top', '3');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`over the ${lines.length - 1} accounts that can lose`);
    const least = table.stdout.trimEnd().split('\n').slice(-4).map((l) => l.split(/\s+/)[0]);
    expect(least[0]).toBe('───────────────────────');
    expect(least.slice(1)).toHaveLength(3);
    expect(Math.max(...table.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(120);
  });

  it('names an unknown method with the nearest one, and a bad --top: usage errors (exit 2)', async () => {
    const bad = await marginCore('compare', '--sample', '--methods', 'cross,portfolo');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "portfolio"?');
    expect((await marginCore('compare', '--sample', '--top', 'many')).code).toBe(2);
  });
});
