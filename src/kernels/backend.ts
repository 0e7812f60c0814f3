/**
 * The kernels as margin methods call them: one interface ({@link MarginKernels}) over a WASM instance and the
 * JS twins, with the engine's recovery rule built in. A call runs on the instance while it is current; if it
 * traps, the instance is handed back to its owner to discard and the same call is answered by the JS twin
 * (same bits). Shape errors found before any kernel runs (InputError, RangeError) are the caller's and pass
 * through.
 */
import { InputError } from '../errors.js';
import type { GreeksInput, GreeksOutput } from '../model/greeks-types.js';
import type { Column } from '../memory/columns.js';
import {
  ADD_ON_ENTRIES_COLUMNS, type AddOnEntriesColumnName, EXACT_TOTALS_COLUMNS, type ExactTotalsColumnName, MARGIN_COLUMNS, type MarginColumnName, PORTFOLIO_REDUCE_COLUMNS,
  PORTFOLIO_SLOTS_COLUMNS, type PortfolioSlotsColumnName, type ReduceColumnName, RISK_ARRAY_COLUMNS, type RiskArrayColumnName,
} from './abi.js';
import type { BackendName } from './backend-name.js';
import { exactTotalsJs, type ExactTotalsColumns } from './js/exact-sum.js';
import { marginAccounts, type MarginColumns, ruleBasedMargin } from './js/margin.js';
import { marginViews } from './margin-views.js';
import { portfolioReduceJs, type ReduceColumns } from './js/portfolio/reduce.js';
import { addOnEntriesJs, type AddOnEntriesColumns, portfolioSlotsJs, type PortfolioSlotsColumns } from './js/portfolio/book-slots.js';
import { type RiskArrayColumns, riskArraysJs } from './js/scenario/risk-arrays.js';
import { jsRisk, type RiskKernels, wasmRisk } from './risk.js';
import type { KernelExports } from './wasm/exports.js';
import type { WasmKernels } from './wasm/instance.js';

export type { BackendName };

/** Flags of the rule-based kernel: bit 0 isolated mode, bit 1 keep per-position rows (breakdown). */
export const RULE_ISOLATED = 1;
export const RULE_KEEP_POSITIONS = 2;

/** What the margin methods need from a backend. Column kernels read their columns in the order of src/kernels/abi.ts. */
export interface MarginKernels {
  /** The backend the next call runs on (it becomes `js` once a trap discarded the instance). */
  readonly backend: BackendName;
  /** Batch option prices and Greeks (src/greeks/). */
  greeks(input: GreeksInput): GreeksOutput;
  /** Rule-based margin: every instrument's terms, then accounts [0, accounts). */
  ruleBased(columns: Record<MarginColumnName, Column>, args: Column<'i32'>, accounts: number, flags: number): void;
  /** Rule-based margin of accounts [first, last) on the instrument terms the last {@link ruleBased} call wrote. */
  ruleBasedAccounts(columns: Record<MarginColumnName, Column>, args: Column<'i32'>, first: number, last: number, flags: number): void;
  /** Rule-based margin of the first `count` accounts listed in `list` (any order), on the terms of the last {@link ruleBased} call. */
  ruleBasedAccountList(columns: Record<MarginColumnName, Column>, args: Column<'i32'>, list: Column<'i32'>, count: number, flags: number): void;
  /** Risk arrays: every row revalued under every scenario (src/kernels/scenario.ts). */
  riskArrays(nRows: number, nUnderlyings: number, nScenarios: number, columns: Record<RiskArrayColumnName, Column>, args: Column<'i32'>): void;
  /** Worst scenario loss per group (src/kernels/portfolio.ts). */
  portfolioReduce(nGroups: number, nScenarios: number, columns: Record<ReduceColumnName, Column>, args: Column<'i32'>): void;
  /** A portfolio run's slots grouped by underlying, accounts [0, accounts); returns how many groups (src/kernels/js/portfolio/book-slots.ts). */
  portfolioSlots(columns: Record<PortfolioSlotsColumnName, Column>, args: Column<'i32'>, accounts: number): number;
  /** Add-on entries [0, entries) of a portfolio run; ranks below `firstLinear` are option keys (same module). */
  addOnEntries(columns: Record<AddOnEntriesColumnName, Column>, args: Column<'i32'>, entries: number, firstLinear: number): void;
  /** The VaR / ES kernels (src/kernels/risk.ts). */
  risk(): RiskKernels;
  /**
   * Adds the report's sums over accounts [first, last) (live, not in error) to the five exact accumulators in `acc`
   * (src/margin/exact-totals.ts; assembly/sum/exact.ts).
   */
  exactTotals(columns: Record<ExactTotalsColumnName, Column>, args: Column<'i32'>, acc: Column<'f64'>, first: number, last: number): void;
}

/** The WASM instance a kernel set calls, as long as its owner keeps it current. */
export interface WasmTenure {
  readonly instance: WasmKernels;
  /** False once the owner discarded the instance (a trap anywhere): calls then run on the JS twins. */
  current(): boolean;
  /** A call on the instance failed: the owner discards it (and may reload one in the background). */
  discard(error: unknown): void;
}

