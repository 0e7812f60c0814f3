/**
 * Issue 13, done-when: mutate valid books, markets and params (wrong types, missing and extra fields,
 * prototype names, extreme numbers, duplicated and reordered rows) and check that every method either
 * returns a report or throws ONE InputError with paths — never another exception, never a NaN margin,
 * never zero margin for an account with material positions whose status is not `error` — and that the
 * CLI, on a sample of the same inputs, never prints a stack trace.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { InputError } from '../../src/errors.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';
import type { MarginReport } from '../../src/margin/report.js';
import { marginCore } from '../support/cli.js';
import { smallBook, smallMarket } from './fixtures.js';

type Json = any;
type Doc = 'book' | 'market' | 'params';

function baseParams(): Json {
  return {
    linear: { BTC: [{ upTo: 50_000, imRate: 0.008, mmRate: 0.004 }, { imRate: 0.01, mmRate: 0.005 }] },
    options: { default: { imBase: 0.15, imFloor: 0.1, mmRate: 0.075 } },
    collateral: { ETH: { brackets: [{ upTo: 2e6, imHaircut: 0.07, mmHaircut: 0.035 }, { imHaircut: 0.15, mmHaircut: 0.075 }], liabilityWeightIm: 1.1, liabilityWeightMm: 1.05 } },
    portfolio: { aggregation: 'correlation', stableAssets: ['USDC', 'USDT'], assets: { BTC: { spotRange: 0.2, tails: [{ move: -0.5, weight: 0.3 }] } } },
    var: { model: 'delta-normal', confidence: 0.99, scenarios: 200, floorRate: 0.01 },
  };
}

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);
const VALUES: unknown[] = [
  null, true, false, 'x', '', [], {}, [1], { a: 1 }, 0, -0, -1, 1, 2.5, 12, 51, NaN, Infinity, -Infinity, 1e300, -1e300, 1e-300, 5e-324,
  Number.MAX_VALUE, 1e100, 1e-100, 1e101, '2026-11-20T08:00:00Z', '2099-01-01T00:00:00Z', 'BTC', 'USDC', 'BTC-PERP', 'call', 'option',
  'future', 'monte-carlo', 'historical', 'ewma', 'sum', ...PROTO_NAMES,
];
const EXTREMES = [0, -0, 5e-324, 1e-300, 1e-100, 1e-15, 1e-8, 0.999999, 1.000001, 9.99, 49.9, 1e8, 1e15, 1e100, 1e300, Number.MAX_VALUE, -1e-300, -1e15, -1e300];
const EXTRA_KEYS = ['extra', 'multipler', 'isolatedMargn', 'imrate', 'Quantity', 'strike', 'expiry', 'right', ...PROTO_NAMES];

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), value: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({ kind: fc.constant('add' as const), key: fc.constantFrom(...EXTRA_KEYS), value: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant('duplicate' as const) }),
  fc.record({ kind: fc.constant('reverse' as const) }),
  fc.record({ kind: fc.constant('rename' as const), name: fc.constantFrom(...PROTO_NAMES), everywhere: fc.boolean() }),
  // A number replaced by another number, so that more inputs pass validation and reach the kernels.
  fc.record({ kind: fc.constant('extreme' as const), value: fc.constantFrom(...EXTREMES) }),
);
const mutationArb = fc.record({ doc: fc.constantFrom<Doc>('book', 'market', 'params'), at: fc.nat(), op: opArb });
type Mutation = ReturnType<typeof mutationArb.generate>['value'];

interface Slot { parent: Json; key: string | number; value: unknown }

/** Every (parent, key) in the tree, parents before children. */
function slots(root: Json): Slot[] {
  const out: Slot[] = [];
  const walk = (node: Json) => {
    if (typeof node !== 'object' || node === null) return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      out.push({ parent: node, key, value: node[key] });
      walk(node[key]);
    }
  };
  walk(root);
  return out;
}

/** Sets an own data property (as JSON.parse does, even for `__proto__`). */
function put(target: Json, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Applies one mutation in place to docs (book, market, params); JSON texts are re-parsed for a global rename. */
function mutate(docs: Record<Doc, Json>, m: Mutation): void {
  const all = slots(docs[m.doc]);
  if (all.length === 0) return;
  const slot = all[m.at % all.length];
  const op = m.op;
  switch (op.kind) {
    case 'set':
      put(slot.parent, slot.key, structuredClone(op.value));
      return;
    case 'delete':
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key];
      return;
    case 'add': {
      const objects = all.filter((s) => typeof s.value === 'object' && s.value !== null && !Array.isArray(s.value)).map((s) => s.value);
      const target = [docs[m.doc], ...objects][m.at % (objects.length + 1)];
      if (!Array.isArray(target)) put(target, op.key, structuredClone(op.value));
      return;
    }
    case 'duplicate':
    case 'reverse': {
      const arrays = all.filter((s) => Array.isArray(s.value)).map((s) => s.value as unknown[]);
      if (arrays.length === 0) return;
      const target = arrays[m.at % arrays.length];
      if (op.kind === 'reverse') target.reverse();
      else if (target.length > 0) target.push(structuredClone(target[m.at % target.length]));
      return;
    }
    case 'extreme': {
      const numbers = all.filter((s) => typeof s.value === 'number');
      if (numbers.length > 0) put(numbers[m.at % numbers.length].parent, numbers[m.at % numbers.length].key, op.value);
      return;
    }
    case 'rename': {
      const strings = all.filter((s) => typeof s.value === 'string' && s.value !== '');
      if (strings.length === 0) return;
      const old = strings[m.at % strings.length].value as string;
      if (!op.everywhere) {
        put(strings[m.at % strings.length].parent, strings[m.at % strings.length].key, op.name);
        return;
      }
      // The same id renamed in every document, as keys and as values: a consistent book with a prototype name.
      for (const doc of ['book', 'market', 'params'] as const) {
        docs[doc] = JSON.parse(JSON.stringify(docs[doc]).split(JSON.stringify(old)).join(JSON.stringify(op.name)));
      }
    }
  }
}

