/**
 * Every benchmark mode, in the order of the full run. A mode is one entry here and one module of its own; `node
 * dist/bench.js --help` lists them. WASM and the JS twin always run in the same mode, so its ratios compare like with
 * like on a machine whose cores change speed.
 */
import { cpus } from 'node:os';
import { backtestBench, backtestTables, dynamicBench, dynamicTables } from './dynamic.js';
import { deriveBench, deriveTables } from './derive.js';
import { exactSumBench, exactSumTables } from './exact-sum.js';
import { endToEndBench, type EndToEndRow } from './end-to-end.js';
import { e2eRatios, e2eResults, type E2eResults, e2eTables } from './e2e.js';
import { jsonParsersOnSample, jsonParsersTables } from './json-parsers.js';
import { type GrowthResult, marginGrowthBench, marginGrowthHeadline, marginGrowthRatios, marginGrowthTables } from './margin-growth.js';
import { greeksBench, type GreeksBenchRow } from './greeks.js';
import { type BenchMode, type BenchTable, fixed, type HeadlineRow, times } from './harness.js';
import { layoutBench, layoutTables } from './layout.js';
import { liquidationBench, type LiquidationBenchRow, type OneAccountRow } from './liquidation.js';
import { liveBench, liveTables, type LiveBenchRow } from './live.js';
import { type PlansArrowResult, plansArrowBench, plansArrowTables, type ServeArrowResult, serveArrowBench, serveArrowTables } from './serve-arrow.js';
import { type GrowthRow, growthRows, growthTable, liveClusterBench, liveClusterHeadline, type LiveClusterResult, liveClusterTables } from './live-cluster.js';
import { boundsTables, compareTables, serviceBounds, type ServiceBoundsResult, serviceCompare, type ServiceCompareResult } from './service.js';
import { FULL_SPEED, type SpeedSummary } from './machine-speed.js';
import { marginBench, type MarginBenchRow } from './margin.js';
import { optimizeBench, optimizeTables } from './optimize.js';
import { portfolioBench, type PortfolioBenchRow } from './portfolio.js';
import { riskBench, riskTables, type RiskBenchResult } from './risk.js';
import { scaleBench, scaleTables } from './scale.js';
import { scalePaired, scalePairedTables } from './scale-paired.js';
import { scalePhases, scalePhasesTables } from './scale-phases.js';
import { spanBench, spanTables } from './span.js';
import { stressBench, type StressBenchRow, stressGrowthBench, type StressGrowthRow, stressGrowthTables, stressTables } from './stress.js';
import { poolTrialBench, poolTrialTables, subaccountBench, subaccountTables } from './subaccounts.js';
import { varBench, type VarBenchRow, varTables } from './var.js';
import { browserMode } from './browser-mode.js';

const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
/** `{ name: slower / faster }` when both are measured, else nothing. */
const ratio = (name: string, slower: number | undefined, faster: number | undefined): Record<string, number> =>
  slower !== undefined && faster !== undefined && faster > 0 ? { [name]: slower / faster } : {};
const find = <T extends { name: string }>(rows: readonly T[], ...parts: string[]) => rows.find((r) => parts.every((p) => r.name.includes(p)));

const greeks: BenchMode<GreeksBenchRow[]> = {
  name: 'greeks',
  title: 'Greeks: 1,000,000 European options priced by every backend and the npm peers on the same inputs; ns per option, median of tinybench samples',
  inFullRun: true,
  run: () => greeksBench(),
  tables(rows) {
    const js = find(rows, 'margin-core js')?.nsPerOption ?? NaN;
    const simd = find(rows, 'margin-core wasm-simd (engine')?.nsPerOption ?? NaN;
    return [{
      caption: `${rows[0]?.options.toLocaleString('en-US')} European options, median of tinybench samples (${cpus()[0]?.model ?? 'cpu'})`,
      rows: rows.map((r) => ({
        contender: r.name, 'ns/option': fixed(r.nsPerOption, 1), 'vs wasm-simd': times(r.nsPerOption / simd), 'vs js twin': times(r.nsPerOption / js),
        'max |price error| / spot': r.maxPriceError === undefined ? '' : r.maxPriceError.toExponential(1),
      })),
    }];
  },
  headline(rows) {
    const batch = find(rows, 'wasm-simd', 'GreeksBatch') ?? find(rows, 'margin-core wasm-simd (engine');
    const js = find(rows, 'margin-core js');
    if (!batch || !js) return [];
    // C −O3 on this kind of machine: ~42 ns/option (the design's native reference, scalar gcc)
    return [{ work: 'Greeks, 1,000,000 options (price, Δ, Γ, vega, θ, ρ)', wasm: `${batch.nsPerOption.toFixed(1)} ns/option`, js: `${js.nsPerOption.toFixed(1)} ns/option`, target: '≤ 30 ns (C −O3: ~42 ns)', met: batch.nsPerOption <= 30 }];
  },
  ratios(rows) {
    const js = find(rows, 'margin-core js')?.nsPerOption, simd = find(rows, 'margin-core wasm-simd (engine')?.nsPerOption;
    return ratio('greeks: js twin / wasm-simd', js, simd);
  },
};

