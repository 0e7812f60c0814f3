import type { Command } from 'commander';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../engine.js';
import { bookOptions } from '../../greeks/book-options.js';
import type { MarginReport } from '../../margin/report.js';
import { MARGIN_METHODS, methodList } from '../../methods/registry.js';
import type { ValidatedBook, ValidatedMarket } from '../../model/types.js';
import { validateInputs } from '../../model/validate.js';
import { equalCoverage, referenceLossParams } from '../../report/coverage.js';
import { calibrationLines, conclusionNotes, conclusionRows, conclusionTable, coverageHeadline, coverageNotes, coverageTable } from '../../report/coverage-text.js';
import { explainAccounts } from '../../report/explain.js';
import { methodComparisonNotes, methodComparisonTable } from '../../report/stress-text.js';
import { wrap } from '../../report/format.js';
import { riskiestAccounts, worstScenario } from '../../report/summary.js';
import type { StressReport } from '../../stress/report.js';
import { generateSample } from '../../sample/generate.js';
import { greeksTiming, timeMethods, timingSection, timingSteps } from '../demo/timing.js';
import { hedgedAccount, liquidationSection, type LiquidationRun, methodsSection, nextLines, riskiestSection, teachingLiquidation } from '../demo/sections.js';
import { readJson, sampleDir, shocksDir } from '../io.js';
import { type Progress, withProgress } from '../progress.js';

/** The timed book: big enough that kernels take milliseconds, small enough to generate in a blink. */
const TIMING_ACCOUNTS = 10_000;
const RISKIEST = 10;
/** The stress the demo concludes with: a path (prices slide over snapshots), where the methods' resilience differs. */
const DEMO_SHOCK = 'crash-path';

/**
 * `margin-core demo` (and `npm start`): every margin method on the bundled sample, what its defaults are calibrated
 * to, its efficiency at the defaults and at equal coverage, the riskiest accounts, liquidations, the crash path, the
 * WASM and JS timings, and the efficiency–resilience table as the conclusion.
 */
export function registerDemoCommand(program: Command): Command {
  return program
    .command('demo')
    .description('every margin method on the bundled sample: calibrations, efficiency at the defaults and at equal coverage, riskiest accounts, liquidations, the crash path, WASM vs JS timings')
    .addHelpText('after', '\nExample:\n  margin-core demo          (npm start in a clone)')
    .action(async () => {
      const dir = sampleDir();
      const { book, market } = validateInputs(await readJson(join(dir, 'book.json'), 'book'), await readJson(join(dir, 'market.json'), 'market'));
      const engines = [await createEngine(), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'js' })];
      const steps = 2 * MARGIN_METHODS.length * engines.length + 2 + engines.length + timingSteps(engines.length) + 1;
      const text = await withProgress('demo', steps, (bar) => demoText(book, market, engines, bar));
      console.log(text);
    });
}

/** The sample margined by every method on every engine (method-major, as the progress bar counts them). */
function marginRuns(book: ValidatedBook, market: ValidatedMarket, engines: Engine[], bar: Progress) {
  return MARGIN_METHODS.map((method) => ({
    method,
    reports: engines.map((e) => {
      bar.note(`${method} on ${e.backend}`);
      const report = e.margin(book, market, { method });
      bar.advance();
      return report;
    }),
  }));
}

/** The sample liquidated under every method on every engine. */
function liquidationRuns(book: ValidatedBook, market: ValidatedMarket, engines: Engine[], bar: Progress): LiquidationRun[] {
  return MARGIN_METHODS.map((method) => ({
    method,
    reports: engines.map((e) => {
      bar.note(`liquidating under ${method} on ${e.backend}`);
      const report = e.liquidate(book, market, { method });
      bar.advance();
      return report;
    }),
  }));
}

