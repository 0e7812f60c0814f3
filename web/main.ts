/**
 * The browser risk page: margin computed client-side with the browser bundle's engine (WASM, SIMD
 * when the browser has it), on the bundled sample (embedded: the page works offline from static
 * files) or on JSON files the user drops. Pure logic lives in model.ts and plots.ts.
 */
import { describeValue, InputError } from '../src/errors.js';
import { isRecord } from '../src/model/checks.js';
import sampleBook from '../data/sample/book.json';
import sampleMarket from '../data/sample/market.json';
import brokenCorrelation from '../data/shocks/broken-correlation.json';
import btcCrash from '../data/shocks/btc-crash.json';
import correlatedCrash from '../data/shocks/correlated-crash.json';
import crashPath from '../data/shocks/crash-path.json';
import usdcDepeg from '../data/shocks/usdc-depeg.json';
import { createEngine, type Engine } from '../src/engine.js';
import { BUILT_IN_REGISTRY, MARGIN_METHODS } from '../src/methods/registry.js';
import type { LiquidationReport } from '../src/liquidation/report.js';
import type { StressReport } from '../src/stress/report.js';
import type { AccountMargin, MarginMethod, MarginReport } from '../src/margin/report.js';
import type { ValidatedBook, ValidatedMarket } from '../src/model/types.js';
import { validateInputs } from '../src/model/validate.js';
import { explainAccount, marginByMethod } from '../src/report/explain.js';
import { subaccountTreeHtml } from './subaccounts-view.js';
import { count, efficiency, money, ratio } from '../src/report/format.js';
import { coverageLabel } from '../src/report/summary.js';
import { explainHtml } from './explain-view.js';
import { liquidationPlanHtml, liquidationSummaryHtml } from './liquidation-view.js';
import { stressHtml } from './stress-view.js';
import { backtestHtml } from './backtest-view.js';
import { syntheticHistoryFor } from '../src/dynamic/synthetic-history.js';
import { classifyInput, COLUMNS, errorLines, filterAccounts, heavyStressNote, parseJsonFile, rejectedHeading, type SortKey, sortAccounts } from './model.js';
import { compareHtml } from './compare-view.js';
import { equalCoverage, referenceLossParams } from '../src/report/coverage.js';
import { esc } from './plots.js';
import { hedgeHtml } from './hedge-view.js';
import { bankruptNoHedge } from '../src/report/words.js';
import { defaultHedges } from '../src/optimize/default-hedges.js';

/** The bundled shocks (data/shocks/), embedded like the sample; the first is the default: a path, where methods differ. */
const SHOCKS: Record<string, unknown> = {
  'crash-path': crashPath, 'btc-crash': btcCrash, 'correlated-crash': correlatedCrash, 'usdc-depeg': usdcDepeg, 'broken-correlation': brokenCorrelation,
};

/** Rows drawn at once: a 100,000-account book stays responsive; sorting brings any account up. */
const MAX_ROWS = 1000;

interface Source {
  json: unknown;
  /** Where it came from, for the status line: "bundled sample" or a file name. */
  from: string;
}

const state = {
  engine: undefined as Engine | undefined,
  book: { json: sampleBook, from: 'bundled sample' } as Source,
  market: { json: sampleMarket, from: 'bundled sample' } as Source,
  valid: undefined as { book: ValidatedBook; market: ValidatedMarket } | undefined,
  method: 'cross' as MarginMethod,
  params: undefined as unknown,
  report: undefined as MarginReport | undefined,
  /** The liquidation of the current run's accounts below MM, computed when first asked for. */
  liquidation: undefined as LiquidationReport | undefined,
  sort: { key: 'health' as SortKey, descending: false },
  /** The accounts table's search (part of an id) and status filter ('' for all). */
  filter: { search: '', status: '' },
  selected: undefined as string | undefined,
};