const margin: BenchMode<MarginBenchRow[]> = {
  name: 'margin',
  title: 'Rule-based cross margin: the kernel pass and the whole session call on 100,000 accounts × 20 positions; ms, tinybench medians',
  inFullRun: true,
  run: () => marginBench(),
  tables: (rows) => [{ rows: rows.map((r) => ({ run: r.name, ms: fixed(r.ms, 2), 'ns/position': fixed((r.ms * 1e6) / r.positions, 2) })) }],
  headline(rows) {
    const wasm = find(rows, 'cross margin kernels, wasm-simd'), js = find(rows, 'cross margin kernels, js');
    return wasm && js ? [{ work: 'cross margin, 100,000 accounts × 20 positions (kernel pass)', wasm: ms(wasm.ms), js: ms(js.ms), target: '< 25 ms', met: wasm.ms < 25 }] : [];
  },
  ratios(rows) {
    const wasm = find(rows, 'cross margin kernels, wasm-simd'), js = find(rows, 'cross margin kernels, js');
    return ratio('cross margin: js twin / wasm-simd', js?.ms, wasm?.ms);
  },
};

const risk: BenchMode<RiskBenchResult> = {
  name: 'risk',
  title: 'VaR / ES kernels: quadratic form, Cholesky, correlated draws, scenario P&L with VaR/ES; ms, best and median of tinybench samples',
  inFullRun: true,
  run: () => riskBench(),
  tables: riskTables,
  headline(result) {
    const pick = (kernel: string, contender: string) => result.rows.find((r) => r.kernel.startsWith(kernel) && r.contender === contender);
    const rows: HeadlineRow[] = [];
    for (const [kernel, work, target] of [
      ['VaR quadratic form q', 'delta-normal VaR quadratic form, 100,000 accounts × 50 underlyings', 30],
      ['Cholesky', 'Cholesky 500 × 500', 5],
    ] as const) {
      const wasm = pick(kernel, 'wasm-simd'), js = pick(kernel, 'js twin');
      if (wasm && js) rows.push({ work, wasm: ms(wasm.medianMs), js: ms(js.medianMs), target: `≤ ${target} ms`, met: wasm.medianMs <= target });
    }
    return rows;
  },
  ratios: (result) => Object.fromEntries(Object.entries(result.jsOverSimd).map(([kernel, ratio]) => [`${kernel}: js twin / wasm-simd`, ratio])),
};

const varMode: BenchMode<VarBenchRow[]> = {
  name: 'var',
  title: 'VaR / ES margin end to end: the session run (cross kernel, exposures or scenarios, revaluation, VaR/ES, status); ms',
  inFullRun: true,
  run: () => varBench(),
  tables: varTables,
  headline(rows) {
    const out: HeadlineRow[] = [];
    for (const [task, work] of [['delta-normal', 'portfolio VaR, delta-normal 99%, 100,000 accounts × 50 underlyings (session run)'], ['Monte Carlo', 'portfolio VaR/ES, Monte Carlo 1,000 scenarios, 10,000 accounts × 20 (session run)']] as const) {
      const wasm = rows.find((r) => r.task.startsWith(task) && r.backend === 'wasm-simd'), js = rows.find((r) => r.task.startsWith(task) && r.backend === 'js');
      if (wasm && js) out.push({ work, wasm: ms(wasm.medianMs), js: ms(js.medianMs), target: '' });
    }
    return out;
  },
};

