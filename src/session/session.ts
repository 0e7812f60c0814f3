/**
 * A book laid out once in the engine's memory, margined on any number of market snapshots by any method of the
 * registry. The session knows no method by name: it validates the shared rule-based parameters and the chosen
 * method's section, lays the parameters out, values the instruments, and hands the rest to the method
 * (src/methods/method.ts).
 */
import { InputError, type InputProblem } from '../errors.js';
import type { MarginKernels } from '../kernels/backend.js';
import { RULE_KEEP_POSITIONS } from '../kernels/backend.js';
import { layoutBook, type BookLayout } from '../layout/book-layout.js';
import { applyMarket } from '../layout/market-layout.js';
import { MarginOutputs, marginColumnMap } from '../margin/outputs.js';
import { ParamLayout } from '../margin/param-layout.js';
import type { RuleBasedParams } from '../margin/params.js';
import type { MarginMethod, MarginReport } from '../margin/report.js';
import { restatus, restatusList } from '../margin/restatus.js';
import { valueInstruments } from '../margin/valuation.js';
import { validateRuleBasedParams } from '../margin/validate-params.js';
import { Column, type ColumnAllocator } from '../memory/columns.js';
import type { MarginMethodPlugin, MethodContext, MethodRun } from '../methods/method.js';
import { type PreparedMarginRun, PreparedRun } from './prepared-run.js';
import { validateLimits } from '../live/check.js';
import { LiveSession } from '../live/live-session.js';
import { BUILT_IN_REGISTRY, type MethodRegistry } from '../methods/registry.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';

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
}

export type { PreparedMarginRun } from './prepared-run.js';

/** Options of a live session: the margin options and the pre-trade limits (src/live/check.ts, JSON). */
export interface LiveOptions extends MarginOptions {
  limits?: unknown;
}

/**
 * A book laid out once in the engine's memory. Each {@link margin} call applies a market snapshot
 * (touching only market columns), values the options, and runs the method: a new market never
 * re-lays out the book.
 */
export class MarginSession {
  readonly layout: BookLayout;

  constructor(
    private readonly kernels: () => MarginKernels,
    book: ValidatedBook,
    private readonly allocator: ColumnAllocator,
    private readonly registry: MethodRegistry = BUILT_IN_REGISTRY,
  ) {
    this.layout = layoutBook(book, allocator);
  }

  /** The methods this session can run, in order. */
  get methods(): readonly string[] {
    return this.registry.names;
  }

  /** Margin for every account on `market`. Throws InputError for bad parameters. */
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
   * Applies the market and parameters, values the instruments and prepares the method, then returns a run whose
   * {@link PreparedMarginRun.run} executes only the method's kernels: for callers (and benchmarks) that re-run
   * them, and for re-margining accounts changed in place. Release it when done.
   */
  prepare(market: ValidatedMarket, options: MarginOptions = {}): PreparedMarginRun {
    const method = this.registry.get(options.method ?? this.registry.defaultName);
    if (!method) throw new TypeError(`method must be ${this.registry.list()}, got ${JSON.stringify(options.method)}`);
    const { rules, methodParams } = this.validateParams(options.params, method);
    const layout = this.layout;
    const marketLayout = applyMarket(layout, market);
    const ruleLayout = new ParamLayout(this.allocator, layout.assets, rules);
    const out = new MarginOutputs(this.allocator, layout.instruments.count, layout.positions.slotCapacity, layout.accountCount, ruleLayout);
    const breakdown = options.breakdown === true;
    let methodRun: MethodRun;
    let context: MethodContext;
    let accountList: Column<'i32'> | undefined; // an account list in the kernels' memory, for ruleBased({ list })
    try {
      valueInstruments(layout, marketLayout, out.value, (input) => this.kernels().greeks(input));
      context = {
        layout, market: marketLayout, rules: ruleLayout, out, allocator: this.allocator, breakdown,
        kernels: this.kernels,
        ruleBased: (flags, accounts) => {
          const keep = breakdown ? flags | RULE_KEEP_POSITIONS : flags;
          if (accounts && 'list' in accounts) {
            if (!accountList || accountList.length < accounts.list.length) {
              accountList?.release();
              accountList = Column.allocate(this.allocator, 'i32', Math.max(accounts.list.length, 1024));
            }
            accountList.array.set(accounts.list);
          }
          // Columns are looked up per call (after the list's allocation): a relocation in the layout may have moved them.
          const columns = marginColumnMap(layout, marketLayout, ruleLayout, out);
          if (!accounts) this.kernels().ruleBased(columns, out.args, layout.accountCount, keep);
          else if ('list' in accounts) this.kernels().ruleBasedAccountList(columns, out.args, accountList!, accounts.list.length, keep);
          else this.kernels().ruleBasedAccounts(columns, out.args, accounts.first, accounts.last, keep);
        },
        restatus: (first, last) => restatus(layout, out, first, last),
        restatusList: (list) => restatusList(layout, out, list),
      };
      methodRun = method.prepare(context, methodParams);
    } catch (error) {
      accountList?.release();
      out.release();
      ruleLayout.release();
      throw error;
    }
    return new PreparedRun(method, methodParams, context, methodRun, () => this.kernels().backend, () => {
      accountList?.release();
      out.release();
      ruleLayout.release();
    });
  }

  /**
   * A live session on this book (src/live/live-session.ts): the method prepared and run on `market`, then kept up
   * to date by ticks, fills and transfers, with what-ifs and pre-trade checks (`options.limits`). It owns this
   * session's market columns while it lives: prepare no other run on this session until it is released.
   */
  live(market: ValidatedMarket, options: LiveOptions = {}): LiveSession {
    const limits = validateLimits(options.limits);
    const run = this.prepare(market, options) as PreparedRun;
    try {
      return new LiveSession(run, market, limits);
    } catch (error) {
      run.release();
      throw error;
    }
  }

  release(): void {
    this.layout.release();
  }

  /**
   * The rule-based sections (every method's equity needs their haircuts) and the method's own section, every
   * problem in one InputError. A section no method of the registry reads is an error.
   */
  private validateParams(json: unknown, method: MarginMethodPlugin): { rules: RuleBasedParams; methodParams: unknown } {
    const problems: InputProblem[] = [];
    const collect = <T>(f: () => T): T | undefined => {
      try {
        return f();
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        problems.push(...error.problems);
        return undefined;
      }
    };
    const rules = collect(() => validateRuleBasedParams(json ?? {}, this.registry.sections));
    const sections = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
    const section = method.section === null ? undefined : Object.hasOwn(sections, method.section) ? sections[method.section] : undefined;
    const methodParams = collect(() => method.validateParams(section));
    if (problems.length > 0) throw new InputError(problems);
    return { rules: rules!, methodParams };
  }
}