function inputsOf(mutations: readonly Mutation[]): Record<Doc, Json> {
  const docs: Record<Doc, Json> = { book: smallBook(), market: smallMarket(), params: baseParams() };
  for (const m of mutations) mutate(docs, m);
  return docs;
}

/**
 * An account position that every method must charge for under the base params: linear, or a short
 * option, with a notional far from under- and overflow. (A long option needs its mark value only,
 * which may be 0; a zero quantity needs nothing.)
 */
function material(book: Json, market: Json, accountId: string): boolean {
  const account = (book.accounts as Json[]).find((a) => a?.id === accountId);
  const instruments = new Map((book.instruments as Json[]).map((i) => [i.id, i]));
  return (account?.positions ?? []).some((p: Json) => {
    const instrument = instruments.get(p.instrument);
    const price = Object.hasOwn(market.assets, instrument.underlying) ? market.assets[instrument.underlying].price : NaN;
    const notional = Math.abs(p.quantity * (instrument.multiplier ?? 1) * price);
    return (instrument.kind !== 'option' || p.quantity < 0) && notional >= 1e-150 && notional <= 1e150;
  });
}

/** What the property demands of one margin call. */
function checkCall(run: () => MarginReport, docs: Record<Doc, Json>, paramsMutated: boolean, what: string): void {
  let report: MarginReport;
  try {
    report = run();
  } catch (error) {
    if (!(error instanceof InputError)) throw new Error(`${what}: ${error instanceof Error ? error.stack : String(error)}`);
    expect(error.problems.length, what).toBeGreaterThan(0);
    for (const p of error.problems) {
      expect(p.path, what).toMatch(/\S/);
      expect(p.message, what).toMatch(/\S/);
    }
    return;
  }
  expect(report.totals.accounts, what).toBe(report.accounts.length);
  for (const a of report.accounts) {
    if (a.status === 'error') {
      expect(a.error, what).toMatch(/\S/);
      continue;
    }
    expect(Number.isFinite(a.im) && Number.isFinite(a.mm) && a.im >= 0 && a.mm >= 0, `${what}: ${a.id} im ${a.im} mm ${a.mm}`).toBe(true);
    expect(Number.isNaN(a.equity), `${what}: ${a.id} equity`).toBe(false);
    if (!paramsMutated && material(docs.book, docs.market, a.id)) expect(a.im, `${what}: ${a.id} has positions but zero margin`).toBeGreaterThan(0);
  }
}

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 3 });

describe('mutated inputs: a report or one InputError, never a crash or a silent NaN / zero', () => {
  it('the library, every method with breakdown', () => {
    fc.assert(
      fc.property(mutationsArb, (mutations) => {
        const docs = inputsOf(mutations);
        const paramsMutated = mutations.some((m) => m.doc === 'params' || (m.op.kind === 'rename' && m.op.everywhere));
        for (const method of MARGIN_METHODS) {
          checkCall(() => engine.margin(docs.book, docs.market, { method, params: docs.params, breakdown: true }), docs, paramsMutated, `${method} ${JSON.stringify(mutations)}`);
        }
        // The lenient option turns only unknown fields into warnings: the same guarantees hold.
        checkCall(() => engine.margin(docs.book, docs.market, { method: 'cross', params: docs.params, lenient: true, repairCorrelation: true }), docs, paramsMutated, `lenient ${JSON.stringify(mutations)}`);
      }),
      { numRuns: 250, seed: 20261120 },
    );
  });

  it('the CLI on a sample: never a stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'margin-core-props-'));
    const samples = fc.sample(mutationsArb, { numRuns: 8, seed: 7 });
    for (const [i, mutations] of samples.entries()) {
      const docs = inputsOf(mutations);
      const files = { book: join(dir, `book-${i}.json`), market: join(dir, `market-${i}.json`), params: join(dir, `params-${i}.json`) };
      await writeFile(files.book, JSON.stringify(docs.book));
      await writeFile(files.market, JSON.stringify(docs.market));
      await writeFile(files.params, JSON.stringify(docs.params));
      const method = MARGIN_METHODS[i % MARGIN_METHODS.length];
      const run = await marginCore('margin', '--book', files.book, '--market', files.market, '--params', files.params, '--method', method, '--format', i % 2 ? 'json' : 'table');
      expect(run.stderr, JSON.stringify(mutations)).not.toMatch(/\n {4}at /);
      expect([0, 1], `${JSON.stringify(mutations)}\n${run.stderr}`).toContain(run.code);
    }
  });
});