const portfolio: BenchMode<PortfolioBenchRow[]> = {
  name: 'portfolio',
  title: 'Portfolio margin: (a) the kernels in place, 2,000 options × 63 scenarios then 10,000 accounts × 20 positions; (b) the session run on 100,000 accounts × 20; ms, tinybench median and fastest',
  inFullRun: true,
  run: () => portfolioBench(),
  tables: (rows) => [{ rows: rows.map((r) => ({ run: r.name, 'median ms': fixed(r.ms, 2), 'min ms': fixed(r.minMs, 2) })) }],
  headline(rows) {
    const out: HeadlineRow[] = [];
    const a = find(rows, '(a) risk arrays 2,000×63 + reduction', 'wasm-simd'), aJs = find(rows, '(a) risk arrays 2,000×63 + reduction', ', js');
    if (a && aJs) out.push({ work: 'portfolio margin kernels: 2,000 options × 63 scenarios, then 10,000 accounts × 20', wasm: ms(a.ms), js: ms(aJs.ms), target: '≤ 5 ms', met: a.ms <= 5 });
    const b = find(rows, '(b) session run', 'wasm-simd'), bJs = find(rows, '(b) session run', ', js');
    if (b && bJs) out.push({ work: 'portfolio margin, 100,000 accounts × 20 positions (session run)', wasm: ms(b.ms), js: ms(bJs.ms), target: '< 200 ms', met: b.ms < 200 });
    return out;
  },
  ratios(rows) {
    const a = find(rows, '(a) risk arrays 2,000×63 + reduction', 'wasm-simd'), aJs = find(rows, '(a) risk arrays 2,000×63 + reduction', ', js');
    return ratio('portfolio kernels: js twin / wasm-simd', aJs?.ms, a?.ms);
  },
};

const layout: BenchMode<Awaited<ReturnType<typeof layoutBench>>> = {
  name: 'layout',
  title: 'Book layout: validated books of 1,000 to 100,000 accounts laid out into WASM memory and into plain typed arrays; ms and bytes per position',
  inFullRun: true,
  run: () => layoutBench(),
  tables: layoutTables,
};

const span: BenchMode<Awaited<ReturnType<typeof spanBench>>> = {
  name: 'span',
  title: 'SPAN profile: the generated 100,000-account book, session run; ms, tinybench median and fastest',
  counts: [{ name: 'accounts', fallback: 100_000 }],
  inFullRun: true,
  run: ([accounts]) => spanBench(accounts),
  tables: spanTables,
};

const endToEnd: BenchMode<EndToEndRow[]> = {
  name: 'end-to-end',
  title: 'engine.margin from JSON, end to end, generated 100,000-account book: phases and the whole call; warm medians, ms (cold = first call)',
  inFullRun: true,
  run: () => endToEndBench(),
  tables: (rows) => [{
    rows: rows.map((r) => ({
      backend: r.backend, method: r.method, validate: fixed(r.validate, 1), layout: fixed(r.layout, 1), prepare: fixed(r.prepare, 1), run: fixed(r.run, 1),
      report: fixed(r.report, 1), whole: fixed(r.whole, 1), cold: fixed(r.coldWhole, 1),
    })),
  }],
};

/** The columns of a {@link SpeedSummary} in a table. */
function speedColumns(s: SpeedSummary, unit: string, windows: string): Record<string, number | string> {
  return {
    [`median ${unit}`]: fixed(s.median, 1), [`at full speed ${unit}`]: fixed(s.fullSpeedMedian, 1), [`full-speed ${windows}`]: `${s.fullSpeedWindows}/${s.windows}`,
    'machine speed moved': times(s.referenceSpread),
  };
}

const liquidation: BenchMode<{ rows: LiquidationBenchRow[]; oneAccount: OneAccountRow[] }> = {
  name: 'liquidation',
  title: 'Liquidation: the generated 100,000-account book at its own marks, engine.liquidate(session, …) (prepare, margin run, plans, report; and with every step and fill read) beside the margin run alone, and one 20-position account; tinybench medians',
  inFullRun: true,
  run: () => liquidationBench(),
  tables: (result) => [
    {
      rows: result.rows.map((r) => ({
        backend: r.backend, method: r.method, 'below MM': r.breaching, steps: r.steps, 'ADL fills': r.adlFills, 'margin ms': fixed(r.marginMs, 1), 'liquidate ms': fixed(r.liquidateMs, 1),
        'liquidate + read ms': fixed(r.liquidateReadMs, 1), ...speedColumns(r.speed, 'ms', 'calls'),
      })),
    },
    {
      caption: `One account of 20 positions at health 0.9, liquidated alone under cross margin (a process of its own per backend): the whole engine.liquidate(session) call, prepare + margin run alone, and the plan (their difference), µs; "at full speed": the calls timed while a fixed reference loop beside them ran within ${FULL_SPEED}× of its fastest`,
      rows: result.oneAccount.map((r) => ({
        backend: r.backend, positions: r.positions, steps: r.steps, 'whole µs': fixed(r.microseconds, 1), 'prepare + margin µs': fixed(r.marginMicroseconds, 1),
        'plan µs': fixed(r.microseconds - r.marginMicroseconds, 1), ...speedColumns(r.speed, 'µs', 'windows of 400'),
      })),
    },
  ],
  headline(result) {
    const out: HeadlineRow[] = [];
    for (const [method, target] of [['cross', 100], ['portfolio', 400]] as const) {
      const wasm = result.rows.find((r) => r.method === method && r.backend.startsWith('wasm')), js = result.rows.find((r) => r.method === method && r.backend === 'js');
      if (wasm && js) out.push({ work: `liquidation plan, 100,000 accounts, ${method}`, wasm: ms(wasm.liquidateMs), js: ms(js.liquidateMs), target: `< ${target} ms`, met: wasm.liquidateMs < target });
    }
    const one = result.oneAccount.find((r) => r.backend.startsWith('wasm')), oneJs = result.oneAccount.find((r) => r.backend === 'js');
    if (one && oneJs) out.push({ work: 'liquidation of one 20-position account, cross', wasm: `${one.microseconds.toFixed(1)} µs`, js: `${oneJs.microseconds.toFixed(1)} µs`, target: '< 50 µs', met: one.microseconds < 50 });
    return out;
  },
  ratios(result) {
    const out: Record<string, number> = {};
    for (const method of ['cross', 'portfolio']) {
      const wasm = result.rows.find((r) => r.method === method && r.backend.startsWith('wasm')), js = result.rows.find((r) => r.method === method && r.backend === 'js');
      if (wasm && js) out[`liquidation ${method}: js twin / wasm`] = js.liquidateMs / wasm.liquidateMs;
    }
    return out;
  },
};

