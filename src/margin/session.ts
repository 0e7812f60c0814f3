import type { BackendName } from '../engine.js';
import type { GreeksInput, GreeksOutput } from '../greeks/types.js';
import { layoutBook, type BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION, MARK_QUOTED } from '../layout/codes.js';
import { applyMarket, type MarketLayout } from '../layout/market-layout.js';
import type { Column, ColumnAllocator } from '../memory/columns.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { MARGIN_COLUMNS, marginColumnMap, MarginOutputs } from './buffers.js';
import { ParamLayout } from './param-layout.js';
import type { RuleBasedParams } from './params.js';
import { buildReport } from './build-report.js';
import { isMarginMethod, methodList } from './methods.js';
import type { MarginMethod, MarginReport } from './report.js';
import { checkRuleBasedParams } from './validate-params.js';
import type { RiskKernels } from '../kernels/wasm/risk.js';
import { type InputProblem, ProblemList } from '../errors.js';
import { requireCorrelationMatrix } from '../model/validate-market.js';
import { withWarnings } from '../model/warnings.js';
import { restatus } from './restatus.js';
import type { MethodHook } from './build-report.js';
import { runVarMargin } from '../var/run.js';
import type { VarParams } from '../var/params.js';
import { checkVarParams, usesMarketCorrelation } from '../var/validate.js';
import { explainAccount } from '../portfolio/explain.js';
import type { PortfolioParams } from '../portfolio/params.js';
import { type PortfolioBackend, PortfolioRun } from '../portfolio/run.js';
import { checkPortfolioParams } from '../portfolio/validate.js';

/** A margin run with its inputs in place: run the kernels, read the report, release the memory. */
export interface PreparedMarginRun {
  run(): void;
  report(): MarginReport;
  release(): void;
}

export interface MarginOptions {
  /**
   * `cross` (default): requirements summed, collateral and P&L pooled. `isolated`: per position.
   * Every method listed in MARGIN_METHODS (src/margin/methods.ts) is accepted.
   */
  method?: MarginMethod;
  /** Parameters as JSON, merged over the defaults: rule-based sections (src/margin/params.ts), `var` (src/var/params.ts). */
  params?: unknown;
  /** Add per-position and per-collateral rows and liquidation prices to every account. */
  breakdown?: boolean;
  /**
   * Unknown fields become warnings (`report.warnings`) instead of an InputError: in `params`, and in the
   * book and market when `engine.margin` validates them (a book or market validated before keeps the
   * options it was validated with).
   */
  lenient?: boolean;
  /** `engine.margin` / `compareMethods` validating JSON: replace a non-PSD correlation by the nearest one (see validateMarket). */
  repairCorrelation?: boolean;
}

/** What a session needs from the engine: the backend's name, Greeks, and the margin kernels. */
export interface MarginBackend extends PortfolioBackend {
  readonly backend: BackendName;
  greeks(input: GreeksInput): GreeksOutput;
  /** Runs the rule-based margin kernel over accounts [0, accounts); per-position rows are stored when `keepPositions` (or isolated). */
  runRuleBased(columns: Record<(typeof MARGIN_COLUMNS)[number], Column>, args: Column<'i32'>, accounts: number, isolated: boolean, keepPositions: boolean): void;
  /** The VaR / ES kernels; a trap in one of them discards WASM and that call is answered by the JS twin. */
  risk(): RiskKernels;
}

/**
 * A book laid out once in the engine's memory. Each {@link margin} call applies a market snapshot
 * (touching only market columns), values the options, and runs the kernels: a new market never
 * re-lays out the book.
 */
export class MarginSession {
  readonly layout: BookLayout;

  constructor(
    private readonly backend: () => MarginBackend,
    book: ValidatedBook,
    private readonly allocator: ColumnAllocator,
  ) {
    this.layout = layoutBook(book, allocator);
    this.bookWarnings = book.warnings;
  }

  /** What validating the book let through (lenient unknown fields); every report repeats it. */
  private readonly bookWarnings: readonly InputProblem[];

  /** Rule-based margin for every account on `market`. Throws InputError for bad parameters. */
  margin(market: ValidatedMarket, options: MarginOptions = {}): MarginReport {
    const run = this.prepare(market, options);
    try {
      run.run();
      return run.report();
    } finally {
      run.release();
    }
  }

