/**
 * Stress testing of liquidation feedback loops (`engine.stress`): a shock, then the cascade of liquidations and market
 * impact it sets off, under one margin method or all of them, with the pre-shock capital efficiency beside the bad
 * debt so the efficiency–resilience trade-off shows; optionally a reverse stress test (the smallest multiple of the
 * shock that exhausts the insurance fund, on a grid) and a Monte Carlo stress (N correlated shocks). Each method runs on its own
 * laid-out copy of the book; reverse and Monte Carlo runs put the book back between cascades.
 */
import { DOMAIN } from '../model/domain.js';
import { describeValue, InputError, type InputProblem, ProblemList } from '../errors.js';
import { frozenLocationProblems } from '../locations/adjust.js';
import { type LocationParams, validateLocationParams } from '../locations/params.js';
import { requireCorrelation, requireCorrelationMatrix, stressCorrelation } from '../model/validate-market.js';
import { HoldingsSnapshot } from '../layout/holdings-snapshot.js';
import { checkLiquidationSections, LIQUIDATION_ASSET_KEYS, liquidationSections } from '../liquidation/validate.js';
import type { LiquidationParams } from '../liquidation/params.js';
import { boundedNumber, isRecord } from '../model/checks.js';
import { unknownMethodMessage } from '../methods/registry.js';
import { unknownAssetProblems } from '../model/asset-keys.js';
import { compoundReturn } from '../model/move-market.js';
import type { ValidatedMarket } from '../model/types.js';
import type { MarginSession } from '../session/session.js';
import type { MarginOptions } from '../session/types.js';
import { type CascadeSetup, type CascadeTimings, cascadeTimings, runCascade } from './cascade.js';
import type { ExposureCache } from './kept-run.js';
import { distribution, monteCarloShocks, worstPaths } from './monte-carlo.js';
import { MAX_HORIZON_DAYS, type StressParams } from './params.js';
import type { CascadeResult, MonteCarloPath, MonteCarloStressResult, ReverseStressResult, StressReport } from './report.js';
import type { MarginTotals } from '../margin/report.js';
import { type BadDebtAt, type ProbeBatch, type ReverseSearch, reverseSearch, scaledSteps } from './reverse.js';
import { type ShockStep, type ValidShock, validateShock } from './shock.js';
import { checkStressParams, IMPACT_ASSET_KEYS } from './validate.js';
import { MARGIN_OPTION_KINDS } from '../margin/options.js';
import { type OptionKinds, optionProblems } from '../model/options-check.js';
import { engineRun, type PreparedRun } from '../session/prepared-run.js';
import { STATUS_ERROR } from '../margin/status.js';
import { Unmargined } from '../liquidation/unmargined.js';

export interface StressOptions extends MarginOptions {
  /** A method name, or `all` for every method of the engine. Default `cross`. */
  method?: string | undefined;
  /** The `liquidation` parameters (default: the params' `liquidation` section). Fills come from the impact model. */
  liquidation?: unknown;
  /** Monte Carlo stress: this many correlated shocks (none by default), seeded, over `horizonDays` (default 1). */
  paths?: number | undefined;
  seed?: number | undefined;
  horizonDays?: number | undefined;
  /** Reverse stress test: the smallest multiple of the shock whose bad debt exceeds `thresholdUsd` (default: the insurance fund). */
  reverse?: boolean | { thresholdUsd?: number | undefined } | undefined;
  /** Called after each cascade of a long run (reverse and Monte Carlo), with how many of the expected ones are done. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /**
   * Incremental rounds (default true): a cascade keeps its margin run and re-margins, each round, only the accounts
   * the round's moves reach, where that gives the bits of a fresh run (docs/stress.md, "Performance"); false margins
   * every account afresh each round. The report is the same either way.
   */
  incremental?: boolean | undefined;
  /** Filled with where this thread's cascades spent their time (benchmarks; src/stress/cascade.ts). */
  timings?: CascadeTimings | undefined;
}