const live: BenchMode<LiveBenchRow[]> = {
  name: 'live',
  title: 'Live margin: what-if of a 20-position account (µs), one-underlying ticks and the service under autocannon (ms), 100,000 accounts × 20 positions',
  counts: [{ name: 'accounts', fallback: 100_000 }, { name: 'seconds', fallback: 10 }],
  inFullRun: true,
  run: ([accounts, seconds]) => liveBench({ accounts, seconds }),
  tables: liveTables,
  headline(rows) {
    const out: HeadlineRow[] = [];
    for (const [method, target] of [['cross', 20], ['portfolio', 50]] as const) {
      const pick = (js: boolean) => rows.find((r) => r.name.startsWith(`what-if ${method}`) && r.name.endsWith('warm') && (r.backend === 'js') === js);
      const wasm = pick(false), js = pick(true);
      if (wasm?.p99 !== undefined && js?.p99 !== undefined) {
        out.push({ work: `what-if, 20-position account, ${method}, warm p99`, wasm: `${wasm.p99.toFixed(1)} µs`, js: `${js.p99.toFixed(1)} µs`, target: `< ${target} µs`, met: wasm.p99 < target });
      }
    }
    return out;
  },
};

const service: BenchMode<ServiceCompareResult> = {
  name: 'service',
  title: 'Live margin service before and after Fastify (same run): POST /what-if at 5,000 req/s on loopback, bearer token on, 20,000 accounts × 20 positions; ms',
  counts: [{ name: 'accounts', fallback: 20_000 }, { name: 'seconds', fallback: 10 }, { name: 'rounds', fallback: 3 }],
  inFullRun: false,
  run: ([accounts, seconds, rounds]) => serviceCompare(accounts, seconds, rounds),
  tables: compareTables,
};

const serviceBoundsMode: BenchMode<ServiceBoundsResult> = {
  name: 'service-bounds',
  title: 'Live margin service at size: each request kind at its largest on the generated 1,000,000-account book (cross, portfolio, and cross in groups of 10), how long a /health probe waited meanwhile, RSS',
  counts: [{ name: 'accounts', fallback: 1_000_000 }],
  inFullRun: false,
  ownProcesses: true, // the service and its client load both cores: only the load before is judged
  run: ([accounts]) => serviceBounds(accounts),
  tables: boundsTables,
};

const serveArrow: BenchMode<ServeArrowResult> = {
  name: 'serve-arrow',
  title: 'margin-core serve on the generated 1,000,000 × 20 book.arrow, cross, WASM: ready, peak RSS, a tick of each asset by the accounts it reaches, what-ifs',
  counts: [{ name: 'accounts', fallback: 1_000_000 }, { name: 'positions', fallback: 20 }],
  inFullRun: false,
  run: ([accounts, positions]) => serveArrowBench(accounts, positions),
  tables: serveArrowTables,
  headline(r) {
    // issue 53's goals for serve on a 1,000,000 × 20 book.arrow (WASM only: the mode runs the default backend)
    const scale = `${r.accounts.toLocaleString('en-US')} accounts × ${r.positions}`, rss = Math.max(r.readyRssMiB, r.peakRssMiB);
    const out: HeadlineRow[] = [{ work: `serve on ${scale} book.arrow: ready, peak RSS`, wasm: `${(r.readyMs / 1000).toFixed(1)} s, ${rss.toFixed(0)} MiB`, js: '—', target: '≤ 10 s, ≤ 2 GB', met: r.readyMs <= 10_000 && rss <= 2048 }];
    const btc = r.ticks.find((t) => t.asset === 'BTC');
    if (btc) out.push({ work: `serve on ${scale}: one BTC tick (${btc.accounts.toLocaleString('en-US')} accounts re-margined)`, wasm: ms(btc.ms), js: '—', target: '≤ 50 ms', met: btc.ms <= 50 });
    return out;
  },
};

