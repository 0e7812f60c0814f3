/**
 * A liquidation report holds its accounts, steps and ADL fills as columns while the plan is made and builds
 * `report.accounts` and `report.adl` on first read (src/liquidation/plan-columns.ts, src/model/lazy-field.ts). What a reader
 * sees must not change: plain arrays of plain objects, keys in the documented order (report.ts), the same JSON,
 * structured clone, spread and util.inspect output before or after the first read, on every backend; and the report
 * outlives its session.
 */
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample, type LiquidationReport, validateInputs } from '../../src/index.js';
import { EAGER_PLAN_ROWS, liquidatePlan } from '../../src/liquidation/engine.js';
import type { StepFlow } from '../../src/liquidation/plan-columns.js';
import { liquidateSession } from '../../src/liquidation/liquidate-session.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

// a generated book with accounts below MM, some bankrupt past the fund (so ADL fills)
const sample = generateSample({ accounts: 3_000, seed: 7 });
const { book, market } = validateInputs(sample.book, sample.market);
const OPTIONS = { method: 'cross', liquidation: { insuranceFund: { balanceUsd: 0 } } };
let first: LiquidationReport | undefined;
const r0 = (): LiquidationReport => (first ??= fresh());
const fresh = (engine = engines[1], options: Record<string, unknown> = OPTIONS): LiquidationReport => engine.liquidate(book, market, options);

const REPORT_KEYS = ['method', 'valuationTime', 'backend', 'params', 'accounts', 'adl', 'totals'];
const STEP_KEYS = ['kind', 'id', 'quantity', 'markPrice', 'fillPrice', 'bankruptcyPrice', 'notional', 'routes', 'feeToLiquidator', 'feeToFund', 'fundChange', 'healthBefore', 'healthAfter', 'mmBefore', 'mmAfter'];
const SNAPSHOT_KEYS = ['status', 'equity', 'equityMm', 'mm', 'equityIm', 'im', 'health'];
const WATERFALL_KEYS = ['equityBefore', 'slippage', 'fees', 'insuranceFund', 'adl', 'writtenOff', 'equityAfter'];
const FILL_KEYS = ['account', 'from', 'instrument', 'quantity', 'price', 'markPrice', 'haircut', 'rank'];

