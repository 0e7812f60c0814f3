/**
 * A book laid out once in the engine's memory, margined on any number of market snapshots by any method of the
 * registry. The session knows no method by name: it validates the shared rule-based parameters and the chosen
 * method's section, lays the parameters out, values the instruments, and hands the rest to the method
 * (src/methods/method.ts).
 */
import { InputError, type InputProblem, ProblemList } from '../errors.js';
import { LOCATED_ROWS_KEPT_ELSEWHERE, MARGIN_OPTION_KINDS } from '../margin/options.js';
import { checkOptions, type OptionKind } from '../model/options-check.js';
import type { MarginKernels } from '../kernels/backend.js';
import { RULE_ISOLATED, RULE_KEEP_POSITIONS } from '../kernels/backend.js';
import { layoutBook, type BookLayout, type LayoutOptions } from '../layout/book-layout.js';
import { applyMarket } from '../layout/market-layout.js';
import { MarginOutputs, marginColumnMap } from '../margin/outputs.js';
import { setAsideReason } from '../margin/currency-view.js';
import { acquireParamLayout } from '../margin/param-layout.js';
import type { RuleBasedParams } from '../margin/params.js';
import type { MarginReport } from '../margin/report.js';
import { type LentRows, lendableRows } from '../margin/summary-rows.js';
import { restatus, restatusList } from '../margin/restatus.js';
import { valueInstruments } from '../margin/valuation.js';
import { checkRuleBasedParams, RULE_ASSET_KEYS } from '../margin/validate-params.js';
import { checkParamMagnitudes } from '../model/param-domain.js';
import { Column, type ColumnAllocator } from '../memory/columns.js';
import { HeapAllocator } from '../memory/allocators.js';
import type { MarginMethodPlugin, MethodContext, MethodRun } from '../methods/method.js';
import { BUILT_IN_REGISTRY, type MethodRegistry } from '../methods/registry.js';
import { preparedRun } from '../methods/plugin-guard.js';
import { ENGINE_SECTIONS } from '../model/param-sections.js';
import { isValidatedMarket } from '../model/brand.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { accountMastersOf, bookColumnsOf } from '../model/book-columns.js';
import { layoutColumns } from '../layout/columns-layout.js';
import type { AccountFigures, CheckedMethod, MarginOptions, ParamSection, PreparedMarginRun } from './types.js';
import { engineRun, PreparedRun } from './prepared-run.js';

export type { AccountFigures, MarginOptions, PreparedMarginRun };
import { validateMarket } from '../model/validate.js';
import { deepFreeze } from '../model/deep-freeze.js';
import { RunRetention } from '../model/run-retention.js';
import { applyProfile, findProfile, mergeParams, type MethodologyProfile } from '../profiles/profile.js';
import { calibrate } from './calibrate.js';
import { checkDynamicParams, DYNAMIC_ASSET_KEYS, type DynamicParams } from '../dynamic/dynamic-params.js';
import { type AssetSection, paramAssetNames, unknownParamAssets } from '../model/asset-keys.js';
import { BUILT_IN_PROFILES } from '../profiles/registry.js';
import { adjustLocations } from '../locations/run.js';
import { locatedUnderAllocatingMethod, LocationAdjuster } from '../locations/adjust.js';
import { checkLocationParams, type LocationParams } from '../locations/params.js';
import { checkSubaccountParams, type SubaccountPolicy, subaccountPolicyOf } from '../subaccounts/params.js';
import { marginWithPolicy } from '../subaccounts/policy.js';
import { bookNow } from './book-now.js';

export { ENGINE_SECTIONS } from '../model/param-sections.js';

/**
 * A book laid out once in the engine's memory. Each {@link margin} call applies a market snapshot
 * (touching only market columns), values the options, and runs the method: a new market never
 * re-lays out the book.
 */
export class MarginSession {
  readonly layout: BookLayout;
  /** What validating the book let through (lenient unknown fields); every report repeats it. */
  private readonly bookWarnings: readonly InputProblem[];
  /** The book as validated when the session opened: what the layout does not keep (balance locations, masters, account methods). */
  private readonly opened: ValidatedBook;
  /** The book the layout holds now once a liquidation changed it in place ({@link changedInPlace}), built when first asked for. */
  private current: ValidatedBook | null = null;
  private changed = false;
  /** What keeps this session's book live (a live session: src/live/open-live.ts), or null: no other run may be prepared meanwhile. */
  private heldBy: string | null = null;
  /** Set by {@link release}: the layout's memory is given back. */
  private released = false;
  /** The params sections that name assets (assetSections), and the sites of the names the session's profiles give there (profileAssetSites). */
  private assetKeyed: AssetSection[] | undefined;
  private profileSites: ReadonlySet<string> | undefined;
  /** Each account's master by layout index (undefined when no account has one): report rows carry it. */
  private readonly accountMasters: readonly (string | undefined)[] | undefined;