const plansArrow: BenchMode<PlansArrowResult> = {
  name: 'plans-arrow',
  title: 'margin-core liquidate and stress --shock btc-crash on the generated 1,000,000 × 20 book.arrow, cross, WASM, each a process of its own: time, peak RSS',
  counts: [{ name: 'accounts', fallback: 1_000_000 }, { name: 'positions', fallback: 20 }],
  inFullRun: false,
  ownProcesses: true,
  run: ([accounts, positions]) => plansArrowBench(accounts, positions),
  tables: plansArrowTables,
};

const liveCluster: BenchMode<LiveClusterResult> = {
  name: 'live-cluster',
  title: 'The live cluster: durable fills, what-if through the gateway, kill -9 of a shard to ready, WASM and JS twin, serve as the baseline; recovery and memory as the book grows',
  counts: [{ name: 'accounts', fallback: 100_000 }, { name: 'positions', fallback: 20 }, { name: 'seconds', fallback: 10 }, { name: 'growth', fallback: 1_000_000 }],
  inFullRun: false,
  needs: 'redis-server (Debian\'s, on loopback)',
  ownProcesses: true,
  run: ([accounts, positions, seconds, growth]) => liveClusterBench(accounts, positions, seconds, growth),
  tables: liveClusterTables,
  headline: liveClusterHeadline,
  ratios(r) {
    const wasm = r.runs.find((x) => x.backend === 'wasm'), js = r.runs.find((x) => x.backend === 'js');
    return ratio('live cluster what-if p50: JS twin / WASM', js?.whatIf.p50Ms, wasm?.whatIf.p50Ms);
  },
};

/** The growth part of live-cluster alone (a lone shard's kill -9 to ready at growth/10, 3·growth/10 and growth accounts). */
const liveGrowth: BenchMode<{ positions: number; growth: GrowthRow[] }> = {
  name: 'live-growth',
  title: 'The live cluster\'s recovery and memory as the book grows: a lone shard killed with kill -9 and started again, WASM',
  counts: [{ name: 'growth', fallback: 1_000_000 }, { name: 'positions', fallback: 20 }],
  inFullRun: false,
  needs: 'redis-server (Debian\'s, on loopback)',
  ownProcesses: true,
  run: async ([growth, positions]) => ({ positions, growth: await growthRows(growth, positions) }),
  tables: (r) => [growthTable(r.growth, r.positions)],
};

const stress: BenchMode<StressBenchRow[]> = {
  name: 'stress',
  title: 'Stress testing, cross margin, shock btc-crash: a cascade on 100,000 accounts, a reverse search and 1,000 Monte Carlo shocks on 10,000',
  inFullRun: true,
  run: () => stressBench(),
  tables: stressTables,
  headline(rows) {
    const out: HeadlineRow[] = [];
    for (const [work, label, target] of [['cascade', 'stress: one cascade, 100,000 accounts, cross', 1000], ['reverse', 'stress: reverse search, 10,000 accounts', 5000]] as const) {
      const wasm = rows.find((r) => r.work === work && r.backend.startsWith('wasm')), js = rows.find((r) => r.work === work && r.backend === 'js');
      if (wasm && js) out.push({ work: label, wasm: ms(wasm.ms), js: ms(js.ms), target: `< ${target / 1000} s`, met: wasm.ms < target });
    }
    return out;
  },
  ratios(rows) {
    const wasm = rows.find((r) => r.work === 'cascade' && r.backend.startsWith('wasm')), js = rows.find((r) => r.work === 'cascade' && r.backend === 'js');
    return ratio('cascade: js twin / wasm', js?.ms, wasm?.ms);
  },
};