/** What the browser test reads: the last report as JSON text (numbers exactly as computed) and readiness. */
declare global {
  interface Window {
    marginCorePage?: {
      reportJson?: string; explainJson?: string; liquidationJson?: string; stressJson?: string; backtestJson?: string; hedgeJson?: string; compareJson?: string;
      ready: boolean; runs: number;
    };
  }
}
window.marginCorePage = { ready: false, runs: 0 };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function start(): Promise<void> {
  const select = $<HTMLSelectElement>('method');
  select.innerHTML = MARGIN_METHODS.map((m) => `<option value="${esc(m)}"${m === state.method ? ' selected' : ''}>${esc(m)}</option>`).join('');
  select.addEventListener('change', () => run());
  $('run').addEventListener('click', () => run());
  $('liquidate').addEventListener('click', () => showLiquidation());
  const shocks = $<HTMLSelectElement>('shock');
  shocks.innerHTML = Object.keys(SHOCKS).map((name) => `<option value="${esc(name)}">${esc(name)}</option>`).join('');
  $('stress').addEventListener('click', () => showStress());
  $('backtest').addEventListener('click', () => showBacktest());
  $('compare').addEventListener('click', () => showCompare());
  $<HTMLInputElement>('search').addEventListener('input', (e) => {
    state.filter.search = (e.target as HTMLInputElement).value;
    renderAccounts();
  });
  $<HTMLSelectElement>('status-filter').addEventListener('change', (e) => {
    state.filter.status = (e.target as HTMLSelectElement).value;
    renderAccounts();
  });
  $('liquidation').addEventListener('click', (e) => {
    const tr = (e.target as HTMLElement).closest('tr');
    if (tr?.dataset.id) select_(tr.dataset.id);
  });
  $('liquidation').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    (e.target as HTMLElement).click();
  });
  $('load-sample').addEventListener('click', () => {
    state.book = { json: sampleBook, from: 'bundled sample' };
    state.market = { json: sampleMarket, from: 'bundled sample' };
    state.valid = undefined;
    run();
  });
  $<HTMLInputElement>('files').addEventListener('change', (e) => loadFiles((e.target as HTMLInputElement).files));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    loadFiles(e.dataTransfer?.files ?? null);
  });
  $('accounts').addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    const th = target.closest('th');
    if (th?.dataset.key) {
      const key = th.dataset.key as SortKey;
      state.sort = { key, descending: state.sort.key === key ? !state.sort.descending : key !== 'id' && key !== 'health' };
      renderAccounts();
      return;
    }
    const tr = target.closest('tr');
    if (tr?.dataset.id) select_(tr.dataset.id);
  });
  // Keyboard: rows and headers are focusable; Enter or Space acts like a click.
  $('accounts').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    (e.target as HTMLElement).click();
  });
  // Served over HTTP(S), the page streams the kernels' .wasm files beside it (compiled while they download); opened
  // from disk, it uses the bytes app.js embeds.
  const wasmUrls = location.protocol.startsWith('http') ? { simd: 'margin-core.simd.wasm', scalar: 'margin-core.scalar.wasm' } : undefined;
  state.engine = await createEngine({ wasmUrls, onWarning: (m) => showErrors([{ path: 'engine', message: m }]) });
  $('backend').textContent = state.engine.backend;
  run();
}

/** Dropped or chosen files: each recognised as book, market or params by its fields. */
async function loadFiles(files: FileList | null): Promise<void> {
  if (!files || files.length === 0) return;
  try {
    // every file read first: one that fails leaves the inputs as they were (a book taken beside a refused file had
    // shown its name over the last book's figures)
    const read: { kind: ReturnType<typeof classifyInput>; json: Record<string, unknown>; from: string }[] = [];
    for (const file of Array.from(files)) {
      const json = parseJsonFile(file.name, new Uint8Array(await file.arrayBuffer()));
      // a file that is no JSON object is none of the three (an array had been taken as params)
      if (!isRecord(json)) throw new InputError([{ path: file.name, message: `expected a book, a market or params (a JSON object), got ${describeValue(json)}` }]);
      read.push({ kind: classifyInput(json), json, from: file.name });
    }
    for (const { kind, json, from } of read) {
      if (kind === 'params') $<HTMLTextAreaElement>('params').value = JSON.stringify(json, null, 2);
      else state[kind] = { json, from };
    }
    state.valid = undefined;
    run();
  } catch (error) {
    showErrors(errorLines(error));
    // the inputs stay as they were: the figures shown are theirs, not the refused file's, and the status line says so
    const status = $('inputs-status');
    if (!status.textContent?.includes(REFUSED_DROP)) status.textContent = `${status.textContent ?? ''} · ${REFUSED_DROP}`;
  }
}

/** What the status line adds when a dropped file was refused. */
const REFUSED_DROP = 'the file given was refused (below): the figures are still those of the files named here';