  constructor(
    private readonly kernels: () => MarginKernels,
    book: ValidatedBook,
    private readonly allocator: ColumnAllocator,
    readonly registry: MethodRegistry = BUILT_IN_REGISTRY,
    /** The methodology profiles `options.profile` may name. */
    readonly profiles: readonly MethodologyProfile[] = BUILT_IN_PROFILES,
    layoutOptions: LayoutOptions = {},
    /** Where the newest runs are kept between calls (the engine's, shared by its sessions). */
    readonly retention: RunRetention = new RunRetention(),
    /** The JS heap the methods (and the services above, a liquidation's run) lend their run-long arrays from (MethodContext.heap): the engine's, or `allocator` when it is one. */
    readonly heap: HeapAllocator = allocator instanceof HeapAllocator ? allocator : new HeapAllocator(),
    /**
     * The params sections of what stands on the session (the engine's: liquidation, stress), checked with every params
     * file: the services above the session register them here, so the session imports none of them.
     */
    readonly sections: readonly ParamSection[] = [],
  ) {
    const columns = bookColumnsOf(book); // a columnar book (Arrow, streamed JSON) is copied in column by column
    this.layout = columns ? layoutColumns(columns, allocator, layoutOptions) : layoutBook(book, allocator, layoutOptions);
    this.bookWarnings = book.warnings ?? [];
    this.opened = book;
    // accounts are laid out in book order: layout index = book index
    this.accountMasters = accountMastersOf(book);
  }

  /**
   * The book as the layout holds it now: the book the session opened, or, once a liquidation changed the layout in
   * place, that book with the layout's holdings (book-now.ts). What the master-level policies pool or cover.
   */
  get book(): ValidatedBook {
    if (!this.changed) return this.opened;
    return (this.current ??= bookNow(this.layout, this.opened));
  }

  /** A liquidation changed the layout's holdings in place: {@link book} is built from the layout from now on. */
  changedInPlace(): void {
    this.changed = true;
    this.current = null;
  }

  /** `options` with its methodology profile (if any) applied: the profile's method and params (src/profiles/). */
  withProfile<T extends MarginOptions>(options: T): T {
    this.assertOpen(); // every service starts here
    return applyProfile(options, this.profiles) as T;
  }

  /** The methods this session can run, in order. */
  get methods(): readonly string[] {
    return this.registry.names;
  }

  /**
   * Margin for every account on `market` (validated JSON or raw JSON). Throws InputError for bad input or parameters.
   * A book with masters or accounts with their own method is margined account by account by its method, under the
   * master-level policy of `params.subaccounts`, with the roll-up in `report.subaccounts` (src/subaccounts/).
   */
  margin<M extends string>(market: ValidatedMarket | unknown, options: MarginOptions & CheckedMethod<M> = {}): MarginReport {
    checkOptions(options, MARGIN_OPTION_KINDS); // as engine.margin checks them: a misspelt method had run cross
    return this.marginWith(market, options);
  }

  /**
   * {@link margin} written into the memory of `report`, an earlier summary report of this book's accounts (what
   * `margin` or `marginInto` returned, without breakdown): its figure, status and cash columns and its ids are reused
   * instead of taken anew, the same bits as `margin`. `report` is consumed: its unread rows are refused afterwards
   * (read the report returned). InputError (path `report`) for a report of other accounts, a sharded book's or one
   * already given back; (path `options.breakdown`) with breakdown, whose rows are objects.
   */
  marginInto<M extends string>(report: MarginReport, market: ValidatedMarket | unknown, options: MarginOptions & CheckedMethod<M> = {}): MarginReport {
    checkOptions(options, MARGIN_OPTION_KINDS);
    if (options.breakdown === true) throw new InputError([{ path: 'options.breakdown', message: 'marginInto writes summary rows (columns); a breakdown report\'s rows are objects: use margin' }]);
    const lent = lendableRows(report);
    if (typeof lent === 'string') throw new InputError([{ path: 'report', message: lent }]);
    const misfit = rowsMisfit(lent.rows.ids, this.layout);
    if (misfit !== undefined) throw new InputError([{ path: 'report', message: misfit }]);
    const next = this.marginWith(market, options, lent);
    lent.lend(); // also when the rows came from several runs (accounts with their own methods) and were not reused
    return next;
  }

