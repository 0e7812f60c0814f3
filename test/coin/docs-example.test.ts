/**
 * docs/coin-margined.md's worked example, run as the page shows it: the book and market JSON blocks after their
 * `<!-- example: … -->` markers, margined under `cross` on every backend, against the page's table of figures (in BTC
 * and, × the index, in USD), which the page derives by hand from the documented formulas.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

const page = readFileSync(new URL('../../docs/coin-margined.md', import.meta.url), 'utf8');

/** The fenced block after `<!-- example: name -->`. */
function block(name: string): string {
  const at = page.indexOf(`<!-- example: ${name} -->`);
  expect(at).toBeGreaterThan(0);
  const from = page.indexOf('\n', page.indexOf('```', at)) + 1;
  return page.slice(from, page.indexOf('```', from));
}

/** The (unfenced) markdown table after `<!-- example: figures -->`. */
function figureTable(): string {
  const at = page.indexOf('<!-- example: figures -->');
  return page.slice(page.indexOf('\n', at) + 1, page.indexOf('\n\n', at + 1));
}

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

describe('docs/coin-margined.md: the worked example', () => {
  it('gives the page\'s figures in BTC and USD, on every backend', () => {
    const book = JSON.parse(block('book'));
    const market = JSON.parse(block('market'));
    const rows = engines.map((e) => e.margin(book, market, { method: 'cross' }).accounts[0]);
    for (const r of rows) expect(JSON.stringify(r)).toBe(JSON.stringify(rows[0]));
    const r = rows[0];
    expect(r.marginCurrency).toBe('BTC');
    const table = new Map(figureTable().trim().split('\n').slice(2).map((line) => {
      const [name, btc, usd] = line.split('|').slice(1, 4).map((cell) => cell.trim());
      return [name, [Number(btc), Number(usd.replaceAll(',', ''))]] as const;
    }));
    const shown = { equity: [r.equity, r.usd!.equity], IM: [r.im, r.usd!.im], MM: [r.mm, r.usd!.mm] } as const;
    for (const [name, [btc, usd]] of table) {
      const [gotBtc, gotUsd] = shown[name as keyof typeof shown];
      expect(Math.abs(gotBtc - btc)).toBeLessThan(5e-9); // the page rounds to 8 decimals
      expect(gotUsd).toBeCloseTo(usd, 6);
    }
    expect(table.size).toBe(3);
  });
});
