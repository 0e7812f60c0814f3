/**
 * Issue 13 item 5: ids are data. A book, market and params whose asset, instrument and account ids are
 * every name of Object.prototype (`constructor`, `__proto__`, `hasOwnProperty`, `toString`, …) must give
 * the numbers of the same inputs with plain names, in the library (every method, breakdown on) and in
 * the CLI, instead of crashing on an inherited method or writing through `__proto__`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import type { MarginMethod } from '../../src/margin/report.js';
import { validateRuleBasedParams } from '../../src/margin/validate-params.js';
import { marginCore } from '../support/cli.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';

const NAMES = Object.getOwnPropertyNames(Object.prototype);
/** A plain name per prototype name, in the same sort order (the prefix is shared), never a prototype name. */
const plain = (name: string) => `Q${name}`;

/** JSON built as text, so that `"__proto__"` keys are own data keys exactly as when a file is read. */
function parse(text: string): unknown {
  return JSON.parse(text);
}

/** One asset, one instrument and one account per name; `id` maps a name to the id used. */
function inputs(id: (name: string) => string) {
  const q = (name: string) => JSON.stringify(id(name));
  const expiry = '2026-12-25T08:00:00Z';
  const instruments = NAMES.map((n, i) =>
    i % 2 === 0
      ? `{"id": ${q(n)}, "kind": "option", "underlying": ${q(n)}, "right": "${i % 4 === 0 ? 'call' : 'put'}", "strike": ${100 + 10 * i}, "expiry": "${expiry}"}`
      : `{"id": ${q(n)}, "kind": "perpetual", "underlying": ${q(n)}, "multiplier": 2}`,
  );
  const accounts = NAMES.map((n, i) => {
    const next = NAMES[(i + 1) % NAMES.length];
    const positions = [`{"instrument": ${q(n)}, "quantity": ${i % 3 === 0 ? -3 : 2}, "entryPrice": ${i % 2 === 0 ? 12 : 98}${i % 5 === 0 ? ', "isolatedMargin": 150' : ''}}`,
      `{"instrument": ${q(next)}, "quantity": 1, "entryPrice": 20}`];
    return `{"id": ${q(n)}, "positions": [${positions.join(', ')}], "collateral": [{"asset": ${q(n)}, "amount": ${1 + i}}, {"asset": "USDC", "amount": 2000}]}`;
  });
  const book = parse(`{"instruments": [${instruments.join(', ')}], "accounts": [${accounts.join(', ')}]}`);
  const assets = NAMES.map((n, i) => `${q(n)}: {"price": ${100 + 5 * i}, "vol": ${0.4 + 0.02 * i}, "rate": 0.03, "carry": 0.01}`);
  const marks = NAMES.filter((_, i) => i % 2 === 1).map((n) => `${q(n)}: ${101 + NAMES.indexOf(n) * 5}`);
  const vols = NAMES.filter((_, i) => i % 2 === 0).map((n, k) => `${q(n)}: ${0.5 + 0.01 * k}`);
  const k = NAMES.length;
  const rows = NAMES.map((_, i) => `[${NAMES.map((__, j) => (i === j ? 1 : 0.3)).join(', ')}]`);
  const market = parse(`{"valuationTime": "2026-11-20T08:00:00Z", "assets": {${assets.join(', ')}, "USDC": {"price": 1, "vol": 0}},
    "marks": {${marks.join(', ')}}, "impliedVols": {${vols.join(', ')}},
    "correlation": {"assets": [${NAMES.map(q).join(', ')}], "matrix": [${rows.join(', ')}]}}`);
  const byAsset = (rule: string) => NAMES.map((n) => `${q(n)}: ${rule}`).join(', ');
  const returns = Array.from({ length: 30 }, (_, t) => `[${NAMES.map((__, j) => (((t * 7 + j * 3) % 11) - 5) / 400).join(', ')}]`);
  const params = parse(`{
    "linear": {${byAsset('[{"upTo": 1000, "imRate": 0.03, "mmRate": 0.015}, {"imRate": 0.06, "mmRate": 0.03}]')}},
    "options": {${byAsset('{"imBase": 0.2, "imFloor": 0.12, "mmRate": 0.08}')}},
    "collateral": {${byAsset('{"brackets": [{"upTo": 500, "imHaircut": 0.1, "mmHaircut": 0.05}, {"imHaircut": 0.3, "mmHaircut": 0.15}], "liabilityWeightIm": 1.2, "liabilityWeightMm": 1.1}')}},
    "portfolio": {"aggregation": "correlation", "stableAssets": ["USDC"], "assets": {${byAsset('{"spotRange": 0.2}')}}},
    "var": {"model": "historical", "returns": {"assets": [${NAMES.map(q).join(', ')}], "matrix": [${returns.join(', ')}]}}
  }`);
  return { book, market, params };
}

/** Report JSON of the plain-named run with the plain names turned back into the prototype names. */
function renamed(text: string): string {
  let out = text;
  for (const n of NAMES) {
    out = out.split(JSON.stringify(plain(n))).join(JSON.stringify(n));
    out = out.split(`isolated position ${plain(n)}:`).join(`isolated position ${n}:`); // named inside a status reason
  }
  return out;
}