  private marginWith(market: ValidatedMarket | unknown, options: MarginOptions, into?: LentRows): MarginReport {
    this.assertOpen();
    const policy = this.subaccountPolicy(options);
    if (policy === null) return this.marginAlone(market, options, undefined, into);
    const valid = isValidatedMarket(market) ? market : validateMarket(market);
    const runMethod = this.withProfile(options).method ?? this.registry.defaultName;
    return marginWithPolicy(this, valid, options, runMethod, policy, into);
  }

  /**
   * The master-level policy of `options.params.subaccounts` when the book has masters or per-account methods (null:
   * the plain run serves the book). InputError for a bad section.
   */
  subaccountPolicy(options: MarginOptions): SubaccountPolicy | null {
    return subaccountPolicyOf(this.opened, this.withProfile(options).params, options.lenient === true);
  }

  /** A session on another book, sharing this one's kernels, memory and methods (the pooled book of the cross policy). */
  openBook(book: ValidatedBook): MarginSession {
    return new MarginSession(this.kernels, book, this.allocator, this.registry, this.profiles, {}, this.retention, this.heap, this.sections);
  }

  /** One method (`options.method`) over every account, whatever the accounts' own methods: the plain margin run. */
  marginAlone(market: ValidatedMarket | unknown, options: MarginOptions = {}, after?: (run: PreparedRun) => void, into?: LentRows): MarginReport {
    const run = engineRun(this.prepare(market, options));
    try {
      run.run();
      const report = run.report(into);
      after?.(run); // e.g. the pools of the cross policy, from this run's state (src/subaccounts/policy.ts)
      return report;
    } finally {
      run.release();
    }
  }

