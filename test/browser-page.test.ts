/**
 * The risk page in real headless Chromium (Debian's `chromium`, driven by playwright-core), served
 * by `margin-core page` exactly as `npm run web` serves it: the sample's report for every method is
 * the same JSON as the Node run on the same inputs, an account's explain view (with its plots) is
 * the same as Node's, sorting, input errors with paths and dropped files work, and a screenshot is
 * saved to test-artifacts/. A missing browser fails this test, by design (CI installs it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createEngine, type Engine } from '../src/engine.js';
import { MARGIN_METHODS } from '../src/methods/registry.js';
import type { ValidatedBook, ValidatedMarket } from '../src/model/types.js';
import { validateInputs } from '../src/model/validate.js';
import { explainAccount, marginByMethod } from '../src/report/explain.js';
import { syntheticHistoryFor } from '../src/dynamic/synthetic-history.js';
import { defaultHedges } from '../src/optimize/default-hedges.js';
import { equalCoverage, referenceLossParams } from '../src/report/coverage.js';
import { book as testBook, market as testMarket } from './support/margin-books.js';

const root = join(import.meta.dirname, '..');

type PageState = { reportJson?: string; explainJson?: string; ready: boolean; runs: number };

let server: ChildProcess;
let browser: Browser;
let page: Page;
let url: string;
let engine: Engine;
let book: ValidatedBook;
let market: ValidatedMarket;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'page', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (match) resolve(match[0]);
    });
    server.on('exit', (code) => reject(new Error(`margin-core page exited with ${code}: ${out}`)));
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  engine = await createEngine();
  const json = async (name: string) => JSON.parse(await readFile(join(root, 'data', 'sample', name), 'utf8'));
  ({ book, market } = validateInputs(await json('book.json'), await json('market.json')));
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
});

const pageState = (on: Page = page) => on.evaluate(() => (window as unknown as { marginCorePage: PageState }).marginCorePage);

/** Waits until the page (`on`: the shared one by default) has finished run number `runs`. */
async function runsReach(runs: number, on: Page = page): Promise<PageState> {
  await on.waitForFunction((n) => {
    const s = (window as unknown as { marginCorePage?: PageState }).marginCorePage;
    return s !== undefined && s.ready && s.runs >= n;
  }, runs, { timeout: 15_000 });
  return pageState(on);
}

test('the risk page computes the sample on WASM SIMD with the same report JSON as Node, for every method', async () => {
  await page.goto(url);
  let state = await runsReach(1);
  expect(await page.textContent('#backend')).toBe('wasm-simd');
  expect(await page.textContent('#timing')).toMatch(/^\d+\.\d ms$/);
  expect(await page.textContent('#inputs-status')).toMatch(/book: bundled sample \(302 accounts, 847 instruments\)/);
  expect(JSON.parse(state.reportJson!).method).toBe('cross');
  for (const method of MARGIN_METHODS) {
    const before = state.runs;
    await page.selectOption('#method', method);
    state = await runsReach(before + 1);
    expect(state.reportJson, method).toBe(JSON.stringify(engine.margin(book, market, { method })));
  }
  expect(await page.locator('#accounts tbody tr').count()).toBe(302);
  expect(pageErrors).toEqual([]);
});