const stressGrowth: BenchMode<StressGrowthRow[]> = {
  name: 'stress-growth',
  title: 'Stress work as the book grows, cross margin, shock btc-crash: the liquidation plan at the book\'s own marks and one cascade (≤ 10 rounds) at 10,000 accounts and ×10 up to the largest, a reverse search up to 100,000 (threshold 10,000,000 USD of bad debt per 10,000 accounts), Monte Carlo paths on worker threads up to 100,000, with where the time goes; up to 100,000 accounts a plan\'s and a cascade\'s rows are the median of 5 runs, the backends alternating, the rest one run each, after both backends ran three plans and a cascade on the smallest book untimed',
  counts: [{ name: 'largest', fallback: 1_000_000 }, { name: 'paths', fallback: 1_000 }, { name: 'workers', fallback: 2 }],
  ownProcesses: true, // Monte Carlo paths on a pool of worker threads
  inFullRun: false,
  run: ([largest, paths, workers]) => stressGrowthBench(largest, paths, workers),
  tables: stressGrowthTables,
  headline(rows) {
    const out: HeadlineRow[] = [];
    const pick = (work: StressGrowthRow['work'], accounts: number, js: boolean) => rows.find((r) => r.work === work && r.accounts === accounts && (r.backend === 'js') === js);
    const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
    const mc = pick('monte-carlo', 100_000, false);
    // the paths run on the workers' WASM engines: no JS twin row
    // the target is for 1,000 paths: a run of fewer is shown, never judged against it
    if (mc) out.push({ work: `Monte Carlo stress: ${mc.count.toLocaleString('en-US')} paths × 100,000 accounts, ${mc.workers} workers, cross`, wasm: s(mc.ms), js: '—', target: '≤ 60 s for 1,000 paths', ...(mc.count >= 1000 ? { met: mc.ms <= 60_000 } : {}) });
    const oneThread = (js: boolean) => rows.find((r) => r.work === 'reverse' && r.accounts === 100_000 && r.workers === 1 && (r.backend === 'js') === js);
    const reverse = [oneThread(false), oneThread(true)];
    if (reverse[0] && reverse[1]) out.push({ work: 'stress: reverse search, 100,000 accounts, cross', wasm: s(reverse[0].ms), js: s(reverse[1].ms), target: '< 5 s', met: reverse[0].ms < 5000 });
    // its probes on the workers' WASM engines (no JS twin row), on the book they hold; the first call's time beside it
    const onWorkers = rows.filter((r) => r.work === 'reverse' && r.accounts === 100_000 && r.workers > 1);
    const held = onWorkers.find((r) => r.note?.startsWith('book held')), first = onWorkers.find((r) => r.note?.startsWith('first call'));
    if (held) out.push({ work: `stress: reverse search, 100,000 accounts, ${held.workers} workers, cross (book held; first call ${first ? s(first.ms) : '—'})`, wasm: s(held.ms), js: '—', target: '< 5 s', met: held.ms < 5000 });
    const largest = Math.max(...rows.map((r) => r.accounts));
    if (largest > 100_000) {
      for (const [work, label] of [['liquidation plan', 'liquidation plan'], ['cascade', 'stress: one cascade']] as const) {
        const wasm = pick(work, largest, false), js = pick(work, largest, true);
        if (wasm && js) out.push({ work: `${label}, ${largest.toLocaleString('en-US')} accounts, cross`, wasm: s(wasm.ms), js: s(js.ms), target: '' });
      }
    }
    return out;
  },
  ratios(rows) {
    const wasm = rows.find((r) => r.work === 'cascade' && r.accounts === 100_000 && r.backend.startsWith('wasm')), js = rows.find((r) => r.work === 'cascade' && r.accounts === 100_000 && r.backend === 'js');
    return ratio('cascade 100,000: js twin / wasm', js?.ms, wasm?.ms);
  },
};

const subaccounts: BenchMode<Awaited<ReturnType<typeof subaccountBench>>> = {
  name: 'subaccounts',
  title: 'Subaccount roll-ups: generated 100,000-account book in 10,000 masters, cross and portfolio margin, with and without the roll-up under each policy; medians of interleaved rounds, ms',
  inFullRun: true,
  run: () => subaccountBench(),
  tables: subaccountTables,
};

const poolTrials: BenchMode<Awaited<ReturnType<typeof poolTrialBench>>> = {
  name: 'pool-trials',
  title: 'Live what-ifs, pre-trade checks and ticks under the cross subaccount policy (judged by the pool; pool status events), beside each account judged alone: generated book in groups of 10, cross and portfolio margin; p50 / p99 over members (ticks: median / slowest of 7), µs',
  counts: [{ name: 'accounts', fallback: 100_000 }, { name: 'calls', fallback: 1_000 }],
  inFullRun: true,
  run: ([accounts, calls]) => poolTrialBench(accounts, 10, calls),
  tables: poolTrialTables,
  ratios(rows) {
    const of = (backend: string) => rows.find((r) => r.backend.startsWith(backend) && r.method === 'cross' && r.policy === 'cross' && r.call === 'whatIf')?.p50;
    return ratio('pooled what-if, cross: js twin / wasm', of('js'), of('wasm'));
  },
};