  /**
   * Applies the market and parameters, values the instruments and prepares the method, then returns a run whose
   * {@link PreparedMarginRun.run} executes only the method's kernels: for callers (and benchmarks) that re-run
   * them, and for re-margining accounts changed in place. Release it when done.
   *
   * The plain run: `options.method` over every account, whatever the accounts' own `method` and any
   * `params.subaccounts` policy (no pools, no roll-up). On a book with either, {@link margin} (and `engine.margin`)
   * margins each account by its own method under the policy; a prepared run's figures are then not theirs.
   */
  prepare<M extends string>(marketJson: ValidatedMarket | unknown, profiled: MarginOptions & CheckedMethod<M> = {}): PreparedMarginRun {
    this.assertOpen();
    checkOptions(profiled, PREPARE_OPTION_KINDS); // a misspelt method had run cross
    // a run writes the session's market columns: one beside a live session's would re-margin its next fill on them
    if (this.heldBy !== null) throw new Error(`margin-core: this session keeps ${this.heldBy} live: release it before another run on the session, or open another session (engine.openBook)`);
    const options = this.withProfile(profiled);
    const profile = profiled.profile === undefined ? undefined : findProfile(profiled.profile, this.profiles);
    // raw JSON is validated here; whether it covers the book (assets, implied vols) is checked against the layout
    const given = isValidatedMarket(marketJson) ? marketJson : validateMarket(marketJson);
    const method = this.registry.require(options.method ?? this.registry.defaultName);
    const { rules, methodParams, locations: locationParams, warnings: paramWarnings, market } = this.calibratedParams(options.params, method, options.lenient === true, given);
    const locations = LocationAdjuster.of(this.opened, this.layout, locationParams, options.frozenLocations); // balances by slot: as opened
    if (locations && method.allocatesCollateral === true && locations.firstPath !== '' && !locatedRowsUnused(profiled)) {
      // such a method shares the account's haircut collateral among its positions inside the kernel: a location's
      // deduction after it would leave every position's allocation and status as if the collateral were at home
      throw new InputError([{ path: locations.firstPath, message: locatedUnderAllocatingMethod(method.name) }]);
    }
    const warnings = [...this.bookWarnings, ...market.warnings, ...paramWarnings];
    const layout = this.layout;
    const marketLayout = applyMarket(layout, market);
    const aside = method.coinMargin === true ? null : setAsideCoinAccounts(layout, method.name, this.registry);
    const { layout: ruleLayout, release: releaseRules } = acquireParamLayout(this.allocator, layout.assets, rules);
    const out = new MarginOutputs(this.allocator, layout.instruments.count, layout.positions.slotCapacity, layout.accountCount, ruleLayout);
    const breakdown = options.breakdown === true;
    let methodRun: MethodRun;
    let context: MethodContext;
    let accountList: Column<'i32'> | undefined; // an account list in the kernels' memory, for ruleBased({ list })
    let columnsGeneration = -1, columnsVersion = -1;
    let columnMap: ReturnType<typeof marginColumnMap> | undefined;
    try {
      valueInstruments(layout, marketLayout, out.value, (input) => this.kernels().greeks(input));
      context = {
        layout, market: marketLayout, snapshot: market, rules: ruleLayout, out, allocator: this.allocator, heap: this.heap, breakdown,
        kernels: this.kernels,
        ruleBased: (flags, accounts) => {
          const keep = breakdown ? flags | RULE_KEEP_POSITIONS : flags;
          // the kernel writes per-position rows when it keeps positions or margins isolated: their columns first
          if ((keep & (RULE_KEEP_POSITIONS | RULE_ISOLATED)) !== 0) out.keepPositions();
          if (accounts && 'list' in accounts) {
            if (!accountList || accountList.length < accounts.list.length) {
              accountList?.release();
              accountList = Column.allocate(this.allocator, 'i32', Math.max(accounts.list.length, 1024));
            }
            accountList.array.set(accounts.list);
          }
          // The column map (Column objects: memory growth does not stale them) is rebuilt only when a column moved (a relocation in the layout, grown outputs): engines that re-margin one account at a time call this thousands of times.
          const generation = layout.generation;
          if (generation !== columnsGeneration || out.version !== columnsVersion) {
            columnsGeneration = generation;
            columnsVersion = out.version;
            columnMap = marginColumnMap(layout, marketLayout, ruleLayout, out);
          }
          const columns = columnMap!;
          if (!accounts) this.kernels().ruleBased(columns, out.args, layout.accountCount, keep);
          else if ('list' in accounts) this.kernels().ruleBasedAccountList(columns, out.args, accountList!, accounts.list.length, keep);
          else this.kernels().ruleBasedAccounts(columns, out.args, accounts.first, accounts.last, keep);
          if (locations) adjustLocations(locations, columns, marketLayout.vol.array, accounts, (list) => restatusList(layout, out, list));
        },
        restatus: (first, last) => restatus(layout, out, first, last), restatusList: (list) => restatusList(layout, out, list),
        adjustLocations: locations ? (a, c) => void locations.adjust(a, c, c, marketLayout.vol.array) : undefined,
      };
      methodRun = preparedRun(method, context, methodParams);
    } catch (error) {
      accountList?.release();
      out.release();
      releaseRules();
      aside?.restore();
      throw error;
    }
    const prepared = new PreparedRun(method, methodParams, context, methodRun, () => this.kernels().backend, warnings, () => {
      accountList?.release();
      out.release();
      releaseRules();
      aside?.restore();
    }, profile && { name: profile.name, version: profile.version }, locations);
    if (aside) prepared.setAside = aside.reasons;
    prepared.accountMasters = this.accountMasters;
    return this.retention.keep(prepared); // perf: keep-shapes (docs/performance.md)
  }

  /**
   * Holds the session for `by` (a live session keeping its book live): {@link prepare} refuses until the returned
   * function lets it go. Throws when another holds it already.
   */
  hold(by: string): () => void {
    if (this.heldBy !== null) throw new Error(`margin-core: this session keeps ${this.heldBy} live: release it before ${by} on the session, or open another session (engine.openBook)`);
    this.heldBy = by;
    let held = true;
    return () => {
      if (held) this.heldBy = null;
      held = false;
    };
  }

  release(): void {
    // a live session's run reads this layout: released under it, its next call read freed columns
    if (this.heldBy !== null && !this.released) throw new Error(`margin-core: this session keeps ${this.heldBy} live: release that first (live.release()), then the session`);
    this.released = true;
    this.layout.release();
  }

  /** A released session's memory is gone: every call says so, not which column it reached first. */
  private assertOpen(): void {
    if (this.released) throw new Error('margin-core: this session was released (session.release()): open another with engine.openBook');
  }

