/**
 * A liquidation plan handed out as it is made, a chunk of ended accounts at a time (src/liquidation/engine.ts
 * liquidateChunks), and `margin-core liquidate`'s report written from the chunks (src/cli/liquidation-output.ts): the
 * chunks' accounts in order are the whole report's accounts, the totals and ADL fills the whole plan's, bit for bit,
 * under the queue and pro-rata ADL and on both backends; the JSON, CSV and table bytes are those of the report
 * written whole. The book: a generated 3,000 accounts with an empty insurance fund (deficits go to ADL, some are
 * written off), cut into chunks of a few dozen steps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample, type LiquidationReport, validateInputs } from '../../src/index.js';
import type { AccountLiquidation } from '../../src/liquidation/report.js';
import { liquidateSession, liquidateSessionChunks } from '../../src/liquidation/liquidate-session.js';
import { type LiquidationFormat, STEP_COLUMNS, writeLiquidationChunks } from '../../src/cli/liquidation-output.js';
import { csvLines, jsonChunks, type Output } from '../../src/cli/output.js';
import { liquidationTableLines } from '../../src/report/liquidation-text.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

const sample = generateSample({ accounts: 3_000, seed: 7 });
const { book, market } = validateInputs(sample.book, sample.market);
const CHUNK_STEPS = 40;
const optionsFor = (adl: string) => ({ method: 'cross', liquidation: { insuranceFund: { balanceUsd: 0 }, adl } });

/** The report of a whole run on a fresh session of the book. */
function whole(engine: Engine, adl: string): LiquidationReport {
  const session = engine.openBook(book);
  try {
    const report = liquidateSession(session, market, optionsFor(adl));
    void report.accounts; // built from the plan's columns now (they outlive the session either way)
    return report;
  } finally {
    session.release();
  }
}

/** The chunks' accounts (built as each chunk is handed out), their step counts, and the report returned. */
function streamed(engine: Engine, adl: string): { accounts: AccountLiquidation[]; chunkSteps: number[]; report: LiquidationReport } {
  const session = engine.openBook(book);
  try {
    const chunks = liquidateSessionChunks(session, market, optionsFor(adl), CHUNK_STEPS);
    const accounts: AccountLiquidation[] = [], chunkSteps: number[] = [];
    for (let next = chunks.next(); ; next = chunks.next()) {
      if (next.done) return { accounts, chunkSteps, report: next.value };
      chunkSteps.push(next.value.plan.stepCount);
      accounts.push(...next.value.plan.accountList());
    }
  } finally {
    session.release();
  }
}

/** An Output that gathers what it is given. */
function captured(): Output & { text: () => string } {
  let text = '';
  return {
    write: async (t) => void (text += t),
    writeBytes: async () => { throw new Error('not used'); },
    lines: async (lines) => { for (const line of lines) text += `${line}\n`; },
    flush: async () => {},
    end: async () => {},
    discard: async () => {},
    text: () => text,
  };
}

/** The report written whole, as `margin-core liquidate` wrote it before it streamed. */
async function wholeText(report: LiquidationReport, format: LiquidationFormat): Promise<string> {
  const out = captured();
  if (format === 'json') {
    for (const chunk of jsonChunks(report, 'accounts')) await out.write(chunk);
    await out.write('\n');
  } else if (format === 'csv') {
    const rows = report.accounts.flatMap((a) => a.steps.map((s, k) => ({ a, s, k })));
    await out.lines(csvLines(STEP_COLUMNS, rows.length, (i) => {
      const { a, s, k } = rows[i];
      return [a.id, k + 1, s.kind, s.id, s.quantity, s.markPrice, s.fillPrice, s.bankruptcyPrice ?? undefined, s.notional,
        s.routes.market, s.routes.insuranceFund, s.routes.adl, s.routes.uncovered, s.feeToLiquidator, s.feeToFund, s.fundChange, s.healthBefore, s.healthAfter,
        a.marginCurrency];
    }));
  } else await out.lines(liquidationTableLines(report));
  return out.text();
}