test('an account’s explain view matches Node and draws its plots, scenario heatmaps included', async () => {
  await page.selectOption('#method', 'portfolio');
  await page.waitForFunction(() => JSON.parse((window as unknown as { marginCorePage: PageState }).marginCorePage.reportJson ?? '{}').method === 'portfolio');
  const id = 'market-maker-000033'; // 15 option positions netting against each other: PM 4,900 vs cross 17,401
  await page.click(`#accounts tr[data-id="${id}"]`);
  await page.waitForFunction(() => (window as unknown as { marginCorePage: PageState }).marginCorePage.explainJson !== undefined);
  const state = await pageState();
  const account = explainAccount(engine, book, market, id, 'portfolio');
  expect(state.explainJson).toBe(JSON.stringify({ account, byMethod: marginByMethod(engine, book, market, id), liquidation: null })); // healthy: no plan
  expect(await page.textContent('#explain h2')).toMatch(new RegExp(`${id}\\s+${account.status.replace('_', ' ')}`));
  // Margin by method: an IM and an MM bar per method; collateral: value, IM value, MM value per asset.
  const bars = page.locator('#explain svg.bars');
  expect(await bars.nth(0).locator('rect.bar:not(.legend)').count()).toBe(2 * MARGIN_METHODS.length);
  expect(await bars.nth(1).locator('rect.bar:not(.legend)').count()).toBe(3 * account.collateral!.length);
  // One spot × vol heatmap per underlying the account is exposed to.
  expect(account.portfolio!.underlyings.length).toBeGreaterThan(0);
  expect(await page.locator('#explain svg.heatmap').count()).toBe(account.portfolio!.underlyings.length);
  expect(await page.locator(`#accounts tr.selected`).getAttribute('data-id')).toBe(id);
  await mkdir(join(root, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(root, 'test-artifacts', 'risk-page.png') });
  await page.selectOption('#method', 'cross'); // the tests below start from the default method
  await page.waitForFunction(() => JSON.parse((window as unknown as { marginCorePage: PageState }).marginCorePage.reportJson ?? '{}').method === 'cross');
});

test('on a laptop screen (1366 × 768) the whole accounts row is readable, and the explain view opens below it', async () => {
  // a page of its own, opened at the laptop's size and then narrowed: the shared page is never resized
  const laptop = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  laptop.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await laptop.goto(url);
    await runsReach(1, laptop);
    const fits = await laptop.evaluate(() => {
      const wrap = document.querySelector('.table-wrap') as HTMLElement;
      const last = document.querySelector('#accounts thead th:last-child') as HTMLElement;
      return { scroll: wrap.scrollWidth, client: wrap.clientWidth, lastRight: last.getBoundingClientRect().right, viewport: window.innerWidth };
    });
    expect(fits.scroll).toBeLessThanOrEqual(fits.client); // no column clipped behind a horizontal scroll
    expect(fits.lastRight).toBeLessThanOrEqual(fits.viewport);
    const id = (await laptop.locator('#accounts tbody tr').first().getAttribute('data-id'))!;
    await laptop.click(`#accounts tr[data-id="${id}"]`);
    const below = await laptop.evaluate(() => document.querySelector('#explain')!.getBoundingClientRect().top >= document.querySelector('.table-wrap')!.getBoundingClientRect().bottom);
    expect(below).toBe(true);
    const reason = engine.margin(book, market, { method: 'cross' }).accounts.find((a) => a.id === id)!.statusReason;
    expect(await laptop.textContent('#explain')).toContain(`why: ${reason}`);
    // on a narrow window (800 px) the controls wrap instead of running off the right edge
    await laptop.setViewportSize({ width: 800, height: 900 });
    const overflow = await laptop.evaluate(() => Array.from(document.querySelectorAll('.method button, .method select')).filter((e) => e.getBoundingClientRect().right > window.innerWidth).length);
    expect(overflow).toBe(0);
  } finally {
    await laptop.close();
  }
});

test('the suggested hedge: the solver loads in the page, and the trades and before/after figures are Node\'s', async () => {
  const id = 'distressed-000009'; // below IM under cross margin; the default candidates restore it with one trade
  const optimised = await engine.optimize(book, market, { method: 'cross', account: id, hedges: defaultHedges(book, market, id) });
  expect(optimised.outcome).toBe('restored');
  await page.selectOption('#method', 'cross');
  await page.waitForFunction(() => JSON.parse((window as unknown as { marginCorePage: PageState }).marginCorePage.reportJson ?? '{}').method === 'cross');
  await page.click(`#accounts tr[data-id="${id}"]`);
  await page.waitForFunction((i) => {
    const json = (window as unknown as { marginCorePage: PageState & { hedgeJson?: string } }).marginCorePage.hedgeJson;
    return json !== undefined && JSON.parse(json).account === i;
  }, id, { timeout: 30_000 });
  const state = (await pageState()) as PageState & { hedgeJson?: string };
  expect(JSON.parse(state.hedgeJson!)).toEqual(JSON.parse(JSON.stringify(optimised)));
  expect(await page.locator('#hedge-view svg.bars rect.bar:not(.legend)').count()).toBe(4); // IM and equity, before and after
  expect(await page.textContent('#hedge-view')).toContain('(confirmed by the engine)');
  await page.locator('#hedge-view').screenshot({ path: join(root, 'test-artifacts', 'hedge.png') });
  expect(pageErrors).toEqual([]);
});

