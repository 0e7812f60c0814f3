/**
 * The built CLI (dist/cli.js) as a user runs it: demo, explain, bench, --help everywhere, exit codes
 * 0/1/2, and no progress-bar noise when stderr is not a terminal.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { marginCore, ROOT, SAMPLE } from './support/cli.js';
import { buildProgram } from '../src/cli/main.js';
import { USD_ONLY_METHODS } from './support/coin-books.js';
import { benchScript } from '../src/cli/commands/bench.js';
import { createEngine, type Engine } from '../src/engine.js';
import { MARGIN_METHODS } from '../src/methods/registry.js';
import type { ValidatedBook, ValidatedMarket } from '../src/model/types.js';
import { validateInputs } from '../src/model/validate.js';
import { explainAccount, marginByMethod, subBook } from '../src/report/explain.js';

const root = ROOT;
const sample = SAMPLE;


let engine: Engine;
let book: ValidatedBook;
let market: ValidatedMarket;

beforeAll(async () => {
  engine = await createEngine();
  const json = async (name: string) => JSON.parse(await readFile(join(sample, name), 'utf8'));
  ({ book, market } = validateInputs(await json('book.json'), await json('market.json')));
});

describe('explain on the engine', () => {
  it('gives each account the numbers of the full-book breakdown run, under every method', () => {
    const ids = ['distressed-000107', book.accounts[0].id, book.accounts[150].id, book.accounts[299].id];
    for (const method of MARGIN_METHODS) {
      const full = engine.margin(book, market, { method, breakdown: true });
      for (const id of ids) {
        expect(explainAccount(engine, book, market, id, method)).toEqual(full.accounts.find((a) => a.id === id));
      }
    }
  });
  it('computes one account under every method for the page’s bars', () => {
    const id = book.accounts[10].id;
    const bars = marginByMethod(engine, book, market, id);
    expect(bars.map((b) => b.method)).toEqual([...MARGIN_METHODS]);
    for (const b of bars) {
      const row = engine.margin(book, market, { method: b.method }).accounts.find((a) => a.id === id)!;
      expect([b.im, b.mm, b.status]).toEqual([row.im, row.mm, row.status]);
    }
  });
  it('rejects unknown accounts as input errors naming each one', () => {
    expect(() => subBook(book, ['nobody', book.accounts[0].id, 'ghost'])).toThrow(/account: no account "nobody" in the book \(302 accounts\).*account: no account "ghost"/);
    // one slip from a known id (its case, or an edit): the id meant is suggested
    const id = book.accounts[0].id;
    expect(() => subBook(book, [id.toUpperCase()])).toThrow(`no account "${id.toUpperCase()}" in the book (302 accounts; did you mean "${id}"?)`);
    expect(() => subBook(book, [`${id}x`])).toThrow(`did you mean "${id}"?`);
  });
});

describe('margin-core explain', () => {
  it('prints positions, collateral with haircuts, and the headline numbers as a table', async () => {
    const { code, stdout, stderr } = await marginCore('explain', 'distressed-000107', '--method', 'isolated');
    expect(code).toBe(0);
    expect(stderr).toBe(''); // no progress bar when stderr is not a terminal
    expect(stdout).toMatch(/^account distressed-000107 under isolated margin: bankrupt/);
    expect(stdout).toMatch(/positions \(1\):\ninstrument\s+quantity/);
    expect(stdout).toMatch(/collateral \(haircut/);
    expect(stdout).toMatch(/isolated margin on wasm-simd, valued 2026-11-20T08:00:00Z/);
  });
  it('prints the account as JSON, identical to the engine’s row', async () => {
    const id = book.accounts[42].id;
    const { code, stdout } = await marginCore('explain', id, '--format', 'json', '--book', join(sample, 'book.json'), '--market', join(sample, 'market.json'));
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed.method).toBe('cross');
    expect(stdout).toBe(JSON.stringify({ method: 'cross', valuationTime: market.valuationTime, backend: engine.backend, account: explainAccount(engine, book, market, id, 'cross'), liquidation: null }, null, 2) + '\n');
  });
  it('shows the liquidation plan of an account below MM: its part of the whole book\'s liquidation', async () => {
    const plan = engine.liquidate(book, market, { method: 'portfolio' }).accounts.find((a) => a.id === 'distressed-000162')!;
    expect(plan.steps.length).toBeGreaterThan(0);
    const json = await marginCore('explain', 'distressed-000162', '--method', 'portfolio', '--format', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).liquidation).toEqual(JSON.parse(JSON.stringify(plan)));
    const text = await marginCore('explain', 'distressed-000162', '--method', 'portfolio');
    expect(text.stdout).toMatch(new RegExp(`liquidation: resolved, ${plan.steps.length} steps`));
    expect(text.stdout).toMatch(/^ +1 +DOGE-PERP .* market /m);
    expect(text.stdout).toMatch(/equity waterfall: 28,894.35 - slippage [\d,.]+ - fees and discounts [\d,.]+ \+ insurance fund 0.00 \+ ADL 0.00 = [\d,.]+/);
  });
  it('exits 1 naming an unknown account, and 2 on usage errors (an unknown method is a bad option value)', async () => {
    const unknown = await marginCore('explain', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/account: no account "nobody" in the book/);
    expect((await marginCore('explain', 'x', '--method', 'nonsense')).code).toBe(2);
    expect((await marginCore('explain', 'x', '--book', join(sample, 'book.json'))).code).toBe(2); // --market missing
    expect((await marginCore('explain')).code).toBe(2); // no account
  });
  it('reports bad input files with their paths (exit 1)', async () => {
    const bad = await marginCore('explain', 'x', '--book', join(sample, 'market.json'), '--market', join(sample, 'market.json'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/instruments/);
  });
});

describe('margin-core demo', () => {
  it('says what each default is calibrated to, compares at the defaults and at equal coverage, liquidates, stresses a path and concludes', async () => {
    const { code, stdout, stderr } = await marginCore('demo');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/book: 302 accounts, 847 instruments \(830 options\)/);
    const sections = [...stdout.matchAll(/^(\d)\. (.*)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(stdout).toMatch(/^1\. What each method's defaults are calibrated to/m);
    expect(stdout).toMatch(/^8\. Conclusion: efficiency against resilience on Crash path/m);
    for (const method of MARGIN_METHODS) {
      // at the defaults: healthy, margin call, liquidatable, bankrupt, error, total IM, notional/IM
      // the USD-only methods set the sample's two BTC-margined accounts aside (error), and say their total is partial
      const errors = USD_ONLY_METHODS.includes(method) ? '2\\s+[\\d,]+ \\(300 of 302\\)' : '0\\s+[\\d,]+';
      expect(stdout).toMatch(new RegExp(`^${method}\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s+${errors}\\s+[\\d.]+×$`, 'm'));
      // at equal coverage: requirement, ÷ loss, covered, scale, at equal coverage, notional/requirement, freed
      expect(stdout).toMatch(new RegExp(`^${method}\\s+[\\d,]+\\s+[\\d.]+\\s+[\\d.]+%\\s+[\\d.]+\\s+[\\d,]+\\s+[\\d.]+×\\s+(reference|-?[\\d.]+%)$`, 'm'));
      // liquidation: below MM, bankrupt, resolved, in deficit, steps, closed notional, fees liq. / fund
      expect(stdout).toMatch(new RegExp(`^${method}\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s+[\\d,]+\\s+[\\d,]+ / [\\d,]+`, 'm'));
      expect(stdout).toMatch(new RegExp(`^${method} kernels\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+`, 'm'));
    }
    expect(stdout).toMatch(/The 10 riskiest accounts/);
    expect(stdout).toMatch(/^distressed-000107\s+bankrupt/m);
    expect(stdout).toMatch(/^Reports bit-identical on wasm-simd, wasm-scalar, js/m);
    expect(stdout).toMatch(/Plans bit-identical on wasm-simd,\s+wasm-scalar, js/);
    expect(stdout).toMatch(/Money conserved to \d(\.\d)?(e-\d+)? USD in every run/);
    expect(stdout).toMatch(/^How a liquidation goes: \S+ under cross margin/m);
    expect(stdout).toMatch(/Greeks of the option chain.*\n.*\(bit-identical\)/);
    // every calibration source is indented under its method, and every line fits a 120-column terminal
    expect(stdout).not.toMatch(/^\(/m);
    expect(Math.max(...stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(120);
    expect(stdout).toMatch(/^Next \(each runs from the installed package/m);
  });
});

describe('help and the bench command', () => {
  it('answers --help on the program and on every command with exit 0', async () => {
    for (const args of [['--help'], ...['demo', 'margin', 'explain', 'greeks', 'generate', 'bench'].map((c) => [c, '--help'])]) {
      const { code, stdout } = await marginCore(...args);
      expect(code, args.join(' ')).toBe(0);
      expect(stdout).toMatch(/^Usage: margin-core/);
    }
  });
  it('every command\'s --help ends with an example (docs/cli.md: "its options and an example")', () => {
    const missing: string[] = [];
    for (const command of buildProgram().commands) {
      let text = '';
      command.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
      command.outputHelp();
      if (!/\nExamples?[^\n]*:\n {2}([A-Z_]+=[^\n]*? )?margin-core /.test(text)) missing.push(command.name());
    }
    expect(missing).toEqual([]);
  });
  it('finds the benchmark bundle the suite runs', () => {
    expect(benchScript()).toBe(join(root, 'dist', 'bench.js'));
  });
  it('exits 2 on an unknown command', async () => {
    expect((await marginCore('nonsense')).code).toBe(2);
  });
});