const dynamic: BenchMode<Awaited<ReturnType<typeof dynamicBench>>> = {
  name: 'dynamic',
  title: 'Volatility forecasts: GARCH(1,1) fits and EWMA, 50 assets × 3,650 days; ms',
  inFullRun: true,
  run: () => dynamicBench(),
  tables: dynamicTables,
};

const backtest: BenchMode<Awaited<ReturnType<typeof backtestBench>>> = {
  name: 'backtest',
  title: 'Backtest: portfolio margin over 3,650 synthetic closes on the generated 1,000-account book, one core; seconds',
  inFullRun: true,
  run: () => backtestBench(),
  tables: backtestTables,
};

const derive: BenchMode<Awaited<ReturnType<typeof deriveBench>>> = {
  name: 'derive',
  title: 'Derive portfolio margin profile on the generated 100,000-account book, WASM against the JS twin; tinybench medians, ms',
  inFullRun: true,
  run: () => deriveBench(),
  tables: deriveTables,
};

const optimize: BenchMode<Awaited<ReturnType<typeof optimizeBench>>> = {
  name: 'optimize',
  title: 'Margin optimisation: restore one 20-position account to IM at least cost among 10 candidate hedges (model, HiGHS, engine re-check); ms',
  inFullRun: true,
  run: () => optimizeBench(),
  tables: optimizeTables,
};

const scale: BenchMode<Awaited<ReturnType<typeof scaleBench>>> = {
  name: 'scale',
  title: 'Scale-out: 1 worker against 2 on the generated books (sharded book opened once; tinybench medians), Monte Carlo VaR and stress, and Redis on loopback',
  inFullRun: true,
  needs: 'redis-server for the Redis rows (skipped without it)',
  run: () => scaleBench(),
  tables: scaleTables,
};

const scalePhasesMode: BenchMode<Awaited<ReturnType<typeof scalePhases>>> = {
  name: 'scale-phases',
  title: 'Scale-out per phase: the generated 100,000-account book, medians per call of per-thread CPU (Linux schedstat), 1 worker against 2; ms',
  counts: [{ name: 'calls', fallback: 15 }],
  inFullRun: false,
  needs: 'Linux (/proc/self/task/*/schedstat)',
  run: ([calls]) => scalePhases(calls),
  tables: scalePhasesTables,
};

const scalePairedMode: BenchMode<Awaited<ReturnType<typeof scalePaired>>> = {
  name: 'scale-paired',
  title: 'Scale-out in pairs: the generated 100,000-account book (and in groups of 10 under the cross subaccount policy), a 1-worker and a 2-worker engine side by side, calls alternated; medians, ms, and the median speed-up over the pairs',
  counts: [{ name: 'pairs', fallback: 40 }],
  inFullRun: false,
  run: ([pairs]) => scalePaired(pairs),
  tables: scalePairedTables,
  ratios(rows) {
    return Object.fromEntries(rows.map((r) => [`scale-out ${r.method}${r.book === 'plain' ? '' : ` (${r.book})`} ${r.backend}: speed-up with 2 workers`, r.pairSpeedUp]));
  },
};

const e2eMode: BenchMode<E2eResults> = {
  name: 'e2e',
  title: 'End to end: margin-core margin from the book file to the written report, JSON and Arrow, per phase, peak RSS, cross and portfolio, WASM and the JS twin (each run a process of its own); a mid-size book, then the big one, then engine.margin to columns against run()',
  counts: [{ name: 'accounts', fallback: 1_000_000 }, { name: 'positions', fallback: 20 }, { name: 'mid-accounts', fallback: 300_000 }],
  inFullRun: false,
  ownProcesses: true, // its CLI runs read a big book on a second thread
  run: ([accounts, positions, mid]) => e2eResults(accounts, positions, mid),
  tables: e2eTables,
  headline(r) {
    const out: HeadlineRow[] = [];
    for (const method of ['cross', 'portfolio']) {
      const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
      const n = r.big.accounts.toLocaleString('en-US');
      const cli = (format: string, js: boolean) => r.big.cli?.find((x) => x.format === format && x.method === method && (x.backend === 'js') === js);
      if (cli('json', false) && cli('json', true)) {
        // the CLI as a user runs it (the book read on a second thread, a JSON report written on a third)
        for (const format of ['json', 'arrow']) {
          const wasm = cli(format, false)!, js = cli(format, true)!, within = format === 'json' ? 10_000 : method === 'cross' ? 2_000 : 3_000;
          const peak = format === 'json' ? 1536 : 1024, mb = (x: number) => `${x.toFixed(0)} MB`;
          out.push({ work: `${n} accounts × ${r.big.positions}, book.${format} to ${format === 'json' ? 'JSON' : 'Arrow'} report, ${method} (margin-core margin), peak RSS`, wasm: `${s(wasm.wallMs)}, ${mb(wasm.peakRssMb)}`, js: `${s(js.wallMs)}, ${mb(js.peakRssMb)}`, target: `≤ ${within / 1000} s, ≤ ${peak === 1536 ? '1.5' : '1'} GB`, met: wasm.wallMs <= within && wasm.peakRssMb <= peak });
        }
        continue;
      }
      const pick = (js: boolean) => r.big.runs.find((x) => x.format === 'json' && x.method === method && (x.backend === 'js') === js);
      const wasm = pick(false), js = pick(true);
      if (wasm && js) out.push({ work: `${n} accounts × ${r.big.positions}, book.json to report, ${method} (end to end)`, wasm: s(wasm.total), js: s(js.total), target: '≤ 10 s', met: wasm.total <= 10_000 });
    }
    return out;
  },
  ratios: e2eRatios,
};