describe('liquidation report built from columns', () => {
  it('reads as plain arrays of plain objects, keys in the documented order, counts matching the totals', () => {
    const r = fresh();
    expect(Object.keys(r)).toEqual(REPORT_KEYS);
    expect(r.adl.length).toBeGreaterThan(0);
    // the accounts liquidated, then those ADL took positions from
    expect(r.accounts).toHaveLength(r.totals.accountsBreaching + r.totals.accountsDeleveraged);
    expect(r.accounts.filter((a) => a.state === 'deleveraged')).toHaveLength(r.totals.accountsDeleveraged);
    expect(r.accounts.filter((a) => a.steps.length > 0)).toHaveLength(r.totals.accountsLiquidated);
    expect(r.accounts.filter((a) => a.state === 'bankrupt')).toHaveLength(r.totals.bankrupt);
    expect(r.accounts.filter((a) => a.state === 'resolved')).toHaveLength(r.totals.resolved);
    for (const a of r.accounts) {
      expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
      expect(Object.keys(a)).toEqual(a.note === undefined ? ['id', 'state', 'before', 'after', 'steps', 'waterfall'] : ['id', 'state', 'note', 'before', 'after', 'steps', 'waterfall']);
      if (a.state === 'resolved') expect(a.note).toBeUndefined();
      expect(Object.keys(a.before)).toEqual(SNAPSHOT_KEYS);
      expect(Object.keys(a.after)).toEqual(SNAPSHOT_KEYS);
      expect(Object.keys(a.waterfall)).toEqual(WATERFALL_KEYS);
      expect(a.waterfall.equityBefore).toBe(a.before.equity);
      expect(a.waterfall.equityAfter).toBe(a.after.equity);
      for (const s of a.steps) {
        expect(Object.keys(s)).toEqual(STEP_KEYS);
        expect(Object.keys(s.routes)).toEqual(['market', 'insuranceFund', 'adl', 'uncovered']);
        // the routes split the step's quantity
        expect(s.routes.market + s.routes.insuranceFund + s.routes.adl + s.routes.uncovered).toBeCloseTo(s.quantity, 9);
      }
    }
    // each account's steps chain: the health after one is the health before the next
    for (const a of r.accounts) for (let k = 1; k < a.steps.length; k++) expect(a.steps[k].healthBefore).toBe(a.steps[k - 1].healthAfter);
    for (const f of r.adl) expect(Object.keys(f)).toEqual(FILL_KEYS);
    expect(r.adl.reduce((n, f) => n + Math.abs(f.quantity) * (f.price ?? Number.NaN), 0)).toBeGreaterThan(0);
  });

  it('is built on the first read only, then is the same array; assigning replaces it; a frozen report still serves it', () => {
    const r = fresh();
    expect(Object.getOwnPropertyDescriptor(r, 'accounts')?.get).toBeTypeOf('function');
    expect(Object.getOwnPropertyDescriptor(r, 'adl')?.get).toBeTypeOf('function');
    const accounts = r.accounts;
    expect(Object.getOwnPropertyDescriptor(r, 'accounts')).toEqual({ value: accounts, writable: true, enumerable: true, configurable: true });
    expect(r.accounts).toBe(accounts);
    expect(Object.getOwnPropertyDescriptor(r, 'adl')?.get).toBeTypeOf('function'); // each field on its own read
    const other = fresh();
    other.adl = [];
    expect(other.adl).toEqual([]);
    expect(Object.keys(other)).toEqual(REPORT_KEYS);
    const frozen = Object.freeze(fresh());
    expect(frozen.accounts).toStrictEqual(accounts);
    expect(frozen.adl).toBe(frozen.adl);
  });

  it('gives the same JSON, structured clone, spread and util.inspect output before the first read as after it', () => {
    const read = fresh();
    void read.accounts;
    void read.adl;
    expect(JSON.stringify(fresh())).toBe(JSON.stringify(read));
    expect(structuredClone(fresh())).toStrictEqual(structuredClone(read));
    expect({ ...fresh() }).toStrictEqual({ ...read });
    const shown = inspect(fresh(), { depth: 1 });
    expect(shown).toBe(inspect(read, { depth: 1 }));
    expect(shown).not.toContain('Getter');
  });

  it('of a small plan (at most EAGER_PLAN_ROWS steps and fills) is built at once, and a later run does not change it', () => {
    const id = r0().accounts[0].id; // the most distressed account of the sample, alone
    const one = { ...sample.book, accounts: sample.book.accounts.filter((a) => a.id === id) };
    const small = engines[1].liquidate(one, sample.market, OPTIONS);
    expect(small.accounts).toHaveLength(1);
    expect(small.accounts[0].steps.length + small.adl.length).toBeLessThanOrEqual(EAGER_PLAN_ROWS);
    expect(Object.getOwnPropertyDescriptor(small, 'accounts')?.get).toBeUndefined();
    expect(Object.keys(small)).toEqual(REPORT_KEYS);
    const text = JSON.stringify(small);
    void fresh().accounts; // a big run after it writes through the buffers a small plan starts in
    engines[1].liquidate(one, sample.market, { ...OPTIONS, liquidation: { feeRate: 0.01 } });
    expect(JSON.stringify(small)).toBe(text);
    expect(small.accounts[0].steps.length).toBeGreaterThan(0);
  });

  it('is the same on every backend and outlives its session (read after release and after the book was reused)', () => {
    const text = (r: LiquidationReport) => JSON.stringify({ ...r, backend: '' });
    const expected = text(fresh(engines[0]));
    for (const engine of engines) {
      const session = engine.openBook(book);
      const r = liquidateSession(session, market, OPTIONS);
      session.release();
      const again = engine.openBook(book); // the layout's memory is reused by the next session
      liquidateSession(again, market, { method: 'cross' });
      again.release();
      expect(text(r)).toBe(expected);
    }
  });

  it('its columns read without objects (a stress round\'s flow) give the report\'s accounts, states and steps, the same bits, pro-rata write-offs included', () => {
    for (const engine of engines) {
      for (const adl of ['queue', 'pro-rata']) {
        const session = engine.openBook(book);
        const { report, plan } = liquidatePlan(session, market, { ...OPTIONS, liquidation: { ...OPTIONS.liquidation, adl } });
        session.release();
        const accounts = report.accounts, step: StepFlow = { kind: 'position', id: '', quantity: 0, fillPrice: 0, notional: 0, adl: 0 };
        expect(plan.accountCount).toBe(accounts.length);
        expect(accounts.some((a) => a.state === 'bankrupt')).toBe(true); // the fund is empty: some deficits are written off
        let from = 0, read = 0;
        for (let k = 0; k < plan.accountCount; k++) {
          const a = accounts[k], to = plan.stepEnd(k);
          expect([plan.accountId(k), plan.stateOf(k), to - from]).toEqual([a.id, a.state, a.steps.length]);
          for (; from < to; from++, read++) {
            const s = a.steps[from - (to - a.steps.length)];
            plan.stepFlow(from, step);
            // toEqual tells 0 from −0 (Object.is): the same bits
            expect(step).toEqual({ kind: s.kind, id: s.id, quantity: s.quantity, fillPrice: s.fillPrice, notional: s.notional, adl: s.routes.adl });
          }
        }
        expect(read).toBe(plan.stepCount);
        expect(read).toBeGreaterThan(EAGER_PLAN_ROWS);
      }
    }
  });
});