/** Each method once, the var method under each model (each reads the correlation or the returns differently). */
const RUNS: { method: MarginMethod; params?: (p: any) => unknown }[] = [
  { method: 'isolated' },
  { method: 'cross' },
  { method: 'portfolio' },
  { method: 'var', params: (p) => ({ ...p, var: { model: 'delta-normal' } }) },
  { method: 'var', params: (p) => ({ ...p, var: { model: 'monte-carlo', scenarios: 200 } }) },
  { method: 'var' },
];

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('Object.prototype names as ids', () => {
  it('the inputs really use them as own keys', () => {
    const { market, params } = inputs((n) => n) as any;
    expect(Object.keys(market.assets)).toEqual([...NAMES, 'USDC']);
    expect(Object.keys(params.linear)).toContain('__proto__');
  });

  it('a params rule for "__proto__" is a rule for that asset, not a new prototype for the section', () => {
    const rule = [{ imRate: 0.5, mmRate: 0.25 }];
    const params = validateRuleBasedParams(JSON.parse(`{"linear": {"__proto__": ${JSON.stringify(rule)}}}`));
    expect(Object.keys(params.linear)).toEqual(['BTC', 'ETH', 'default', '__proto__']);
    expect(params.linear.__proto__).toEqual([{ upTo: Infinity, imRate: 0.5, mmRate: 0.25 }]);
    expect(Object.hasOwn(params.linear, 'toString')).toBe(false);
    expect(params.linear.toString).toBeUndefined(); // no prototype: nothing inherited to mistake for a rule
  });

  it('the library gives the numbers of plain names, under every method with breakdown, with rules per name or defaults', () => {
    const proto = inputs((n) => n);
    const base = inputs(plain);
    for (const run of RUNS) {
      // With rules for every name (looked up by key), and with none (a name must not find an inherited "rule").
      for (const ruled of [true, false]) {
        const options = (x: typeof proto) => {
          const params = ruled ? x.params : {};
          return { method: run.method, breakdown: true, params: run.params ? run.params(params) : params };
        };
        const got = engine.margin(proto.book, proto.market, options(proto));
        const want = engine.margin(base.book, base.market, options(base));
        const what = `${run.method} ${JSON.stringify(options(proto).params).slice(0, 40)}`;
        expect(got.accounts.map((a) => a.id)).toEqual(NAMES);
        expect(got.accounts.every((a) => a.status !== 'error' && a.im > 0), what).toBe(true);
        expect(JSON.stringify(got), what).toBe(renamed(JSON.stringify(want)));
      }
    }
    const compared = engine.compareMethods(proto.book, proto.market, { params: proto.params });
    expect(JSON.stringify(compared)).toBe(renamed(JSON.stringify(engine.compareMethods(base.book, base.market, { params: base.params }))));
  });

  it('the CLI gives the same JSON, prints its tables and explains such an account', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'margin-core-proto-'));
    const files = async (tag: string, x: ReturnType<typeof inputs>) => {
      const paths = { book: join(dir, `${tag}-book.json`), market: join(dir, `${tag}-market.json`), params: join(dir, `${tag}-params.json`) };
      await writeFile(paths.book, JSON.stringify(x.book));
      await writeFile(paths.market, JSON.stringify(x.market));
      await writeFile(paths.params, JSON.stringify(x.params));
      return paths;
    };
    const proto = await files('proto', inputs((n) => n));
    const base = await files('plain', inputs(plain));
    const margin = (f: typeof proto, ...more: string[]) => marginCore('margin', '--book', f.book, '--market', f.market, '--params', f.params, ...more);
    for (const method of MARGIN_METHODS) {
      const got = await margin(proto, '--method', method, '--format', 'json', '--breakdown');
      const want = await margin(base, '--method', method, '--format', 'json', '--breakdown');
      expect(got.stderr, method).toBe('');
      expect(got.code, method).toBe(0);
      expect(got.stdout, method).toBe(renamed(want.stdout));
      const defaults = await marginCore('margin', '--book', proto.book, '--market', proto.market, '--method', method, '--format', 'json');
      expect(defaults.stdout, method).toBe(renamed((await marginCore('margin', '--book', base.book, '--market', base.market, '--method', method, '--format', 'json')).stdout));
      const table = await margin(proto, '--method', method);
      expect(table.code, method).toBe(0);
      for (const n of NAMES) expect(table.stdout).toContain(n);
      const csv = await margin(proto, '--method', method, '--format', 'csv');
      expect(csv.stdout.split('\n').filter((line) => line !== '')).toHaveLength(NAMES.length + 1);
    }
    for (const id of ['__proto__', 'constructor', 'hasOwnProperty']) {
      const explained = await marginCore('explain', id, '--book', proto.book, '--market', proto.market, '--params', proto.params, '--method', 'portfolio');
      expect(explained.stderr).toBe('');
      expect(explained.stdout).toContain(`account ${id} under portfolio margin`);
    }
    const greeks = await marginCore('greeks', '--book', proto.book, '--market', proto.market, '--format', 'json');
    expect(JSON.parse(greeks.stdout).options.map((o: { instrument: string }) => o.instrument)).toEqual(NAMES.filter((_, i) => i % 2 === 0));
  });
});