  /**
   * The params sections that name assets (src/model/asset-keys.ts): the rule-based ones, `dynamic` and each method's
   * (MarginMethodPlugin.assetKeys).
   */
  private assetSections(): AssetSection[] {
    if (this.assetKeyed !== undefined) return this.assetKeyed;
    const sections: AssetSection[] = [{ name: null, keys: RULE_ASSET_KEYS }, { name: 'dynamic', keys: DYNAMIC_ASSET_KEYS }];
    for (const plugin of this.registry.methods) if (plugin.section !== null && plugin.assetKeys !== undefined) sections.push({ name: plugin.section, keys: plugin.assetKeys });
    return (this.assetKeyed = sections);
  }

  /** The sites of the asset names the session's profiles give (read when first asked for: a name the market does not price). */
  private profileAssetSites(): ReadonlySet<string> {
    return (this.profileSites ??= new Set(this.profiles.flatMap((p) => paramAssetNames(p.params, this.assetSections()).map((n) => n.site))));
  }

  /**
   * The validated parameters and the market the method runs on: as given, or, when `params.dynamic.methods` names the
   * method, calibrated to the forecast (src/session/calibrate.ts: an overlay merged over the params and validated
   * again, and for VaR the forecast vols in the market).
   */
  private calibratedParams(json: unknown, method: MarginMethodPlugin, lenient: boolean, market: ValidatedMarket): ValidatedParams & { market: ValidatedMarket } {
    const given = this.validateParams(json, method, lenient, [...market.assets.keys()]);
    const dynamic = given.dynamic;
    if (!dynamic || !(dynamic.methods as readonly string[]).includes(method.name)) return { ...given, market };
    const calibration = calibrate(method, dynamic, given.rules, given.methodParams, market, this.layout.assets);
    if (Object.keys(calibration.overlay).length === 0) return { ...given, market: calibration.market };
    return { ...this.validateParams(mergeParams(json, calibration.overlay), method, lenient), market: calibration.market };
  }

  /**
   * The rule-based sections (every method's equity needs their haircuts), the method's own section and the `dynamic`
   * section when present, every problem in one InputError; under `lenient`, unknown fields become warnings. A section
   * no method of the registry reads is an unknown field. `assets`: the market's, against which the asset names the
   * params give are checked (null: not checked, an overlay of the engine's own over params checked before).
   */
  private validateParams(json: unknown, method: MarginMethodPlugin, lenient: boolean, assets: readonly string[] | null = null): ValidatedParams {
    if (json === undefined) {
      // no params: the method's defaults, the same for every call: perf: shared-defaults (docs/performance.md)
      let defaults = DEFAULT_PARAMS.get(method);
      if (defaults === undefined) DEFAULT_PARAMS.set(method, (defaults = deepFreeze(this.checkParams(undefined, method, lenient))));
      return defaults;
    }
    return this.checkParams(json, method, lenient, assets);
  }

  /**
   * The whole params file, whatever the method: every section of every method of the registry and of the engine
   * (liquidation, stress, dynamic, locations, subaccounts), and every number within the domain's params bound
   * (src/model/param-domain.ts). A mistake in another method's section is a mistake in the file. With `assets` (the
   * market's), each asset a section names that the market does not price is an unknown field, unless a profile gives
   * the same name there (src/model/asset-keys.ts: a misspelt key would leave the asset on the default rule).
   */
  private checkParams(json: unknown, method: MarginMethodPlugin, lenient: boolean, assets: readonly string[] | null = null): ValidatedParams {
    const problems = new ProblemList({ lenient });
    if (assets !== null) {
      for (const p of unknownParamAssets(json, this.assetSections(), assets, () => this.profileAssetSites())) problems.addUnknown(p.path, p.message);
    }
    // only no params (undefined) means the defaults: `null` is a params file of the wrong type, refused as one
    const rules = checkRuleBasedParams(json === undefined ? {} : json, problems, knownSections(this.registry));
    const sections = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
    const sectionOf = (name: string): unknown => (Object.hasOwn(sections, name) ? sections[name] : undefined);
    const dynamic = Object.hasOwn(sections, 'dynamic') ? checkDynamicParams(sections.dynamic, problems, this.registry.dynamicNames) : undefined;
    const locations = checkLocationParams(sectionOf('locations'), problems);
    if (Object.hasOwn(sections, 'subaccounts')) checkSubaccountParams(sections.subaccounts, problems);
    for (const section of this.sections) if (Object.hasOwn(sections, section.name)) section.check(sections[section.name], problems);
    let methodParams: unknown;
    for (const plugin of this.registry.methods) {
      if (plugin !== method && (plugin.section === null || !Object.hasOwn(sections, plugin.section))) continue;
      try {
        const validated = plugin.validateParams(plugin.section === null ? undefined : sectionOf(plugin.section), problems);
        if (plugin === method) methodParams = validated;
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        for (const p of error.problems) problems.add(p.path, p.message);
      }
    }
    checkParamMagnitudes(json, problems); // after the sections: a number their own bound refused is said once
    problems.throwIfAny();
    return { rules, methodParams, dynamic, locations, warnings: problems.takeWarnings() };
  }
}