/** {@link StressOptions}' keys (src/model/options-check.ts). */
export const STRESS_OPTION_KINDS: OptionKinds<StressOptions> = {
  ...MARGIN_OPTION_KINDS, liquidation: 'any', paths: 'any', seed: 'any', horizonDays: 'any', reverse: 'any', onProgress: 'function', incremental: 'boolean', timings: 'any',
};

/** Monte Carlo paths allowed in one call. */
export const MAX_PATHS = 1_000_000;
/** Cascades a reverse search usually needs (for progress only): a scan of a few dozen grid points, then about 6 bisections. */
export const REVERSE_EVALUATIONS = 30;

/**
 * One reverse search's count against its share of a run's progress total, {@link REVERSE_EVALUATIONS} units. A search
 * that needs more grows the total by one for each probe that would fill its share, so the run never reads done = total
 * with a probe left; its end takes the unit held open back (its share is then the probes run) or, when it needed
 * fewer, moves the count on by the rest. `tell(units, grow)`: units done, and the change of the total.
 */
export class SearchProgress {
  private counted = 0;
  private grown = 0;
  constructor(private readonly tell: (units: number, grow: number) => void) {}

  /** A probe ran. */
  probe(): void {
    this.counted++;
    const grow = this.counted >= REVERSE_EVALUATIONS + this.grown ? 1 : 0;
    this.grown += grow;
    this.tell(1, grow);
  }

  /** The search ended. */
  end(): void {
    if (this.grown > 0) this.tell(0, -1);
    else if (this.counted < REVERSE_EVALUATIONS) this.tell(REVERSE_EVALUATIONS - this.counted, 0);
  }
}

interface Plan {
  methods: string[];
  shock: ValidShock;
  stress: StressParams;
  liquidation: LiquidationParams;
  paths: number;
  seed: number;
  horizonDays: number;
  reverse: { thresholdUsd: number } | null;
  warnings: InputProblem[];
}

/** The book's margin totals before any shock (only the totals: no report row per account), and the input warnings. */
function totalsBefore(session: MarginSession, market: ValidatedMarket, options: MarginOptions): { totals: MarginTotals; warnings: readonly InputProblem[]; unmargined: Unmargined } {
  const run = session.prepare(market, options);
  try {
    run.run();
    return { totals: run.totals(), warnings: run.inputWarnings, unmargined: unmarginedOf(engineRun(run)) };
  } finally {
    run.release();
  }
}

