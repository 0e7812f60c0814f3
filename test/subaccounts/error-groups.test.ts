/**
 * The roll-up fails closed (docs/domain.md; docs/subaccounts.md, the roll-up's figures): a group with a member
 * in status error has no figures that pretend to cover it (NaN, null in JSON, as an account row in error), under every
 * policy, and the roll-up's totals leave such groups out whole and say so (`complete`, `covered`), as the report's
 * totals do. Before the fix a group read its other members' sums (the member in error silently left out), a group of
 * accounts in error read zeros, and the totals said nothing of what they left out.
 *
 * The book, by hand (run method cross, default rule-based params, BTC at 100,000; docs: policies.test.ts's brackets):
 *   m   USD master, 10,000 USDC, long 0.5 BTC-PERP: IM 400, MM 200.  coin: its BTC subaccount, own method var: set aside (error).
 *   cm  BTC master, own method var: set aside (error).                cs:   its BTC subaccount, own method var: error.
 *   h   USD master, 2,000 USDC, long 1 BTC-PERP: IM 900, MM 450.      hs:   150 USDC, short 0.5: IM 400, MM 200 (liquidatable).
 *   u   1,000 USDC alone: IM 0.                                       ue:   a BTC account alone, own method var: error.
 * The roll-up's sums cover h, hs and u (3 accounts): standalone IM 900 + 400 + 0 = 1,300.
 */
import { describe, expect, it } from 'vitest';
import type { MarginReport } from '../../src/index.js';
import type { GroupFigures } from '../../src/margin/subaccount-rollup.js';
import { validateBook } from '../../src/model/validate.js';
import { rollupLines } from '../../src/report/subaccount-text.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import { FigureColumns } from '../../src/subaccounts/figure-columns.js';
import { sumFigures } from '../../src/subaccounts/group-figures.js';
import { groupIds, masterGroups } from '../../src/subaccounts/groups.js';
import { rollup } from '../../src/subaccounts/rollup.js';
import { STATUS_ERROR, STATUS_HEALTHY } from '../../src/margin/status.js';
import { firstDifference, withoutWorkers } from '../support/bits.js';
import { allEngines } from '../support/engines.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';
import { expectValidReport } from '../support/schemas.js';

