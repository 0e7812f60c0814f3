/**
 * A book laid out once in the engine's memory, margined on any number of market snapshots by any method of the
 * registry. The session knows no method by name: it validates the shared rule-based parameters and the chosen
 * method's section, lays the parameters out, values the instruments, and hands the rest to the method
 * (src/methods/method.ts).
 */
import { InputError, type InputProblem, ProblemList } from '../errors.js';
import type { MarginKernels } from '../kernels/backend.js';
import { RULE_KEEP_POSITIONS } from '../kernels/backend.js';
import { layoutBook, type BookLayout } from '../layout/book-layout.js';
import { applyMarket } from '../layout/market-layout.js';
import { accountRow, buildReport, type ReportInputs } from '../margin/build-report.js';
import { MarginOutputs, marginColumnMap } from '../margin/outputs.js';
import { ParamLayout } from '../margin/param-layout.js';
import type { RuleBasedParams } from '../margin/params.js';
import type { AccountMargin, MarginMethod, MarginReport } from '../margin/report.js';
import { restatus } from '../margin/restatus.js';
import { valueInstruments } from '../margin/valuation.js';
import { checkRuleBasedParams } from '../margin/validate-params.js';
import type { ColumnAllocator } from '../memory/columns.js';
import type { MarginMethodPlugin, MethodContext, MethodRun } from '../methods/method.js';
import { BUILT_IN_REGISTRY, type MethodRegistry } from '../methods/registry.js';
import { isValidatedMarket } from '../model/brand.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { validateMarket } from '../model/validate.js';
import { withWarnings } from '../model/warnings.js';

export interface MarginOptions {
  /**
   * The margin method, by name: `isolated`, `cross` (the default), `portfolio`, `var` (MARGIN_METHODS), or a
   * method the engine was created with.
   */
  method?: MarginMethod | (string & {});
  /** Parameters as JSON, merged over the defaults: the rule-based sections (src/margin/params.ts) and the method's own. */
  params?: unknown;
  /** Add per-position and per-collateral rows and the method's explain to every account. */
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

/** A margin run with its inputs in place: run the kernels, re-margin changed accounts, read the report, release. */
export interface PreparedMarginRun {
  /** Runs the method over every account. */
  run(): void;
  /**
   * Re-margins one account (by id) after its positions or balances were changed in place through
   * `session.layout` (setCollateral, addPosition, removePosition, or a quantity written into its column): its row
   * then has the bits a fresh run on the changed book gives. Call {@link run} once first.
   */
  remargin(accountId: string): void;
  /** The report of every account, as computed so far. */
  report(): MarginReport;
  /** One account's row of the report (with breakdown when the run was prepared with it). */
  account(accountId: string): AccountMargin;
  release(): void;
}

/**
 * A book laid out once in the engine's memory. Each {@link margin} call applies a market snapshot
 * (touching only market columns), values the options, and runs the method: a new market never
 * re-lays out the book.
 */
export class MarginSession {
  readonly layout: BookLayout;
  /** What validating the book let through (lenient unknown fields); every report repeats it. */
  private readonly bookWarnings: readonly InputProblem[];

  constructor(
    private readonly kernels: () => MarginKernels,
    book: ValidatedBook,
    private readonly allocator: ColumnAllocator,
    private readonly registry: MethodRegistry = BUILT_IN_REGISTRY,
  ) {
    this.layout = layoutBook(book, allocator);
    this.bookWarnings = book.warnings ?? [];
  }

  /** The methods this session can run, in order. */
  get methods(): readonly string[] {
    return this.registry.names;
  }

  /** Margin for every account on `market` (validated JSON or raw JSON). Throws InputError for bad input or parameters. */
  margin(market: ValidatedMarket | unknown, options: MarginOptions = {}): MarginReport {
    const run = this.prepare(market, options);
    try {
      run.run();
      return run.report();
    } finally {
      run.release();
    }
  }