/** Validates (once per input), computes the chosen method for every account, and redraws. */
function run(): void {
  const engine = state.engine;
  if (!engine) return;
  showErrors([]);
  state.method = $<HTMLSelectElement>('method').value as MarginMethod;
  try {
    const paramsText = $<HTMLTextAreaElement>('params').value.trim();
    state.params = paramsText === '' ? undefined : parseJsonFile('params', paramsText);
    state.valid ??= validateInputs(state.book.json, state.market.json);
    const { book, market } = state.valid;
    const t0 = performance.now();
    const report = engine.margin(book, market, { method: state.method, params: state.params });
    const ms = performance.now() - t0;
    state.report = report;
    state.liquidation = undefined;
    hideLiquidation();
    hideStress();
    hideCompare();
    $('backend').textContent = report.backend;
    $('timing').textContent = `${ms.toFixed(1)} ms`;
    $('inputs-status').textContent =
      `book: ${state.book.from} (${count(book.accounts.length, 'account')}, ${count(book.instruments.length, 'instrument')}) · ` +
      `market: ${state.market.from} (valued ${market.valuationTime}) · params: ${state.params === undefined ? 'defaults' : 'custom'}`;
    renderSummary(report);
    renderSubaccounts(report);
    renderAccounts();
    window.marginCorePage!.reportJson = JSON.stringify(report);
    if (state.selected && report.accounts.some((a) => a.id === state.selected)) select_(state.selected);
    else clearExplain();
  } catch (error) {
    state.report = undefined;
    state.liquidation = undefined;
    hideLiquidation();
    hideStress();
    hideCompare();
    window.marginCorePage!.reportJson = undefined;
    renderSubaccounts(undefined);
    // no figure of an earlier run stays beside inputs that were refused: the summary and timing go, the status line
    // names the files now loaded (a run on them gives the same error until one is replaced)
    $('summary').innerHTML = '';
    $('timing').textContent = '—';
    $('inputs-status').textContent = `book: ${state.book.from} · market: ${state.market.from} · params: ${$<HTMLTextAreaElement>('params').value.trim() === '' ? 'defaults' : 'custom'} · not computed: refused (below)`;
    showErrors(errorLines(error));
    renderAccounts();
    clearExplain();
  } finally {
    window.marginCorePage!.ready = true;
    window.marginCorePage!.runs++; // finished runs, failed ones included
  }
}

function showErrors(lines: { path: string; message: string }[]): void {
  const box = $('errors');
  box.hidden = lines.length === 0;
  box.innerHTML = lines.length === 0 ? '' :
    `<strong>${esc(rejectedHeading(lines))}:</strong><ul>${lines.map((l) => `<li>${l.path ? `<code>${esc(l.path)}</code> ` : ''}${esc(l.message)}</li>`).join('')}</ul>`;
}

/**
 * Statuses, totals and notional / IM of the current method at its defaults. Capital freed against another method is in
 * the comparison view (Compare methods), at equal coverage: at the defaults it would mostly compare calibrations.
 */
function renderSummary(report: MarginReport): void {
  const t = report.totals;
  const chips = Object.entries(t.byStatus).map(([status, n]) => `<span class="chip status-${esc(status)}">${esc(status.replace('_', ' '))} <b>${n}</b></span>`).join(' ');
  // a total that leaves accounts in error out says over how many accounts it is
  const over = t.complete ? '' : ` <small class="partial">over ${esc(coverageLabel(t))}</small>`;
  $('summary').innerHTML =
    `<div class="chips">${chips}</div>` +
    `<dl><dt>total IM${over}</dt><dd>${money(t.im, 0)}</dd><dt>total MM${over}</dt><dd>${money(t.mm, 0)}</dd>` +
    `<dt title="gross notional per dollar of IM, at this method's defaults">notional / IM</dt><dd>${efficiency(t.efficiency, '×')}</dd></dl>` +
    '<p class="hint">Capital efficiency across methods, at equal coverage of the 99% 1-day loss: Compare methods.</p>';
}