const engines = await allEngines();
const PERPETUAL = { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' };
const perp = (quantity: number) => [{ instrument: 'BTC-PERP', quantity, entryPrice: 100_000 }];
const usdc = (amount: number) => [{ asset: 'USDC', amount }];
const btc = [{ asset: 'BTC', amount: 0.1 }];
const coin = (id: string, master?: string) => ({ id, ...(master ? { master } : {}), marginCurrency: 'BTC', method: 'var', collateral: btc });
const healthy = [
  { id: 'h', positions: perp(1), collateral: usdc(2_000) },
  { id: 'hs', master: 'h', positions: perp(-0.5), collateral: usdc(150) },
  { id: 'u', collateral: usdc(1_000) },
  coin('ue'),
];
const book = (groups: object[]) => ({ instruments: [...INSTRUMENTS, PERPETUAL], accounts: [...groups, ...healthy] });
// independent: a USD master with a BTC subaccount in error, and a group all in error
const independentBook = book([{ id: 'm', positions: perp(0.5), collateral: usdc(10_000) }, coin('coin', 'm'), coin('cm'), coin('cs', 'cm')]);
// cross: one margin currency per pool, so the mixed group is BTC throughout: its master margined (cross), its subaccount not
const crossBook = book([
  { id: 'bm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 100, entryPrice: 100_000 }], collateral: btc },
  coin('bs', 'bm'), coin('cm'), coin('cs', 'cm'),
]);

const FIGURES = ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'excessOverMm'] as const;
const policy = (p: string) => ({ method: 'cross' as const, params: { subaccounts: { policy: p } } });

function expectNoFigures(f: GroupFigures, where: string): void {
  expect(f.status, where).toBe('error');
  for (const k of FIGURES) expect(f[k], `${where}.${k}`).toBeNaN();
}

function master(r: MarginReport, id: string) {
  return r.subaccounts!.masters.find((m) => m.id === id)!;
}

describe.each(engines.map((e) => [e.backend, e] as const))('a roll-up with accounts in error (%s)', (_name, engine) => {
  it('independent: a group with a member in error has no figures, none freed; the totals cover the other accounts and say so', () => {
    const r = engine.margin(independentBook, market(), policy('independent'));
    expect(r.accounts.filter((a) => a.status === 'error').map((a) => a.id)).toEqual(['coin', 'cm', 'cs', 'ue']);
    for (const id of ['m', 'cm']) {
      const g = master(r, id);
      expectNoFigures(g.standalone, `${id}.standalone`);
      expectNoFigures(g.combined, `${id}.combined`);
      expect(g.imFreed, `${id}.imFreed`).toBeNaN();
      expect(g.imFreedShare, `${id}.imFreedShare`).toBeNaN();
    }
    expect(master(r, 'h').standalone).toEqual({ equity: 2_150, equityIm: 2_150, equityMm: 2_150, im: 1_300, mm: 650, health: 2_150 / 650, excessOverMm: 1_500, status: 'liquidatable' });
    expect(master(r, 'h')).toMatchObject({ imFreed: 0, imFreedShare: 0 });
    expect(r.subaccounts!.totals).toEqual({ masters: 3, subaccounts: 3, complete: false, covered: 3, standaloneIm: 1_300, im: 1_300, imFreed: 0, imFreedShare: 0, backstopUsd: 0 });
  });

  it('cross: an all-error pool and a member in error have no figures alone; a computed pool keeps its own; the totals leave both groups out', () => {
    const r = engine.margin(crossBook, market(), policy('cross'));
    const all = master(r, 'cm');
    expectNoFigures(all.standalone, 'cm.standalone');
    expectNoFigures(all.combined, 'cm.combined');
    expect(all.imFreed).toBeNaN();
    expect(all.imFreedShare).toBeNaN();
    // bm's pool is margined (cross, in BTC) and covers every member: its own figures; bs alone could not be
    const mixed = master(r, 'bm');
    expectNoFigures(mixed.standalone, 'bm.standalone');
    expect(mixed.combined.status).not.toBe('error');
    for (const k of FIGURES) expect(Number.isFinite(mixed.combined[k]), `bm.combined.${k}`).toBe(true);
    expect(mixed.imFreed).toBeNaN();
    expect(mixed.imFreedShare).toBeNaN();
    // h's pool holds +0.5 BTC-PERP on 2,150 USDC: IM 400, MM 200 against 1,300 alone
    expect(master(r, 'h')).toMatchObject({ imFreed: 900, imFreedShare: 900 / 1_300, combined: { im: 400, mm: 200, equity: 2_150, status: 'healthy' } });
    expect(r.subaccounts!.totals).toEqual({ masters: 3, subaccounts: 3, complete: false, covered: 3, standaloneIm: 1_300, im: 400, imFreed: 900, imFreedShare: 900 / 1_300, backstopUsd: 0 });
  });

  it('a complete roll-up says so: no account in error', () => {
    const r = engine.margin({ instruments: INSTRUMENTS, accounts: healthy.slice(0, 3) }, market(), policy('cross'));
    expect(r.subaccounts!.totals).toMatchObject({ complete: true, covered: 3, standaloneIm: 1_300, im: 400 });
  });

  it('in JSON the figures in error are null, the report conforms to its schema, and the tables write n/a', () => {
    for (const [b, p] of [[independentBook, 'independent'], [crossBook, 'cross']] as const) {
      const r = engine.margin(b, market(), policy(p));
      expectValidReport(r);
      const json = JSON.parse(JSON.stringify(r.subaccounts)) as { masters: { id: string; standalone: Record<string, unknown>; imFreed: unknown; imFreedShare: unknown }[] };
      const cm = json.masters.find((m) => m.id === 'cm')!;
      expect(cm.standalone).toEqual({ equity: null, equityIm: null, equityMm: null, im: null, mm: null, health: null, excessOverMm: null, status: 'error' });
      expect([cm.imFreed, cm.imFreedShare]).toEqual([null, null]);
      const lines = [...rollupLines(r.subaccounts!)];
      expect(lines.find((l) => l.startsWith('cm '))).toMatch(/^cm\s+2\s+var\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+error/);
      expect(lines.at(-1)).toMatch(/; the sums cover 3 accounts, leaving out those in error and the groups holding one$/);
    }
  });
});

describe('a roll-up with accounts in error, on a sharded book', () => {
  it.each(['independent', 'cross'] as const)('%s: the single-process roll-up, covered count included, on 2 and 3 shards', async (p) => {
    const engine = engines[0];
    const b = p === 'cross' ? crossBook : independentBook;
    const reference = engine.margin(b, market(), policy(p));
    for (const shards of [2, 3]) {
      const sharded = await engine.openShardedBook(b, new LocalTransport(engine, shards));
      const merged = withoutWorkers(await sharded.margin(market(), policy(p)));
      expect(merged.subaccounts!.totals).toMatchObject({ complete: false, covered: 3, standaloneIm: 1_300 }); // h, hs, u
      expect(firstDifference(merged, reference)).toBeNull();
      await sharded.release();
    }
  });
});

describe('backstop roll-up with a member in error', () => {
  // no book reaches it through engine.margin (coin accounts are refused in backstop groups, the domain bounds keep
  // every USD figure finite), so the roll-up is given the columns: m (master) with s1 in error and s2, and x alone
  it('has no figures for the group, and its totals cover x alone', () => {
    const validated = validateBook({ instruments: INSTRUMENTS, accounts: ['m', 's1', 's2', 'x'].map((id) => ({ id, ...(id.startsWith('s') ? { master: 'm' } : {}), collateral: usdc(100) })) });
    const c = new FigureColumns(4);
    c.im.set([10, 20, 30, 40]);
    c.mm.set([5, 10, 15, 20]);
    c.equity.set([100, 100, 100, 100]);
    c.status.set([STATUS_HEALTHY, STATUS_ERROR, STATUS_HEALTHY, STATUS_HEALTHY]);
    const groups = masterGroups(validated);
    const figures = groups.map((g) => sumFigures(c, g));
    expectNoFigures(figures[0], 'm');
    const backstops = [{ freeUsd: 90, coveredUsd: 0, uncoveredUsd: 0, covers: [] }];
    const r = rollup(groupIds(validated), groups, ['cross', 'cross', 'cross', 'cross'], 'backstop', figures, figures, backstops, c);
    expect(r.masters[0].imFreed).toBeNaN();
    expect(r.masters[0].imFreedShare).toBeNaN();
    expect(r.totals).toEqual({ masters: 1, subaccounts: 2, complete: false, covered: 1, standaloneIm: 40, im: 40, imFreed: 0, imFreedShare: 0, backstopUsd: 0 });
  });
});