/**
 * Kernels on `tenure`'s instance while it is current, on the JS twins otherwise (`tenure` undefined: JS only).
 * `greeks` is the owner's own batch pricing, which has its own fallback.
 */
export function marginKernels(tenure: WasmTenure | undefined, greeks: (input: GreeksInput) => GreeksOutput): MarginKernels {
  const onWasm = (): boolean => tenure !== undefined && tenure.current();
  /** The columns whose pointers each argument block holds: the same map twice needs no rewrite. */
  const written = new WeakMap<Column<'i32'>, object>();
  /** One column-kernel call on the instance (column pointers into `args` in ABI order), else on the JS twin. */
  const columnKernel = <K extends string>(order: readonly K[], columns: Record<K, Column>, args: Column<'i32'>, wasm: (raw: KernelExports) => void, js: () => void): void => {
    if (onWasm()) {
      try {
        if (written.get(args) !== columns) {
          args.array.set(order.map((name) => columns[name].ptr));
          written.set(args, columns);
        }
        wasm(tenure!.instance.raw);
        return;
      } catch (error) {
        if (tenure!.current()) tenure!.discard(error);
      }
    }
    js();
  };
  /** Views of a column map for the JS twins, kept while their buffer lives (heap columns never detach). */
  const viewCache = new WeakMap<object, { buffer: ArrayBufferLike; views: unknown }>();
  const views = <K extends string, T>(order: readonly K[], columns: Record<K, Column>): T => {
    const first = columns[order[0]].array;
    const cached = viewCache.get(columns);
    if (cached && cached.buffer === first.buffer) return cached.views as T;
    // the margin columns as one literal (fast properties: the JS twin reads them in its inner loops)
    const fresh = (order === (MARGIN_COLUMNS as readonly string[]) ? marginViews(columns as unknown as Record<MarginColumnName, Column>) : Object.fromEntries(order.map((name) => [name, columns[name].array]))) as T;
    viewCache.set(columns, { buffer: first.buffer, views: fresh });
    return fresh;
  };
  const wasmBackend: BackendName | undefined = tenure ? (tenure.instance.flavour === 'simd' ? 'wasm-simd' : 'wasm-scalar') : undefined;
  return {
    get backend() {
      return onWasm() ? wasmBackend! : 'js';
    },
    greeks,
    ruleBased: (columns, args, accounts, flags) =>
      columnKernel(MARGIN_COLUMNS, columns, args, (raw) => ruleBasedInChunks(raw, accounts, flags, args.ptr), () =>
        ruleBasedMargin(views<MarginColumnName, MarginColumns>(MARGIN_COLUMNS, columns), accounts, (flags & RULE_ISOLATED) !== 0, (flags & RULE_KEEP_POSITIONS) !== 0)),
    // columnKernel written out here: perf: no-closure-per-call (docs/performance.md)
    ruleBasedAccounts: (columns, args, first, last, flags) => {
      if (onWasm()) {
        try {
          if (written.get(args) !== columns) {
            args.array.set(MARGIN_COLUMNS.map((name) => columns[name].ptr));
            written.set(args, columns);
          }
          tenure!.instance.raw.ruleBasedAccounts(first, last, flags, args.ptr);
          return;
        } catch (error) {
          if (tenure!.current()) tenure!.discard(error);
        }
      }
      marginAccounts(views<MarginColumnName, MarginColumns>(MARGIN_COLUMNS, columns), first, last, (flags & RULE_ISOLATED) !== 0, (flags & RULE_KEEP_POSITIONS) !== 0);
    },
    ruleBasedAccountList: (columns, args, list, count, flags) =>
      columnKernel(MARGIN_COLUMNS, columns, args, (raw) => ruleBasedListInChunks(raw, list.ptr, count, flags, args.ptr), () =>
        marginAccounts(views<MarginColumnName, MarginColumns>(MARGIN_COLUMNS, columns), 0, count, (flags & RULE_ISOLATED) !== 0, (flags & RULE_KEEP_POSITIONS) !== 0, list.array)),
    riskArrays: (nRows, nUnderlyings, nScenarios, columns, args) =>
      columnKernel(RISK_ARRAY_COLUMNS, columns, args, (raw) => raw.riskArrays(nRows, nUnderlyings, nScenarios, args.ptr), () =>
        riskArraysJs(nRows, nUnderlyings, nScenarios, views<RiskArrayColumnName, RiskArrayColumns>(RISK_ARRAY_COLUMNS, columns))),
    portfolioReduce: (nGroups, nScenarios, columns, args) =>
      columnKernel(PORTFOLIO_REDUCE_COLUMNS, columns, args, (raw) => raw.portfolioReduce(nGroups, nScenarios, args.ptr), () =>
        portfolioReduceJs(nGroups, nScenarios, views<ReduceColumnName, ReduceColumns>(PORTFOLIO_REDUCE_COLUMNS, columns))),
    ...preparationKernels(columnKernel, views),
    risk: () => guardedRisk(tenure),
    exactTotals: (columns, args, acc, first, last) =>
      columnKernel(EXACT_TOTALS_COLUMNS, columns, args, (raw) => raw.exactTotals(acc.ptr, first, last, args.ptr), () => {
        // after a trap part way the accumulators hold the accounts the kernel added: the twin starts them from zero again
        acc.array.fill(0);
        exactTotalsJs(acc.array, views<ExactTotalsColumnName, ExactTotalsColumns>(EXACT_TOTALS_COLUMNS, columns), first, last);
      }),
  };
}