describe('a liquidation plan handed out as it is made', () => {
  it('gives the whole report\'s accounts, ADL fills and totals, the same bits, under either ADL and on both backends', () => {
    for (const engine of engines) {
      for (const adl of ['queue', 'pro-rata']) {
        const expected = whole(engine, adl);
        const got = streamed(engine, adl);
        expect(expected.accounts.some((a) => a.state === 'bankrupt')).toBe(true); // the empty fund: deficits written off
        expect(expected.adl.length).toBeGreaterThan(0);
        expect(got.report.accounts).toEqual([]);
        expect(Object.keys(got.report)).toEqual(Object.keys(expected));
        expect(JSON.stringify(got.accounts)).toBe(JSON.stringify(expected.accounts));
        expect(got.report.totals).toEqual(expected.totals);
        expect(Object.is(got.report.totals.conservationResidual, expected.totals.conservationResidual)).toBe(true);
        expect(got.report.adl).toEqual(expected.adl);
        expect(JSON.stringify(got.report.adl)).toBe(JSON.stringify(expected.adl));
        const steps = expected.accounts.reduce((n, a) => n + a.steps.length, 0);
        if (adl === 'queue') {
          // chunks of at least CHUNK_STEPS steps each but the last; pro-rata's settlement reads every step: one chunk
          expect(got.chunkSteps.length).toBeGreaterThan(steps / (4 * CHUNK_STEPS));
          for (const n of got.chunkSteps.slice(0, -1)) expect(n).toBeGreaterThanOrEqual(CHUNK_STEPS);
        } else expect(got.chunkSteps).toEqual([steps]);
      }
    }
  });

  it('counts the ADL fills without keeping them when asked, the rest unchanged', () => {
    const expected = whole(engines[1], 'queue');
    const session = engines[1].openBook(book);
    try {
      const chunks = liquidateSessionChunks(session, market, optionsFor('queue'), CHUNK_STEPS, false);
      const accounts: AccountLiquidation[] = [];
      let fills = 0;
      for (let next = chunks.next(); ; next = chunks.next()) {
        if (next.done) {
          expect(next.value.adl).toEqual([]);
          expect(next.value.totals).toEqual(expected.totals);
          break;
        }
        accounts.push(...next.value.plan.accountList());
        fills = next.value.plan.fillCount;
      }
      expect(fills).toBe(expected.adl.length);
      expect(JSON.stringify(accounts)).toBe(JSON.stringify(expected.accounts));
    } finally {
      session.release();
    }
  });

  it('is written as JSON, CSV and a table with the bytes of the report written whole', async () => {
    const engine = engines[1];
    const expected = whole(engine, 'queue');
    expect(expected.adl.length).toBeGreaterThan(7); // the fills are written in slices of 7
    expect(expected.accounts.filter((a) => a.state === 'deleveraged').length).toBeGreaterThan(3); // the last chunk's accounts in slices of 3
    for (const format of ['json', 'csv', 'table'] as const) {
      const session = engine.openBook(book);
      const out = captured();
      try {
        // as `margin-core liquidate` runs it: only JSON lists the fills, a table gives their count
        // the fills in slices of 7, each chunk's accounts in slices of 3 (the last chunk's deleveraged accounts cut too)
        const written = await writeLiquidationChunks(liquidateSessionChunks(session, market, optionsFor('queue'), CHUNK_STEPS, format === 'json'), out, format, 7, 3);
        expect(written.errors).toEqual([]);
      } finally {
        session.release();
      }
      expect(out.text()).toBe(await wholeText(expected, format));
    }
  });

  it('writes a run with no account below MM as the whole report does (an empty list)', async () => {
    const healthy = validateInputs({ ...sample.book, accounts: [{ id: 'a', positions: [], collateral: [{ asset: 'USDC', amount: 1000 }] }] }, sample.market);
    const session = engines[0].openBook(healthy.book);
    const out = captured();
    try {
      await writeLiquidationChunks(liquidateSessionChunks(session, healthy.market, { method: 'cross' }, CHUNK_STEPS), out, 'json');
    } finally {
      session.release();
    }
    const report = JSON.parse(out.text()) as LiquidationReport;
    expect(report.accounts).toEqual([]);
    expect(report.totals.accountsBreaching).toBe(0);
    expect(out.text()).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });
});