test('the liquidation view: the run\'s totals and liquidated accounts as Node computes them, and an account\'s plan with its waterfall', async () => {
  await page.click('#liquidate');
  await page.waitForFunction(() => (window as unknown as { marginCorePage: PageState & { liquidationJson?: string } }).marginCorePage.liquidationJson !== undefined);
  const report = engine.liquidate(book, market, { method: 'cross' });
  const state = (await pageState()) as PageState & { liquidationJson?: string };
  expect(JSON.parse(state.liquidationJson!)).toEqual({ ...JSON.parse(JSON.stringify(report)), backend: 'wasm-simd' });
  expect(await page.locator('#liquidated tbody tr').count()).toBe(report.accounts.length);
  expect(await page.textContent('#liquidation')).toContain(`bad debt${report.totals.badDebt.toLocaleString('en-US', { maximumFractionDigits: 0 })}`);
  // a liquidated account opens its explain view with its plan: one row per step, and the waterfall's six columns
  const plan = report.accounts.find((a) => a.steps.some((s) => s.kind === 'position'))!;
  await page.click(`#liquidated tr[data-id="${plan.id}"]`);
  await page.waitForFunction((id) => JSON.parse((window as unknown as { marginCorePage: PageState }).marginCorePage.explainJson ?? '{}').account?.id === id, plan.id);
  expect(JSON.parse((await pageState()).explainJson!).liquidation).toEqual(JSON.parse(JSON.stringify(plan)));
  expect(await page.locator('#explain table.steps tr').count()).toBe(plan.steps.length + 1);
  expect(await page.locator('#explain svg.waterfall rect.bar').count()).toBe(6);
  await page.locator('#liquidation').screenshot({ path: join(root, 'test-artifacts', 'liquidation.png') });
  await page.locator('#explain .liquidation-plan').screenshot({ path: join(root, 'test-artifacts', 'liquidation-plan.png') });
  expect(pageErrors).toEqual([]);
});

test('the stress view: a bundled shock under every method as Node computes it, with the price path, liquidations per round and bad debt', async () => {
  await page.selectOption('#shock', 'correlated-crash');
  await page.click('#stress');
  await page.waitForFunction(() => (window as unknown as { marginCorePage: PageState & { stressJson?: string } }).marginCorePage.stressJson !== undefined);
  const shock = JSON.parse(await readFile(join(root, 'data', 'shocks', 'correlated-crash.json'), 'utf8'));
  const report = engine.stress(book, market, shock, { method: 'all' });
  const state = (await pageState()) as PageState & { stressJson?: string };
  const parsed = JSON.parse(state.stressJson!);
  expect(parsed).toEqual({ ...JSON.parse(JSON.stringify(report)), backend: 'wasm-simd', cascades: JSON.parse(JSON.stringify(report.cascades)).map((c: object) => ({ ...c, backend: 'wasm-simd' })) });
  expect(await page.locator('#stress-methods tbody tr').count()).toBe(MARGIN_METHODS.length);
  expect(await page.locator('#stress-view svg.path polyline').count()).toBe(MARGIN_METHODS.length);
  expect(await page.textContent('#stress-view')).toContain('Stress: Correlated crash');
  // no plot's title runs into its neighbour's
  const overlaps = await page.evaluate(() => {
    const boxes = Array.from(document.querySelectorAll('#stress-view .plot-title, #stress-view .per-round h3')).map((e) => e.getBoundingClientRect());
    return boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)).length;
  });
  expect(overlaps).toBe(0);
  await page.locator('#stress-view').screenshot({ path: join(root, 'test-artifacts', 'stress.png') });
  expect(pageErrors).toEqual([]);
});