/** Every method and the 99% 1-day loss on the current inputs, then the comparison view (web/compare-view.ts). */
function showCompare(asked = false): void {
  const engine = state.engine;
  if (!engine || !state.valid) return;
  if (!stressMayRun('compare-view', asked, () => showCompare(true))) return; // its resilience row stresses every method
  try {
    const { book, market } = state.valid;
    const reports = bookMethods(book).map((method) => engine.margin(book, market, { method, params: state.params }));
    const coverage = equalCoverage(reports, engine.margin(book, market, { method: 'var', params: referenceLossParams() }));
    const stress = stressEveryMethod(SHOCKS['crash-path']);
    $('compare-view').innerHTML = compareHtml(reports, coverage, stress);
    $('compare-view').hidden = false;
    window.marginCorePage!.compareJson = JSON.stringify({ coverage, badDebt: stress.cascades.map((c) => [c.method, c.metrics.badDebt]) });
  } catch (error) {
    showErrors(errorLines(error));
  }
}

function hideCompare(): void {
  $('compare-view').hidden = true;
  $('compare-view').innerHTML = '';
  window.marginCorePage!.compareJson = undefined;
}

/** The master/subaccount tree, when the book has masters (params `subaccounts.policy` chooses the policy). */
function renderSubaccounts(report: MarginReport | undefined): void {
  const html = report ? subaccountTreeHtml(report) : '';
  $('subaccounts').hidden = html === '';
  $('subaccounts').innerHTML = html;
}

function renderAccounts(): void {
  const table = $('accounts');
  const report = state.report;
  if (!report) {
    table.innerHTML = '';
    $('table-count').textContent = ''; // no count of an earlier run's accounts beside an empty table
    return;
  }
  const matching = filterAccounts(report.accounts, state.filter.search, state.filter.status);
  const rows = sortAccounts(matching, state.sort.key, state.sort.descending);
  const arrow = (key: SortKey) => (state.sort.key === key ? (state.sort.descending ? ' ▼' : ' ▲') : '');
  const head = `<thead><tr>${COLUMNS.map((c) => `<th data-key="${c.key}" tabindex="0"${state.sort.key === c.key ? ` aria-sort="${state.sort.descending ? 'descending' : 'ascending'}"` : ''}${c.numeric ? ' class="num"' : ''}>${esc(c.label)}${arrow(c.key)}</th>`).join('')}<th class="why">why (unless healthy)</th></tr></thead>`;
  const cell = (a: AccountMargin, key: SortKey): string => {
    switch (key) {
      case 'id': return esc(a.id);
      case 'status': return `<span class="status status-${a.status}" title="${esc(a.statusReason)}">${esc(a.status.replace('_', ' '))}</span>`;
      case 'health': return ratio(a[key]);
      case 'efficiency': return efficiency(a[key]);
      // a coin-margined account: its figure in its coin, and in USD at the index beneath
      default: return a.marginCurrency && a.usd ? `${money(a[key], 8)} ${esc(a.marginCurrency)}<br><small class="usd">${money(a.usd[key])} USD</small>` : money(a[key]);
    }
  };
  const body = rows.slice(0, MAX_ROWS).map((a) =>
    `<tr data-id="${esc(a.id)}" tabindex="0" class="row-${a.status}${a.id === state.selected ? ' selected' : ''}">${COLUMNS.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${cell(a, c.key)}</td>`).join('')}<td class="why">${a.status === 'healthy' ? '' : esc(a.statusReason)}</td></tr>`);
  const shown = Math.min(rows.length, MAX_ROWS);
  const filtered = rows.length < report.accounts.length ? ` (${rows.length.toLocaleString('en-US')} match)` : '';
  $('table-count').textContent = `showing ${shown.toLocaleString('en-US')} of ${report.accounts.length.toLocaleString('en-US')} accounts${filtered}`;
  const more = rows.length > MAX_ROWS ? `<caption>showing ${MAX_ROWS.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')} accounts: search, filter or sort to bring others up</caption>` : '';
  table.innerHTML = `${more}${head}<tbody>${body.join('')}</tbody>`;
}

/** The liquidation of the current inputs (the chosen method and params, `liquidation` section included), once per run. */
function liquidation(): LiquidationReport | undefined {
  if (!state.engine || !state.valid || !state.report) return undefined;
  state.liquidation ??= state.engine.liquidate(state.valid.book, state.valid.market, { method: state.method, params: state.params });
  return state.liquidation;
}