/** A column-kernel call on the instance, else on the JS twin (marginKernels' `columnKernel`). */
type ColumnKernelCall = <K extends string>(order: readonly K[], columns: Record<K, Column>, args: Column<'i32'>, wasm: (raw: KernelExports) => void, js: () => void) => void;
/** Views of a column map for the JS twins (marginKernels' `views`). */
type TwinViews = <K extends string, T>(order: readonly K[], columns: Record<K, Column>) => T;

/** The portfolio run's per-book preparation kernels (src/kernels/js/portfolio/book-slots.ts) on `columnKernel`. */
function preparationKernels(columnKernel: ColumnKernelCall, views: TwinViews): Pick<MarginKernels, 'portfolioSlots' | 'addOnEntries'> {
  return {
    portfolioSlots: (columns, args, accounts) => {
      let groups = 0;
      const words = columns.bits.length;
      columnKernel(PORTFOLIO_SLOTS_COLUMNS, columns, args, (raw) => void (groups = raw.portfolioSlots(accounts, words, args.ptr)), () => {
        // after a trap part way, the counts and bits the twin expects zero may hold what the kernel left
        const c = views<PortfolioSlotsColumnName, PortfolioSlotsColumns>(PORTFOLIO_SLOTS_COLUMNS, columns);
        c.count.fill(0);
        c.bits.fill(0);
        c.heldRows.fill(0);
        groups = portfolioSlotsJs(c, accounts);
      });
      return groups;
    },
    addOnEntries: (columns, args, entries, firstLinear) =>
      columnKernel(ADD_ON_ENTRIES_COLUMNS, columns, args, (raw) => raw.addOnEntries(entries, firstLinear, columns.bits.length, args.ptr), () => {
        const c = views<AddOnEntriesColumnName, AddOnEntriesColumns>(ADD_ON_ENTRIES_COLUMNS, columns);
        c.net.fill(0); // as above
        c.count.fill(0);
        c.bits.fill(0);
        addOnEntriesJs(c, entries, firstLinear);
      }),
  };
}

/** Accounts per kernel call of a whole-book rule-based run. perf: chunked-batches, threshold (docs/performance.md) */
export const MARGIN_CHUNK = 4096;

/** ruleBasedMargin over `accounts` accounts as chunks: the instrument terms and the first chunk, then the others. */
function ruleBasedInChunks(raw: KernelExports, accounts: number, flags: number, argsPtr: number): void {
  const first = Math.min(accounts, MARGIN_CHUNK);
  raw.ruleBasedMargin(first, flags, argsPtr);
  // accounts are margined independently: [first, accounts) on the terms just written are the bits of one call
  for (let a = first; a < accounts; a += MARGIN_CHUNK) raw.ruleBasedAccounts(a, Math.min(a + MARGIN_CHUNK, accounts), flags, argsPtr);
}

/**
 * ruleBasedAccountList over `count` listed accounts as chunks of MARGIN_CHUNK: a tick of a widely held asset lists a
 * million accounts, and a first call that long would run whole on the engine's baseline code (a WASM function is
 * optimised for the calls after the one that made it hot, not within it). Accounts are margined independently: the
 * chunks give the bits of one call.
 */
function ruleBasedListInChunks(raw: KernelExports, listPtr: number, count: number, flags: number, argsPtr: number): void {
  for (let k = 0; k < count; k += MARGIN_CHUNK) raw.ruleBasedAccountList(listPtr + 4 * k, Math.min(MARGIN_CHUNK, count - k), flags, argsPtr);
}

/** The VaR / ES kernels of the instance while it is current (a trap discards it; that call runs on JS), else JS. */
function guardedRisk(tenure: WasmTenure | undefined): RiskKernels {
  const js = jsRisk();
  if (!tenure || !tenure.current()) return js;
  const wasm = wasmRisk(tenure.instance);
  const guarded = {} as Record<keyof RiskKernels, unknown>;
  for (const key of Object.keys(js) as (keyof RiskKernels)[]) {
    if (key === 'backend') continue;
    guarded[key] = (...args: unknown[]) => {
      if (tenure.current()) {
        try {
          return (wasm[key] as (...a: unknown[]) => unknown)(...args);
        } catch (error) {
          if (error instanceof InputError || error instanceof RangeError) throw error;
          if (tenure.current()) tenure.discard(error);
        }
      }
      return (js[key] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return Object.defineProperty(guarded, 'backend', { get: () => (tenure.current() ? wasm.backend : 'js'), enumerable: true }) as unknown as RiskKernels;
}