test('the backtest view: margin through time as Node computes it, with breaches marked and the circuit breaker shaded', async () => {
  await page.click('#backtest');
  await page.waitForFunction(() => (window as unknown as { marginCorePage: PageState & { backtestJson?: string } }).marginCorePage.backtestJson !== undefined);
  const state = (await pageState()) as PageState & { backtestJson?: string };
  const parsed = JSON.parse(state.backtestJson!);
  const report = engine.backtest(book, market, syntheticHistoryFor(market, { days: 1_350, seed: 1 }), { method: parsed.method });
  expect(parsed.totals).toEqual(Object.fromEntries(Object.entries(report.series).map(([k, s]) => [k, Array.from(s.totalMargin)])));
  expect(parsed.breaches).toBe(report.series.dynamic.coverage.breaches);
  expect(await page.locator('#backtest-view svg.backtest polyline').count()).toBe(3);
  expect(await page.locator('#backtest-view svg.backtest line.breach').count()).toBe(Array.from(report.series.dynamic.breaches).filter((n) => n > 0).length);
  expect(await page.locator('#backtest-series tbody tr').count()).toBe(3);
  if (report.circuitBreaker.events.length > 0) expect(await page.locator('#backtest-view svg.backtest rect.breaker').count()).toBeGreaterThan(0);
  await page.locator('#backtest-view').screenshot({ path: join(root, 'test-artifacts', 'backtest.png') });
  expect(pageErrors).toEqual([]);
});

test('the accounts table sorts by a column and colours statuses', async () => {
  await page.click('#accounts th[data-key="im"]'); // numbers sort largest first on the first click
  const report = engine.margin(book, market, { method: 'cross' });
  const byIm = [...report.accounts].sort((a, b) => b.im - a.im);
  expect(await page.locator('#accounts tbody tr').first().getAttribute('data-id')).toBe(byIm[0].id);
  await page.click('#accounts th[data-key="im"]');
  const leastIm = byIm.filter((a) => a.im === byIm.at(-1)!.im).map((a) => a.id).sort()[0]; // ties in id order
  expect(await page.locator('#accounts tbody tr').first().getAttribute('data-id')).toBe(leastIm);
  await page.focus('#accounts th[data-key="equity"]'); // the keyboard works too
  await page.keyboard.press('Enter');
  expect(await page.getAttribute('#accounts th[data-key="equity"]', 'aria-sort')).toBe('descending');
  const bankrupt = page.locator('#accounts tbody tr.row-bankrupt .status-bankrupt');
  expect(await bankrupt.count()).toBe(report.totals.byStatus.bankrupt);
  expect(await bankrupt.first().evaluate((el) => getComputedStyle(el).color)).toBe('rgb(185, 28, 28)');
});