  /**
   * Applies the market and parameters, values the instruments and prepares the method, then returns a run whose
   * {@link PreparedMarginRun.run} executes only the method's kernels: for callers (and benchmarks) that re-run
   * them, and for re-margining accounts changed in place. Release it when done.
   */
  prepare(marketJson: ValidatedMarket | unknown, options: MarginOptions = {}): PreparedMarginRun {
    // raw JSON is validated here; whether it covers the book (assets, implied vols) is checked against the layout
    const market = isValidatedMarket(marketJson) ? marketJson : validateMarket(marketJson);
    const method = this.registry.get(options.method ?? this.registry.defaultName);
    if (!method) throw new TypeError(`method must be ${this.registry.list()}, got ${JSON.stringify(options.method)}`);
    const { rules, methodParams, warnings: paramWarnings } = this.validateParams(options.params, method, options.lenient === true);
    const warnings = [...this.bookWarnings, ...market.warnings, ...paramWarnings];
    const layout = this.layout;
    const marketLayout = applyMarket(layout, market);
    const ruleLayout = new ParamLayout(this.allocator, layout.assets, rules);
    const out = new MarginOutputs(this.allocator, layout.instruments.count, layout.positions.slotCapacity, layout.accountCount, ruleLayout);
    const breakdown = options.breakdown === true;
    let methodRun: MethodRun | undefined;
    try {
      valueInstruments(layout, marketLayout, out.value, (input) => this.kernels().greeks(input));
      const context: MethodContext = {
        layout, market: marketLayout, snapshot: market, rules: ruleLayout, out, allocator: this.allocator, breakdown,
        kernels: this.kernels,
        ruleBased: (flags, accounts) => {
          const keep = breakdown ? flags | RULE_KEEP_POSITIONS : flags;
          // Columns are looked up per call: a relocation in the layout may have moved them.
          const columns = marginColumnMap(layout, marketLayout, ruleLayout, out);
          if (accounts) this.kernels().ruleBasedAccounts(columns, out.args, accounts.first, accounts.last, keep);
          else this.kernels().ruleBased(columns, out.args, layout.accountCount, keep);
        },
        restatus: (first, last) => restatus(layout, out, first, last),
      };
      methodRun = method.prepare(context, methodParams);
    } catch (error) {
      out.release();
      ruleLayout.release();
      throw error;
    }
    const prepared = methodRun;
    const reportInputs = (): ReportInputs => ({
      layout, market: marketLayout, params: ruleLayout, out, methodName: method.name as MarginMethod, backend: this.kernels().backend, breakdown, method: prepared,
    });
    const indexOf = (accountId: string): number => {
      const a = layout.accountIndex(accountId);
      if (a < 0) throw new InputError([{ path: 'account', message: `no account ${JSON.stringify(accountId)} in the book` }]);
      return a;
    };
    return {
      run: () => prepared.run(),
      remargin: (accountId) => {
        const a = indexOf(accountId);
        out.ensureCapacity(layout.positions.slotCapacity, layout.accountCount);
        prepared.remargin(a);
      },
      report: () => withWarnings(buildReport(reportInputs()), warnings),
      account: (accountId) => accountRow(reportInputs(), indexOf(accountId)),
      release: () => {
        prepared.release();
        out.release();
        ruleLayout.release();
      },
    };
  }

  release(): void {
    this.layout.release();
  }

  /**
   * The rule-based sections (every method's equity needs their haircuts) and the method's own section, every
   * problem in one InputError; under `lenient`, unknown fields become warnings. A section no method of the
   * registry reads is an unknown field.
   */
  private validateParams(json: unknown, method: MarginMethodPlugin, lenient: boolean): { rules: RuleBasedParams; methodParams: unknown; warnings: InputProblem[] } {
    const problems = new ProblemList({ lenient });
    const rules = checkRuleBasedParams(json ?? {}, problems, this.registry.sections);
    const sections = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
    const section = method.section === null ? undefined : Object.hasOwn(sections, method.section) ? sections[method.section] : undefined;
    let methodParams: unknown;
    try {
      methodParams = method.validateParams(section, problems);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const p of error.problems) problems.add(p.path, p.message);
    }
    problems.throwIfAny();
    return { rules, methodParams, warnings: problems.takeWarnings() };
  }
}