function showLiquidation(): void {
  try {
    const report = liquidation();
    if (!report) return;
    $('liquidation').innerHTML = liquidationSummaryHtml(report);
    $('liquidation').hidden = false;
    window.marginCorePage!.liquidationJson = JSON.stringify(report);
  } catch (error) {
    showErrors(errorLines(error));
  }
}

/**
 * The methods that take the current book under the current params: every one, but those that allocate collateral to
 * positions (isolated margin) where the cross subaccount policy pools groups: they cannot pool, and margin, stress and
 * compare refuse them there (src/subaccounts/methods.ts, the same flag).
 */
function bookMethods(book: { accounts: readonly { master?: string | undefined }[] }): readonly MarginMethod[] {
  const policy = (state.params as { subaccounts?: { policy?: unknown } } | undefined)?.subaccounts?.policy;
  const pools = policy === 'cross' && book.accounts.some((a) => a.master !== undefined);
  return pools ? MARGIN_METHODS.filter((m) => BUILT_IN_REGISTRY.require(m).allocatesCollateral !== true) : MARGIN_METHODS;
}

/** `shock` under every method the book takes ({@link bookMethods}): one report with a cascade per method. */
function stressEveryMethod(shock: unknown): StressReport {
  const { book, market } = state.valid!, engine = state.engine!, methods = bookMethods(book);
  if (methods.length === MARGIN_METHODS.length) return engine.stress(book, market, shock, { method: 'all', params: state.params });
  const reports = methods.map((method) => engine.stress(book, market, shock, { method, params: state.params }));
  return { ...reports[0], cascades: reports.flatMap((r) => r.cascades) };
}

/**
 * True when the stress of the current book may run now: a book the page stresses in moments, or the user asked for it
 * (`asked`). Else `view` shows why not and a button that runs `again` anyway.
 */
function stressMayRun(view: string, asked: boolean, again: () => void): boolean {
  const note = asked || !state.valid ? null : heavyStressNote(state.valid.book.accounts.length, bookMethods(state.valid.book).length);
  if (note === null) return true;
  const box = $(view);
  box.innerHTML = `<p class="hint heavy">${esc(note)}</p><button type="button" class="run-anyway">Run here anyway</button>`;
  box.hidden = false;
  box.querySelector('button')!.addEventListener('click', again, { once: true });
  return false;
}

/** The chosen bundled shock under every method, on the current inputs and params (`stress` section included). */
function showStress(asked = false): void {
  if (!state.engine || !state.valid) return;
  if (!stressMayRun('stress-view', asked, () => showStress(true))) return;
  try {
    const shock = SHOCKS[$<HTMLSelectElement>('shock').value];
    const report: StressReport = stressEveryMethod(shock);
    $('stress-view').innerHTML = stressHtml(report);
    $('stress-view').hidden = false;
    window.marginCorePage!.stressJson = JSON.stringify(report);
  } catch (error) {
    showErrors(errorLines(error));
  }
}

/** Days of the page's synthetic history: three years and a warm-up, a few seconds in a browser on the bundled sample. */
const BACKTEST_CLOSES = 1_350;

/** The current method (portfolio when it is not one a forecast can drive) backtested over a seeded synthetic history. */
function showBacktest(): void {
  if (!state.engine || !state.valid) return;
  try {
    const method = BUILT_IN_REGISTRY.dynamicNames.includes(state.method) ? state.method : 'portfolio';
    const history = syntheticHistoryFor(state.valid.market, { days: BACKTEST_CLOSES, seed: 1 });
    const report = state.engine.backtest(state.valid.book, state.valid.market, history, { method, params: state.params });
    $('backtest-view').innerHTML = backtestHtml(report, `synthetic history, seed 1, ${BACKTEST_CLOSES} daily closes (GARCH(1,1) with jumps)`);
    $('backtest-view').hidden = false;
    window.marginCorePage!.backtestJson = JSON.stringify({ method, totals: Object.fromEntries(Object.entries(report.series).map(([k, s]) => [k, Array.from(s.totalMargin)])), breaches: report.series.dynamic.coverage.breaches, events: report.circuitBreaker.events.length });
  } catch (error) {
    showErrors(errorLines(error));
  }
}

function hideStress(): void {
  $('stress-view').hidden = true;
  $('stress-view').innerHTML = '';
  window.marginCorePage!.stressJson = undefined;
}