async function demoText(book: ValidatedBook, market: ValidatedMarket, engines: Engine[], bar: Progress): Promise<string> {
  const engine = engines[0];
  const backends = engines.map((e) => e.backend);
  const chain = bookOptions(book, market);
  const underlyings = [...new Set(book.instruments.map((i) => i.underlying))];
  const runs = marginRuns(book, market, engines, bar);
  const reports = runs.map((r) => r.reports[0]);
  const sameReports = runs.every((r) => r.reports.every((rep) => JSON.stringify({ ...rep, backend: '' }) === JSON.stringify({ ...r.reports[0], backend: '' })));
  bar.note('the 99% 1-day loss of every account');
  const coverage = equalCoverage(reports, engine.margin(book, market, { method: 'var', params: referenceLossParams() }));
  bar.advance();
  const liquidations = liquidationRuns(book, market, engines, bar);
  const stress = await stressRuns(book, market, engines, bar);
  bar.note(`generating ${TIMING_ACCOUNTS.toLocaleString('en-US')} accounts`);
  const big = generateSample({ accounts: TIMING_ACCOUNTS, seed: 7 });
  const timed = validateInputs(big.book, big.market);
  bar.advance();
  const timings = timeMethods(timed.book, timed.market, engines, bar);

  const crossPlan = liquidations.find((l) => l.method === 'cross')?.reports[0];
  const showcase = crossPlan ? teachingLiquidation(crossPlan) : undefined;
  const hedged = hedgedAccount(reports);
  const lines: string[] = [
    `margin-core demo: the bundled sample (margin-core margin --sample), valued ${market.valuationTime}`,
    `book: ${book.accounts.length} accounts, ${book.instruments.length} instruments (${chain.ids.length} options) on ${underlyings.join(', ')}`,
    `methods: ${methodList('and')}, default parameters; on ${engine.backend}; money in USD.`,
    '',
    '1. What each method\'s defaults are calibrated to',
    ...calibrationLines(MARGIN_METHODS),
    '',
    '2. At the defaults: accounts by status, total initial margin (IM) and notional carried per dollar of IM',
    methodsSection(reports),
    `Reports ${sameReports ? 'bit-identical' : 'DIFFER'} on ${backends.join(', ')} (every method).`,
    '',
    '3. At equal coverage: every method held against the same loss, then scaled to cover it in the same share of accounts',
    coverageHeadline(coverage),
    coverageTable(coverage),
    ...coverageNotes(coverage),
    '',
    `4. The ${RISKIEST} riskiest accounts, each at its worst method, with their health under every method`,
    riskiestSection(reports, worstScenarios(engine, book, market, reports), RISKIEST),
    '',
    '5. Liquidation of the accounts below maintenance margin (MM), per method (default rules: target MM × 1.02, at most',
    '   25% of a position per step, fee 0.5% of notional capped by the surplus over bankruptcy, insurance fund 1,000,000,',
    '   ADL queue)',
    liquidationSection(liquidations, backends, showcase && crossPlan ? { method: crossPlan.method, account: showcase } : undefined),
    '',
    wrap(`6. Stress: ${stress[0].shock.name} (${stress[0].shock.steps.join('; ')}),`, 120, '   '),
    '   the liquidation cascade running to rest after each step; every method on its own copy of the sample (default impact:',
    '   square-root law, half permanent, contagion)',
    methodComparisonTable(stress[0]),
    ...methodComparisonNotes(stress[0]),
    `Cascades ${sameStress(stress) ? 'bit-identical' : 'DIFFER'} on ${backends.join(', ')}.`,
    '',
    '7. Speed',
    timingSection(TIMING_ACCOUNTS, timings, engines),
    greeksTiming(chain, engines, bar),
    '',
    `8. Conclusion: efficiency against resilience on ${stress[0].shock.name}`,
    conclusionTable(conclusionRows(reports, coverage, stress[0])),
    ...conclusionNotes(stress[0]),
    '',
    ...nextLines(showcase?.id, hedged),
  ];
  return lines.join('\n');
}

/** The worst scenario of each riskiest account, from the first method that explains one (computed for them only). */
function worstScenarios(engine: Engine, book: ValidatedBook, market: ValidatedMarket, reports: readonly MarginReport[]): Map<string, string> {
  const ids = riskiestAccounts(reports, RISKIEST).map((r) => r.id);
  const scenario = new Map<string, string>();
  for (const method of MARGIN_METHODS) {
    for (const a of explainAccounts(engine, book, market, ids, method).accounts) {
      const s = worstScenario(a);
      if (s && !scenario.has(a.id)) scenario.set(a.id, s);
    }
  }
  return scenario;
}

/** The demo's shock under every method, on every engine. */
async function stressRuns(book: ValidatedBook, market: ValidatedMarket, engines: Engine[], bar: Progress): Promise<StressReport[]> {
  const shock = await readJson(join(shocksDir(), `${DEMO_SHOCK}.json`), 'shock');
  return engines.map((e) => {
    bar.note(`stress test on ${e.backend}`);
    const r = e.stress(book, market, shock, { method: 'all' });
    bar.advance();
    return r;
  });
}

function sameStress(reports: readonly StressReport[]): boolean {
  const text = (r: StressReport) => JSON.stringify({ ...r, backend: '', cascades: r.cascades.map((c) => ({ ...c, backend: '' })) });
  return reports.every((r) => text(r) === text(reports[0]));
}