/**
 * The live coin-margined accounts of `layout` (accounts margined in an asset), set aside for a run of `method`, which
 * margins accounts in USD only: taken out of the run (not live while it lasts: no method sees them) and reported in
 * status error with why (build-report.ts). Null when there are none. `restore` puts them back (the run's release).
 */
function setAsideCoinAccounts(layout: BookLayout, method: string, registry: MethodRegistry): { reasons: Map<number, string>; restore: () => void } | null {
  const margin = layout.marginAsset.array, live = layout.live.array;
  let reasons: Map<number, string> | null = null;
  const able = registry.methods.filter((m) => m.coinMargin === true).map((m) => m.name);
  for (let a = 0; a < layout.accountCount; a++) {
    if (margin[a] < 0 || live[a] === 0 || layout.accountIds[a] === null) continue;
    (reasons ??= new Map()).set(a, setAsideReason(layout.marginCurrencyOf(a), method, able));
  }
  if (reasons === null) return null;
  for (const a of reasons.keys()) live[a] = 0;
  const set = reasons;
  return { reasons: set, restore: () => set.forEach((_, a) => (layout.live.array[a] = 1)) };
}

/**
 * Why summary rows with account ids `ids` are not the rows of a report on `layout` (its live accounts in layout
 * order, as build-report.ts lists them), or undefined when they are. perf: loop-alone (docs/performance.md)
 */
function rowsMisfit(ids: readonly string[], layout: BookLayout): string | undefined {
  const rows = liveAccountCount(layout);
  if (rows !== ids.length) return `it lists ${ids.length} accounts, this book ${rows}: pass a report on this book's accounts`;
  const accountIds = layout.accountIds, live = layout.live.array;
  let k = 0;
  for (let a = 0; a < layout.accountCount; a++) {
    const id = accountIds[a];
    if (id === null || live[a] === 0) continue;
    if (ids[k] !== id) return `its row ${k} is account ${JSON.stringify(ids[k])}, this book's is ${JSON.stringify(id)}: pass a report on this book's accounts`;
    k++;
  }
  return undefined;
}

function liveAccountCount(layout: BookLayout): number {
  const accountIds = layout.accountIds, live = layout.live.array;
  let rows = 0;
  for (let a = 0; a < layout.accountCount; a++) if (accountIds[a] !== null && live[a] !== 0) rows++;
  return rows;
}

/**
 * Validated parameters of runs given none, per method plug-in, frozen: shared by every such run of every session
 * (without a params object there is no unknown field, so the registry and `lenient` do not change them).
 */
const DEFAULT_PARAMS = new WeakMap<MarginMethodPlugin, ValidatedParams>();

/** The registry's sections and the engine's, listed once per registry (every call validates its params against them). */
const SECTIONS = new WeakMap<MethodRegistry, readonly string[]>();
function knownSections(registry: MethodRegistry): readonly string[] {
  let known = SECTIONS.get(registry);
  if (known === undefined) SECTIONS.set(registry, (known = [...registry.sections, ...ENGINE_SECTIONS]));
  return known;
}

interface ValidatedParams {
  rules: RuleBasedParams;
  methodParams: unknown;
  /** The `dynamic` section, when the params have one. */
  dynamic: DynamicParams | undefined;
  /** The `locations` section (defaults when absent: no locations). */
  locations: LocationParams;
  warnings: InputProblem[];
}

/** What a prepared run takes: the margin options, and a live session's `limits`, which ride with them (open-live.ts). */
const PREPARE_OPTION_KINDS: Readonly<Record<string, OptionKind>> = { ...MARGIN_OPTION_KINDS, limits: 'any' };

/** True on a run whose located accounts' rows are kept from another run (src/subaccounts/method-run-options.ts). */
function locatedRowsUnused(options: MarginOptions): boolean {
  return (options as { [LOCATED_ROWS_KEPT_ELSEWHERE]?: true })[LOCATED_ROWS_KEPT_ELSEWHERE] === true;
}
