/**
 * A report with masters keeps its rows as columns until `report.accounts` is read (src/margin/summary-rows.ts), and
 * the backstop policy writes its covers into those columns. Here the rows built from them are checked against the
 * rows the covers are written into one by one once built (the path a book whose accounts name their own method
 * takes: policy.ts `cashMover`): the same keys in the same order, the same bits, the same status reasons, on a
 * generated book where hundreds of subaccounts are covered, under three methods (isolated margin, whose rows have
 * their own status reasons, cannot margin a subaccount under the backstop policy).
 */
import { describe, expect, it } from 'vitest';
import { generateSample } from '../../src/sample/generate.js';
import type { AccountMargin } from '../../src/margin/report.js';
import { accountColumns } from '../../src/margin/account-columns.js';
import { allEngines } from '../support/engines.js';

const engines = await allEngines();
const sample = generateSample({ accounts: 3_000, seed: 20, accountsPerMaster: 10 });
// the same book with every account naming the run's method: its rows are built before the covers are paid
const naming = (method: string) => ({ ...sample.book, accounts: sample.book.accounts.map((a) => ({ ...a, method })) });
const withoutMethod = (rows: readonly AccountMargin[]) => rows.map(({ method: _, ...row }) => row);

describe.each(engines.map((e) => [e.backend, e] as const))('backstop rows built when read (%s)', (_name, engine) => {
  it.each(['cross', 'portfolio', 'var'])('%s: the rows and totals of rows written one by one', (method) => {
    const options = { method, params: { subaccounts: { policy: 'backstop' } } };
    const lazy = engine.margin(sample.book, sample.market, options);
    const eager = engine.margin(naming(method), sample.market, options);
    const covered = eager.accounts.filter((r) => r.backstopUsd !== undefined && r.backstopUsd > 0);
    expect(covered.length).toBeGreaterThan(50); // the check below is about covered rows: there must be many
    expect(Object.getOwnPropertyDescriptor(lazy, 'accounts')?.get).toBeDefined(); // not built by the call
    const columns = accountColumns(lazy); // the covered figures, before any row exists
    expect(Object.getOwnPropertyDescriptor(lazy, 'accounts')?.get).toBeDefined();
    expect(Array.from(columns.equityMm)).toEqual(eager.accounts.map((r) => r.equityMm));
    expect(Array.from(columns.health)).toEqual(eager.accounts.map((r) => r.health));
    expect(Array.from(columns.cashUsd)).toEqual(eager.accounts.map((r) => r.cashUsd ?? 0));
    expect(JSON.stringify(lazy.accounts)).toBe(JSON.stringify(withoutMethod(eager.accounts)));
    expect(lazy.totals).toEqual(eager.totals);
    expect(JSON.stringify(lazy.subaccounts)).toBe(JSON.stringify(eager.subaccounts));
  });
});