  /**
   * Applies the market and parameters and values the options, then returns a run whose {@link
   * PreparedMarginRun.run} executes only the margin kernels: for callers (and benchmarks) that
   * re-run them, e.g. after editing positions in place. Release it when done.
   */
  prepare(market: ValidatedMarket, options: MarginOptions = {}): PreparedMarginRun {
    const method = options.method ?? 'cross';
    if (!isMarginMethod(method)) throw new TypeError(`method must be ${methodList()}, got ${JSON.stringify(method)}`);
    const { params, varParams, portfolioParams, warnings: paramWarnings } = validateParams(options.params, method, options.lenient === true);
    if ((varParams && usesMarketCorrelation(varParams)) || portfolioParams?.aggregation === 'correlation') {
      requireCorrelationMatrix(market, method === 'var' ? 'the var method' : 'portfolio margin with aggregation "correlation"');
    }
    const warnings = [...this.bookWarnings, ...market.warnings, ...paramWarnings];
    const layout = this.layout;
    const marketLayout = applyMarket(layout, market);
    const paramLayout = new ParamLayout(this.allocator, layout.assets, params);
    const out = new MarginOutputs(this.allocator, layout.instruments.count, layout.positions.slotCapacity, layout.accountCount, paramLayout);
    const backend = this.backend;
    valueInstruments(layout, marketLayout, out.value, backend());
    const breakdown = options.breakdown === true;
    const portfolio = portfolioParams ? PortfolioRun.prepare(layout, marketLayout, portfolioParams, this.allocator, out.value) : null;
    let hook: MethodHook | undefined;
    return {
      run: () => {
        // Columns are looked up per run: a relocation in the layout may have moved them.
        backend().runRuleBased(marginColumnMap(layout, marketLayout, paramLayout, out), out.args, layout.accountCount, method === 'isolated', breakdown);
        // Equity, haircuts and gross notional come from the cross kernel; other methods bring their own requirements.
        if (portfolio) {
          portfolio.run(backend(), out.im.array, out.mm.array);
          restatus(layout, out);
          hook = {
            errorOf: () => 'a scenario P&L, requirement or equity is not finite: a quantity, amount or price is too large for double precision',
            attach: (row, a) => (row.portfolio = explainAccount(portfolio, a)),
          };
        }
        if (varParams) {
          const v = runVarMargin(layout, marketLayout, varParams, out, {
            greeks: (input) => backend().greeks(input),
            risk: () => backend().risk(),
            runRiskArrays: (...a) => backend().runRiskArrays(...a),
            allocator: this.allocator,
          }, breakdown);
          restatus(layout, out);
          hook = { errorOf: (a) => v.errorOf(a), attach: (row, a) => (row.var = v.explain(a)) };
        }
      },
      report: () =>
        withWarnings(buildReport({ layout, market: marketLayout, params: paramLayout, out, method, backend: backend().backend, breakdown, hook }), warnings),
      release: () => {
        out.release();
        paramLayout.release();
        portfolio?.release();
      },
    };
  }

  release(): void {
    this.layout.release();
  }
}

/**
 * Rule-based params (every method needs them for equity haircuts) and the chosen method's own
 * section (`portfolio`, `var`), every problem in one InputError; under `lenient`, unknown fields as warnings.
 */
function validateParams(json: unknown, method: MarginMethod, lenient: boolean): {
  params: RuleBasedParams; varParams?: VarParams; portfolioParams?: PortfolioParams; warnings: InputProblem[];
} {
  const problems = new ProblemList({ lenient });
  const params = checkRuleBasedParams(json ?? {}, problems);
  const sections = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const varParams = method === 'var' ? checkVarParams(sections.var, problems) : undefined;
  const portfolioParams = method === 'portfolio' ? checkPortfolioParams(sections.portfolio, problems) : undefined;
  problems.throwIfAny();
  return { params, varParams, portfolioParams, warnings: problems.takeWarnings() };
}

/**
 * Mark per unit of underlying for every instrument: options at their quoted mark when there is one,
 * else at model value (generalised BSM at the implied vol); linear instruments at their market mark.
 */
function valueInstruments(layout: BookLayout, market: MarketLayout, value: Column<'f64'>, backend: MarginBackend): void {
  const ins = layout.instruments;
  const kind = ins.kind.array;
  const n = ins.count;
  const optionRows: number[] = [];
  for (let i = 0; i < n; i++) if (kind[i] === KIND_OPTION && market.markSource.array[i] !== MARK_QUOTED) optionRows.push(i);
  const m = optionRows.length;
  const input: Required<GreeksInput> = {
    isCall: new Uint8Array(m), spot: new Float64Array(m), strike: new Float64Array(m), expiryYears: new Float64Array(m),
    vol: new Float64Array(m), rate: new Float64Array(m), carry: new Float64Array(m),
  };
  const underlying = ins.underlying.array;
  optionRows.forEach((i, j) => {
    const u = underlying[i];
    input.isCall[j] = ins.isCall.array[i];
    input.spot[j] = market.price.array[u];
    input.strike[j] = ins.strike.array[i];
    input.expiryYears[j] = market.expiryYears.array[i];
    input.vol[j] = market.impliedVol.array[i];
    input.rate[j] = market.rate.array[u];
    input.carry[j] = market.carry.array[u];
  });
  const prices = m > 0 ? backend.greeks(input).price : new Float64Array(0);
  const values = value.array;
  values.set(market.mark.array.subarray(0, n));
  optionRows.forEach((i, j) => (values[i] = prices[j]));
}