test('the accounts table searches ids and filters by status, and says how many match', async () => {
  const report = engine.margin(book, market, { method: 'cross' });
  await page.fill('#search', 'DISTRESSED');
  await page.selectOption('#status-filter', 'liquidatable');
  const expected = report.accounts.filter((a) => a.id.includes('distressed') && a.status === 'liquidatable').map((a) => a.id).sort();
  expect(expected.length).toBeGreaterThan(0);
  const shown = await page.locator('#accounts tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id!));
  expect([...shown].sort()).toEqual(expected);
  expect(await page.textContent('#table-count')).toBe(`showing ${expected.length} of 302 accounts (${expected.length} match)`);
  await page.screenshot({ path: join(root, 'test-artifacts', 'search-and-filter.png') });
  await page.fill('#search', '');
  await page.selectOption('#status-filter', '');
  expect(await page.locator('#accounts tbody tr').count()).toBe(302);
  expect(await page.textContent('#table-count')).toBe('showing 302 of 302 accounts');
});

test('the comparison view: every method at equal coverage and on the crash path, as Node computes them', async () => {
  await page.click('#compare');
  await page.waitForFunction(() => (window as unknown as { marginCorePage: PageState & { compareJson?: string } }).marginCorePage.compareJson !== undefined, null, { timeout: 120_000 });
  const reports = MARGIN_METHODS.map((method) => engine.margin(book, market, { method }));
  const coverage = equalCoverage(reports, engine.margin(book, market, { method: 'var', params: referenceLossParams() }));
  const crashPath = JSON.parse(await readFile(join(root, 'data', 'shocks', 'crash-path.json'), 'utf8'));
  const stress = engine.stress(book, market, crashPath, { method: 'all' });
  const state = (await pageState()) as PageState & { compareJson?: string };
  expect(JSON.parse(state.compareJson!)).toEqual(JSON.parse(JSON.stringify({ coverage, badDebt: stress.cascades.map((c) => [c.method, c.metrics.badDebt]) })));
  for (const id of ['compare-defaults', 'compare-coverage', 'compare-conclusion']) expect(await page.locator(`#${id} tbody tr`).count(), id).toBe(MARGIN_METHODS.length);
  expect(await page.locator('#compare-view dl.calibrations dt').count()).toBe(MARGIN_METHODS.length);
  await page.locator('#compare-view').screenshot({ path: join(root, 'test-artifacts', 'compare.png') });
  expect(pageErrors).toEqual([]);
});

test('the page server answers for loopback names only: a foreign Host (DNS rebinding) is refused with 421', async () => {
  const { request } = await import('node:http');
  const status = (host: string, method = 'GET') => new Promise<number>((resolve, reject) => {
    const u = new URL(url);
    request({ host: u.hostname, port: u.port, path: '/', method, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject).end();
  });
  const port = new URL(url).port;
  expect(await status('evil.example')).toBe(421);
  expect(await status(`evil.example:${port}`)).toBe(421);
  expect(await status(`127.0.0.1:${port}`)).toBe(200);
  expect(await status(`localhost:${port}`)).toBe(200);
  // a broken percent-escape (any site the user visits can send one, Host 127.0.0.1) is a 400, and the server goes on
  const broken = await new Promise<number>((resolve, reject) => {
    const u = new URL(url);
    request({ host: u.hostname, port: u.port, path: '/%E0%A4%A', headers: { host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject).end();
  });
  expect(broken).toBe(400);
  expect(await status(`127.0.0.1:${port}`)).toBe(200);
  // a static page is read, never written to: another method is a 405 (a POST had been answered 200)
  expect(await status(`127.0.0.1:${port}`, 'POST')).toBe(405);
  expect(await status(`127.0.0.1:${port}`, 'HEAD')).toBe(200);
});

test('bad parameters are shown with their paths, and dropped files replace the sample', async () => {
  let { runs } = await pageState();
  await page.fill('#params', '{"linear": {"BTC": [{"imRate": -1, "mmRate": 0.01}]}, "nonsense": {}}');
  await page.click('#run');
  ({ runs } = await runsReach(runs + 1));
  expect((await pageState()).reportJson).toBeUndefined();
  const errors = await page.textContent('#errors');
  expect(errors).toMatch(/params\.linear\.BTC\[0\]\.imRate/);
  expect(errors).toMatch(/params\.nonsense/);
  // the earlier run's totals and timing do not stay beside the refused inputs (they had: total IM of the last good run)
  expect(await page.textContent('#summary')).toBe('');
  expect(await page.textContent('#timing')).toBe('—');
  expect(await page.textContent('#table-count')).toBe(''); // nor the count of the accounts it showed
  expect(await page.textContent('#inputs-status')).toMatch(/params: custom · not computed: refused/);
  await page.fill('#params', '');
  const own = testBook({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] });
  await page.setInputFiles('#files', [
    { name: 'my-book.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(own)) },
    { name: 'my-market.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(testMarket())) },
  ]);
  const state = await runsReach(runs + 1);
  expect(await page.isHidden('#errors')).toBe(true);
  expect(await page.textContent('#inputs-status')).toMatch(/book: my-book\.json \(1 account, .*market: my-market\.json/);
  expect(state.reportJson).toBe(JSON.stringify(engine.margin(own, testMarket(), { method: 'cross' })));
  await page.setInputFiles('#files', [{ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{ not json') }]);
  await page.waitForSelector('#errors:not([hidden])');
  expect(await page.textContent('#errors')).toMatch(/broken\.json/);
  // the figures left are my-book's, and the status line says so beside the refusal
  expect(await page.textContent('#inputs-status')).toMatch(/book: my-book\.json .* · the file given was refused \(below\): the figures are still those of the files named here$/);
  await page.setInputFiles('#files', [{ name: 'array.json', mimeType: 'application/json', buffer: Buffer.from('[1, 2, 3]') }]);
  await page.waitForFunction(() => /array\.json/.test(document.getElementById('errors')?.textContent ?? ''));
  expect(await page.textContent('#errors')).toMatch(/array\.json.*expected a book, a market or params \(a JSON object\), got an Array/);
  // a good book dropped beside a bad file: nothing taken (the new book's name had shown over the last book's figures)
  const other = testBook({ id: 'bob', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 20_000 }] });
  await page.setInputFiles('#files', [
    { name: 'other-book.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other)) },
    { name: 'cut.json', mimeType: 'application/json', buffer: Buffer.from('{ "accounts": [') },
  ]);
  await page.waitForFunction(() => /cut\.json/.test(document.getElementById('errors')?.textContent ?? ''));
  await page.click('#run');
  await runsReach(state.runs + 1);
  expect(await page.textContent('#inputs-status')).toMatch(/book: my-book\.json \(1 account, /);
  expect((await pageState()).reportJson).toBe(JSON.stringify(engine.margin(own, testMarket(), { method: 'cross' })));
  expect(pageErrors).toEqual([]);
});

test('under the cross subaccount policy: a pooled master explained, stressed and compared by every method that pools', async () => {
  // the docs' group (subaccounts.md): m with s1 and s2; isolated margin cannot pool, so it is left out, not the whole view
  const groupBook = JSON.parse(await readFile(join(root, 'data', 'examples', 'subaccounts-book.json'), 'utf8'));
  const groupMarket = JSON.parse(await readFile(join(root, 'data', 'examples', 'market.json'), 'utf8'));
  const params = { subaccounts: { policy: 'cross' } };
  let { runs } = await pageState();
  await page.setInputFiles('#files', [
    { name: 'group-book.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(groupBook)) },
    { name: 'group-market.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(groupMarket)) },
  ]);
  ({ runs } = await runsReach(runs + 1));
  await page.fill('#params', JSON.stringify(params));
  await page.click('#run');
  await runsReach(runs + 1);
  await page.click('#accounts tr[data-id="m"]');
  await page.waitForFunction(() => (window as unknown as { marginCorePage: PageState & { explainJson?: string } }).marginCorePage.explainJson !== undefined);
  const explained = JSON.parse(((await pageState()) as PageState & { explainJson?: string }).explainJson!);
  const pooling = MARGIN_METHODS.filter((m) => m !== 'isolated');
  expect(explained.byMethod.map((x: { method: string }) => x.method)).toEqual(pooling);
  await page.click('#stress');
  await page.waitForFunction(() => (window as unknown as { marginCorePage: PageState & { stressJson?: string } }).marginCorePage.stressJson !== undefined);
  const stressed = JSON.parse(((await pageState()) as PageState & { stressJson?: string }).stressJson!);
  expect(stressed.cascades.map((c: { method: string }) => c.method)).toEqual(pooling);
  const cross = engine.stress(groupBook, groupMarket, JSON.parse(await readFile(join(root, 'data', 'shocks', 'correlated-crash.json'), 'utf8')), { method: 'cross', params });
  expect(stressed.cascades[0].metrics).toEqual(JSON.parse(JSON.stringify(cross.cascades[0].metrics)));
  expect(await page.isHidden('#errors')).toBe(true);
  expect(pageErrors).toEqual([]);
});

test('a stress of a book beyond what the page stresses in moments asks first, with the CLI command; the sample does not', async () => {
  // a page of its own: 10,001 generated accounts (one above PAGE_STRESS_ACCOUNTS) margined, then the Stress and
  // Compare buttons: each shows why and a button, and runs nothing (a 100,000-account stress had frozen the tab for minutes)
  const big = await browser.newPage();
  big.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await big.goto(url);
    const { runs } = await runsReach(1, big);
    const { generateSample } = await import('../src/sample/generate.js');
    const sample = generateSample({ accounts: 10_001, seed: 3 });
    await big.setInputFiles('#files', [
      { name: 'big-book.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(sample.book)) },
      { name: 'big-market.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(sample.market)) },
    ]);
    await runsReach(runs + 1, big);
    for (const [button, view] of [['#stress', '#stress-view'], ['#compare', '#compare-view']]) {
      await big.click(button);
      await big.waitForSelector(`${view} .run-anyway`);
      expect(await big.textContent(view)).toMatch(/A stress of 10,001 accounts under \d methods runs a cascade per method on this tab's thread.*margin-core stress --book BOOK --market MARKET --method all/);
    }
    const state = await pageState(big) as PageState & { stressJson?: string; compareJson?: string };
    expect([state.stressJson, state.compareJson]).toEqual([undefined, undefined]);
  } finally {
    await big.close();
  }
});