export function stress(open: () => MarginSession, methods: readonly string[], market: ValidatedMarket, shockJson: unknown, options: StressOptions = {}): StressReport {
  const plan = planOf(methods, market, shockJson, options);
  const margin: MarginOptions = { params: options.params, lenient: options.lenient, repairCorrelation: options.repairCorrelation };
  const cascades: CascadeResult[] = [], reverse: ReverseStressResult[] = [], monteCarlo: MonteCarloStressResult[] = [];
  const mcShocks = plan.paths > 0 ? monteCarloShocks(market, plan.paths, plan.seed, plan.horizonDays) : [];
  // the total grows while a reverse search needs more cascades than it usually does (SearchProgress)
  let total = plan.methods.length * (1 + (plan.reverse ? REVERSE_EVALUATIONS : 0) + plan.paths);
  let done = 0;
  const advance = (units: number, grow: number) => {
    done += units; // counted with no listener too
    total += grow;
    options.onProgress?.(done, total);
  };
  const tick = () => advance(1, 0);
  let warnings = plan.warnings;
  for (const method of plan.methods) {
    const session = open();
    try {
      const before = totalsBefore(session, market, { ...margin, method });
      if (before.warnings.length > 0) warnings = mergeWarnings(warnings, before.warnings);
      const untouched = method === plan.methods[0] ? movesNothingHeld(session, plan.shock) : null;
      if (untouched !== null) warnings = mergeWarnings(warnings, [untouched]);
      if (before.unmargined.any) warnings = mergeWarnings(warnings, [before.unmargined.warning(` under ${method}`, (one) => ` and ${one ? 'is' : 'are'} in no cascade or path`)]);
      const shocked: MarginOptions = plan.shock.freezeLocations.length > 0 ? { ...margin, frozenLocations: plan.shock.freezeLocations } : margin;
      const setup: CascadeSetup = { session, market, method, margin: shocked, liquidation: plan.liquidation, stress: plan.stress, incremental: options.incremental, timings: options.timings, exposure: {} };
      const saved = plan.reverse || plan.paths > 0 ? new HoldingsSnapshot(session.layout) : null;
      cascades.push({ ...runCascade(setup, plan.shock.steps), efficiency: before.totals.efficiency, im: before.totals.im });
      tick();
      if (plan.reverse && saved) {
        const threshold = plan.reverse.thresholdUsd, progress = new SearchProgress(advance);
        const search = reverseSearch(plan.shock.steps, threshold, (lambda, stopAbove) => {
          const at = probeAt(setup, saved, plan.shock.steps, lambda, stopAbove);
          progress.probe();
          return at;
        });
        progress.end();
        reverse.push(reverseResult(method, threshold, search, plan.shock.steps));
      }
      if (plan.paths > 0 && saved) {
        const paths = runPaths(setup, saved, mcShocks, 0, mcShocks.length, tick);
        monteCarlo.push(monteCarloResult(method, paths, { methods: plan.methods, paths: plan.paths, seed: plan.seed, horizonDays: plan.horizonDays, fundUsd: plan.liquidation.insuranceFund.balanceUsd }));
      }
    } finally {
      session.release();
    }
  }
  return {
    shock: { name: plan.shock.name, ...(plan.shock.description !== undefined ? { description: plan.shock.description } : {}), steps: plan.shock.steps.map((s) => s.label) },
    backend: cascades[cascades.length - 1].backend,
    params: plan.stress,
    cascades,
    ...(plan.reverse ? { reverse } : {}),
    ...(plan.paths > 0 ? { monteCarlo } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * The live accounts in status error (a plug-in's figure out of its domain); those set aside (a coin account under a
 * USD-only method) are no live accounts: the CLI's note names them.
 */
function unmarginedOf(run: PreparedRun): Unmargined {
  const unmargined = new Unmargined(), layout = run.context.layout, status = run.context.out.status.array, live = layout.live.array;
  for (let a = 0; a < layout.accountCount; a++) if (status[a] === STATUS_ERROR && live[a] !== 0 && layout.accountIds[a] !== null) unmargined.note(layout.accountIds[a] as string);
  return unmargined;
}

/** One probe of a reverse search: the cascade of the shock × λ from the saved (unshocked) holdings, stopped above `stopAbove`. */
function probeAt(setup: CascadeSetup, saved: HoldingsSnapshot, steps: readonly ShockStep[], lambda: number, stopAbove: number | undefined): BadDebtAt {
  saved.restore();
  const run = runCascade(stopAbove === undefined ? setup : { ...setup, stopAboveBadDebt: stopAbove }, scaledSteps(steps, lambda));
  return { badDebt: run.metrics.badDebt, whole: run.stoppedAboveBadDebt !== true };
}

/** A method's reverse stress result from its search: the shock's moves × λ beside it. */
export function reverseResult(method: string, thresholdUsd: number, search: ReverseSearch, steps: readonly ShockStep[]): ReverseStressResult {
  const moves: Record<string, number> = {};
  if (search.scale !== null) for (const s of steps) for (const [asset, r] of s.move.returns) moves[asset] = compoundReturn(moves[asset], r * search.scale);
  return { method, thresholdUsd, ...search, moves: search.scale === null ? null : moves };
}

/** Monte Carlo paths `from` … `to` − 1 of `shocks`, each a cascade from the saved (unshocked) holdings. */
function runPaths(setup: CascadeSetup, saved: HoldingsSnapshot, shocks: readonly ShockStep[], from: number, to: number, tick: () => void): MonteCarloPath[] {
  const paths: MonteCarloPath[] = [];
  for (let p = from; p < to; p++) {
    const step = shocks[p];
    saved.restore();
    const run = runCascade(setup, [step]);
    tick();
    paths.push({ path: p + 1, moves: Object.fromEntries(step.move.returns), badDebt: run.metrics.badDebt, liquidatedNotional: run.metrics.liquidatedNotional, rounds: run.metrics.rounds });
  }
  return paths;
}

/** What a Monte Carlo stress result states besides its paths. */
export interface MonteCarloPlan {
  /** The methods run (`options.method`, or every method for `all`). */
  methods: string[];
  paths: number;
  seed: number;
  horizonDays: number;
  /** The insurance fund (USD) the paths' bad debt is compared with. */
  fundUsd: number;
}

/** The parts of {@link stress}'s plan that worker threads run: Monte Carlo paths and the reverse search's probes. */
export interface SplitPlan extends MonteCarloPlan {
  /** The reverse search's threshold and the shock's steps it scales, or null when none is asked for. */
  reverse: { thresholdUsd: number; steps: readonly ShockStep[] } | null;
}

/** The parts of {@link stress}'s plan the workers run, validated as {@link stress} validates it (InputError otherwise). */
export function splitPlan(methods: readonly string[], market: ValidatedMarket, shockJson: unknown, options: StressOptions): SplitPlan {
  const plan = planOf(methods, market, shockJson, options);
  return {
    methods: plan.methods, paths: plan.paths, seed: plan.seed, horizonDays: plan.horizonDays, fundUsd: plan.liquidation.insuranceFund.balanceUsd,
    reverse: plan.reverse ? { thresholdUsd: plan.reverse.thresholdUsd, steps: plan.shock.steps } : null,
  };
}

/** A method's Monte Carlo stress result from all its paths, in path order. */
export function monteCarloResult(method: string, paths: readonly MonteCarloPath[], plan: MonteCarloPlan): MonteCarloStressResult {
  return {
    method, paths: plan.paths, seed: plan.seed, horizonDays: plan.horizonDays,
    badDebt: distribution(paths.map((p) => p.badDebt)), liquidatedNotional: distribution(paths.map((p) => p.liquidatedNotional)),
    pathsWithBadDebt: paths.filter((p) => p.badDebt > 0).length, pathsBeyondFund: paths.filter((p) => p.badDebt > plan.fundUsd).length,
    worst: worstPaths(paths),
  };
}

/**
 * Monte Carlo stress paths `from` … `to` − 1 under `method` alone, on a fresh session of the book: the part of
 * {@link stress} a worker runs (src/scale/). Each path starts from the unshocked holdings, as in {@link stress}, so
 * its figures have the same bits wherever it runs.
 */
export function stressPaths(open: () => MarginSession, methods: readonly string[], market: ValidatedMarket, shockJson: unknown, options: StressOptions, method: string, from: number, to: number): MonteCarloPath[] {
  const session = open();
  try {
    return new PathRunner(session).run(methods, market, shockJson, options, method, from, to);
  } finally {
    session.release();
  }
}

/**
 * Monte Carlo paths and reverse-search probes on one laid-out book, job after job (a worker keeps one per book and
 * method: the book is laid out once, its unshocked holdings saved once, and every cascade starts from them).
 */
export class PathRunner {
  private readonly saved: HoldingsSnapshot;
  private readonly exposure: ExposureCache = {};

  /** `session`: a session of the whole book, its holdings as the book gives them. Released by its owner. */
  constructor(readonly session: MarginSession) {
    this.saved = new HoldingsSnapshot(session.layout);
  }

  /** Paths `from` … `to` − 1 of the plan {@link stress} makes of these arguments, under `method`. */
  run(methods: readonly string[], market: ValidatedMarket, shockJson: unknown, options: StressOptions, method: string, from: number, to: number): MonteCarloPath[] {
    const { plan, setup } = this.setupOf(methods, market, shockJson, options, method);
    if (from < 0 || to > plan.paths || from > to) throw new RangeError(`paths ${from} … ${to} outside 0 … ${plan.paths}`);
    const shocks = monteCarloShocks(market, plan.paths, plan.seed, plan.horizonDays); // every path's draws: a few per asset each
    return runPaths(setup, this.saved, shocks, from, to, () => {});
  }

  /** Probes of the reverse search of the same plan, under `method`: each a cascade of the shock × λ, as {@link stress} runs it. */
  probe(methods: readonly string[], market: ValidatedMarket, shockJson: unknown, options: StressOptions, method: string, batch: ProbeBatch): BadDebtAt[] {
    const { plan, setup } = this.setupOf(methods, market, shockJson, options, method);
    return batch.lambdas.map((lambda) => probeAt(setup, this.saved, plan.shock.steps, lambda, batch.stopAbove));
  }

  private setupOf(methods: readonly string[], market: ValidatedMarket, shockJson: unknown, options: StressOptions, method: string): { plan: Plan; setup: CascadeSetup } {
    const plan = planOf(methods, market, shockJson, { ...options, method });
    const given: MarginOptions = { params: options.params, lenient: options.lenient, repairCorrelation: options.repairCorrelation };
    // as stress() runs its cascades: with the shock's frozen locations (the same bits on one thread or many)
    const margin: MarginOptions = plan.shock.freezeLocations.length > 0 ? { ...given, frozenLocations: plan.shock.freezeLocations } : given;
    const setup: CascadeSetup = { session: this.session, market, method, margin, liquidation: plan.liquidation, stress: plan.stress, incremental: options.incremental, timings: options.timings, exposure: this.exposure };
    return { plan, setup };
  }
}

/**
 * A warning when the shock moves prices or vols only of assets no account of the book holds or trades (a symbol the
 * market prices but the book does not: a slip for another, most likely): its cascades start from the book's own marks,
 * as under no shock. Null when it moves something the book holds, or freezes a location.
 */
function movesNothingHeld(session: MarginSession, shock: ValidShock): InputProblem | null {
  if (shock.freezeLocations.length > 0) return null;
  const moved = new Set<string>();
  for (const step of shock.steps) for (const asset of [...step.move.returns.keys(), ...step.move.volShift.keys()]) moved.add(asset);
  if (moved.size === 0 || [...moved].some((asset) => session.layout.assetIndex(asset) >= 0)) return null;
  const names = [...moved].sort().join(', ');
  return { path: 'shock', message: `moves only ${names}, which no account of the book holds or trades: its cascades start from the book's own marks, as with no shock` };
}

/** Every option and section checked up front, all problems at once with their paths. */
function planOf(methods: readonly string[], market: ValidatedMarket, shockJson: unknown, options: StressOptions): Plan {
  const problems = new ProblemList({ lenient: options.lenient === true });
  const params = isRecord(options.params) ? options.params : {};
  const stressParams = checkStressParams(params.stress, 'params.stress', problems);
  const liquidation = checkLiquidationSections(options, problems);
  const wanted = options.method ?? 'cross';
  let chosen: string[] = [];
  if (wanted === 'all') chosen = [...methods];
  else if (methods.includes(wanted)) chosen = [wanted];
  else {
    problems.add('options.method', unknownMethodMessage(wanted, [...methods, 'all']));
  }
  const paths = options.paths === undefined ? 0 : boundedNumber(options.paths, 'options.paths', problems, { min: 0, max: MAX_PATHS });
  if (paths !== undefined && !Number.isInteger(paths)) problems.add('options.paths', `expected a whole number of paths, got ${paths}`);
  const seed = options.seed === undefined ? 1 : boundedNumber(options.seed, 'options.seed', problems, { min: 0, max: 0xffffffff });
  if (seed !== undefined && !Number.isInteger(seed)) problems.add('options.seed', `expected an integer in [0, 2^32), got ${seed}`);
  const horizonDays = options.horizonDays === undefined ? 1 : boundedNumber(options.horizonDays, 'options.horizonDays', problems, { min: 0, minOpen: true, max: MAX_HORIZON_DAYS });
  // a seed or horizon with no paths would be ignored: the caller meant a Monte Carlo run (the CLI refuses --seed alone too)
  for (const key of ['seed', 'horizonDays'] as const) if (options[key] !== undefined && options.paths === undefined) problems.add(`options.${key}`, `sets up the Monte Carlo stress: give options.paths too`);
  timingsProblems(options.timings, problems);
  let reverse: Plan['reverse'] = null;
  if (options.reverse === true) reverse = { thresholdUsd: liquidation.insuranceFund.balanceUsd };
  else if (isRecord(options.reverse)) {
    // a misspelt threshold would leave the default (the insurance fund) with no sign of it
    for (const p of optionProblems(options.reverse, REVERSE_OPTION_KINDS, 'options.reverse')) problems.add(p.path, p.message);
    const t = options.reverse.thresholdUsd === undefined ? liquidation.insuranceFund.balanceUsd : boundedNumber(options.reverse.thresholdUsd, 'options.reverse.thresholdUsd', problems, { min: 0, max: DOMAIN.param.max });
    if (t !== undefined) reverse = { thresholdUsd: t };
  } else if (options.reverse !== undefined && options.reverse !== false) problems.add('options.reverse', 'expected true, false or { thresholdUsd }');
  // asset keys the market does not price (a misspelt one would leave the asset on the default model): unknown fields
  const symbols = [...market.assets.keys()];
  for (const p of [
    ...liquidationSections(options).flatMap((section) => unknownAssetProblems(section.json, section.path, symbols, LIQUIDATION_ASSET_KEYS)),
    ...unknownAssetProblems(params.stress, 'params.stress', symbols, IMPACT_ASSET_KEYS),
    ...unknownAssetProblems(shockJson, 'shock', symbols, IMPACT_ASSET_KEYS),
  ]) problems.addUnknown(p.path, p.message);
  const paramWarnings = problems.takeWarnings();
  problems.throwIfAny();
  const shock = validateShock(shockJson, market, stressParams, { lenient: options.lenient === true });
  if (shock.freezeLocations.length > 0) frozenAtShock(params.locations, shock.freezeLocations);
  // a market with one asset of vol > 0 needs no correlation (stressCorrelation): contagion has none to spread to, and
  // Monte Carlo draws one factor
  const single = !market.correlation.given && stressCorrelation(market) !== null;
  if (shock.params.contagion && !single) requireCorrelation(market, 'stress contagion (params.stress.contagion, on by default)');
  if ((paths ?? 0) > 0 && !single) requireCorrelationMatrix(market, 'Monte Carlo stress (options.paths)');
  return {
    methods: chosen, shock, stress: shock.params, liquidation, paths: paths ?? 0, seed: seed ?? 1, horizonDays: horizonDays ?? 1, reverse,
    warnings: [...paramWarnings, ...shock.warnings],
  };
}

/** The keys of `options.reverse` as an object. */
const REVERSE_OPTION_KINDS: OptionKinds<{ thresholdUsd?: number }> = { thresholdUsd: 'any' };

/**
 * `options.timings`: an object whose counters the run adds to ({@link cascadeTimings} makes one), each a number; not
 * a frozen one (the run threw a TypeError mid-run writing to it).
 */
function timingsProblems(timings: unknown, problems: ProblemList): void {
  if (timings === undefined) return;
  const counters = Object.keys(cascadeTimings());
  const expected = `an object of counters to add to, { ${counters.join(', ')} } (numbers, all 0 to start)`;
  if (!isRecord(timings) || Object.isFrozen(timings)) return problems.add('options.timings', `expected ${expected}, got ${isRecord(timings) ? 'a frozen object' : describeValue(timings)}`);
  for (const key of counters) {
    const v = timings[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.add(`options.timings.${key}`, `expected a number to add to (0 to start), got ${describeValue(v)}`);
  }
}

/**
 * A shock's frozen locations against params.locations, named at the shock (`shock.freezeLocations[0]`), before any run
 * takes them as its `frozenLocations`. A params section that does not read is left to the run, which names it.
 */
function frozenAtShock(locationsJson: unknown, names: readonly string[]): void {
  let params: LocationParams;
  try {
    params = validateLocationParams(locationsJson, { lenient: true });
  } catch {
    return;
  }
  const problems = frozenLocationProblems(params, names, 'shock.freezeLocations');
  if (problems.length > 0) throw new InputError(problems);
}

function mergeWarnings(a: readonly InputProblem[], b: readonly InputProblem[]): InputProblem[] {
  const seen = new Set(a.map((w) => `${w.path}\u0000${w.message}`));
  return [...a, ...b.filter((w) => !seen.has(`${w.path}\u0000${w.message}`))];
}