const marginGrowthMode: BenchMode<GrowthResult> = {
  name: 'margin-growth',
  title: 'Margin as the book grows: margin-core margin from a generated book.arrow to the written Arrow report at 100,000, 1,000,000 and 10,000,000 accounts × 20 positions (up to the largest), cross and portfolio, WASM and the JS twin, each run a process of its own (wall, CPU, peak RSS, load before and after); the largest against a tenth its size (≤ 10× the time) and 1.5 GB',
  counts: [{ name: 'largest', fallback: 10_000_000 }, { name: 'positions', fallback: 20 }],
  inFullRun: false,
  ownProcesses: true, // each run is the CLI, which reads a big book on a second thread
  run: ([largest, positions]) => marginGrowthBench(largest, positions),
  tables: marginGrowthTables,
  headline: marginGrowthHeadline,
  ratios: marginGrowthRatios,
};

const jsonParsersMode: BenchMode<Awaited<ReturnType<typeof jsonParsersOnSample>>> = {
  name: 'json-parsers',
  title: 'Streamed JSON on a generated book of accounts × 20 positions, alternated in one run: src/io/json-stream.ts against stream-json (when installed) into objects; the general reader against the accounts scanner (WASM SIMD, scalar, JS twin) into validated columns',
  counts: [{ name: 'accounts', fallback: 100_000 }],
  inFullRun: false,
  run: ([accounts]) => jsonParsersOnSample(accounts),
  tables: jsonParsersTables,
  ratios(r): Record<string, number> {
    const ours = r.rows.find((x) => x.parser === 'src/io/json-stream.ts'), theirs = r.rows.find((x) => x.parser === 'stream-json');
    const out: Record<string, number> = ours && theirs ? { 'json parsing: stream-json / json-stream.ts CPU': theirs.cpu / ours.cpu } : {};
    const general = r.rows.find((x) => x.parser.includes('general reader'));
    for (const row of r.rows.filter((x) => x.parser.includes('scanner'))) if (general) out[`book.json into columns: general reader / ${row.parser.slice(row.parser.indexOf('scanner, ') + 9, -1)} CPU`] = general.cpu / row.cpu;
    return out;
  },
};

const exactSum: BenchMode<Awaited<ReturnType<typeof exactSumBench>>> = {
  name: 'exact-sum',
  title: "Exact totals: the report's totals of the generated book (cross) by the ordered loop they replaced and exactly by each backend, and the raw kernel on 1,000,000 doubles; interleaved rounds, medians",
  counts: [{ name: 'accounts', fallback: 100_000 }],
  inFullRun: true,
  run: ([accounts]) => exactSumBench(accounts),
  tables: exactSumTables,
  ratios(rows) {
    const wasm = rows.find((r) => r.what.startsWith('totals: exact') && r.backend === 'wasm-simd');
    return ratio('exact totals: wasm-simd / ordered loop', wasm?.vsBaseline, 1);
  },
};

/** The modes, in the order of the full run. */
export const BENCH_MODES: readonly BenchMode<any>[] = [
  greeks, margin, risk, varMode, portfolio, layout, span, endToEnd, liquidation, live, service, serviceBoundsMode, serveArrow, plansArrow, liveCluster, liveGrowth, stress, stressGrowth, subaccounts, poolTrials, dynamic, backtest,
  derive, optimize, exactSum, scale, scalePhasesMode, scalePairedMode, browserMode, e2eMode, marginGrowthMode, jsonParsersMode,
];

export type { BenchTable };