function hideLiquidation(): void {
  $('liquidation').hidden = true;
  $('liquidation').innerHTML = '';
  window.marginCorePage!.liquidationJson = undefined;
}

function clearExplain(): void {
  state.selected = undefined;
  $('explain').innerHTML = '';
  $('explain').hidden = true;
  $('select-hint').hidden = false;
  document.querySelector('main')!.classList.remove('explaining');
  window.marginCorePage!.explainJson = undefined;
}

/** The explain view of one account: headline, plots (margin by method, collateral, scenarios or components), positions. */
function select_(id: string): void {
  const engine = state.engine;
  if (!engine || !state.valid) return;
  state.selected = id;
  for (const tr of Array.from(document.querySelectorAll('#accounts tr.selected'))) tr.classList.remove('selected');
  document.querySelector(`#accounts tr[data-id="${CSS.escape(id)}"]`)?.classList.add('selected');
  const { book, market } = state.valid;
  try {
    const a = explainAccount(engine, book, market, id, state.method, state.params);
    const byMethod = marginByMethod(engine, book, market, id, state.params);
    // below MM: its part of the whole book's liquidation (the insurance fund is shared, most distressed first)
    // under the cross policy a master stands for its group's pool: the pool is what is liquidated and hedged
    const rollup = state.report?.subaccounts;
    const status = (rollup?.policy === 'cross' ? rollup.masters.find((m) => m.id === id)?.combined.status : undefined) ?? a.status;
    const plan = status === 'liquidatable' || status === 'bankrupt' ? liquidation()?.accounts.find((x) => x.id === id) : undefined;
    $('explain').innerHTML = explainHtml(a, state.method, byMethod) + (plan ? liquidationPlanHtml(plan) : '') + '<div id="hedge-view" class="hedge"></div>';
    $('explain').hidden = false;
    $('select-hint').hidden = true;
    document.querySelector('main')!.classList.add('explaining');
    window.marginCorePage!.explainJson = JSON.stringify({ account: a, byMethod, liquidation: plan ?? null });
    void showHedge(id, status);
  } catch (error) {
    showErrors(errorLines(error));
  }
}

/**
 * The selected account's cheapest hedge back to IM among the default candidates (src/optimize/default-hedges.ts), by
 * the page's method and params, with before/after bars (web/hedge-view.ts). The solver loads on the first account
 * that needs it (web/highs-loader.ts); a healthy account needs none.
 */
async function showHedge(id: string, status: string): Promise<void> {
  const engine = state.engine, view = document.getElementById('hedge-view');
  if (!engine || !state.valid || !view) return;
  const page = window.marginCorePage!;
  page.hedgeJson = undefined;
  if (status === 'healthy') {
    view.innerHTML = '<p class="hint">Suggested hedge: none needed (equity for IM ≥ IM).</p>';
    page.hedgeJson = JSON.stringify({ account: id, outcome: 'met' });
    return;
  }
  if (status === 'bankrupt') {
    // a master under the cross policy stands for its pool, which has no reason of its own in the report
    const row = state.report?.accounts.find((a) => a.id === id);
    const reason = row?.status === 'bankrupt' ? row.statusReason : "the pool's equity is below 0";
    view.innerHTML = `<p class="hint">Suggested hedge: none. ${esc(bankruptNoHedge(id, state.method, reason))}.</p>`;
    page.hedgeJson = JSON.stringify({ account: id, outcome: 'bankrupt' });
    return;
  }
  view.innerHTML = '<p class="hint">Suggested hedge: solving…</p>';
  const { book, market } = state.valid;
  try {
    const r = await engine.optimize(book, market, { method: state.method, params: state.params, account: id, hedges: defaultHedges(book, market, id, state.method, state.report?.subaccounts?.policy ?? null) });
    if (state.selected !== id) return; // another account was selected meanwhile
    view.innerHTML = hedgeHtml(r);
    page.hedgeJson = JSON.stringify(r);
  } catch (error) {
    if (state.selected !== id) return;
    const lines = errorLines(error);
    view.innerHTML = `<p class="hint">Suggested hedge: none (${lines.map((l) => esc(`${l.path ? `${l.path}: ` : ''}${l.message}`)).join('; ')}).</p>`;
    page.hedgeJson = JSON.stringify({ account: id, error: lines });
  }
}

start().catch((error: unknown) => showErrors(errorLines(error)));
