/**
 * What-if margin of one account: the result type every method's `whatIf` returns (src/methods/method.ts), and
 * the part every method shares, the rule-based kernel on a draft of the account (equity with and without
 * haircuts, gross notional, rule-based IM and MM). The draft is margined by the kernel's JS twin
 * (src/kernels/js/margin.ts, same bits as the WASM kernels) over one-account scratch columns that borrow the
 * run's instrument terms, prices and parameter schedules: O(the account's positions and balances).
 */
import { healthOf } from './derived-figures.js';
import type { AccountFigureValues } from './figures.js';
import { type MarginColumns, marginAccounts } from '../kernels/js/margin.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { AccountDraft } from './account-draft.js';
import { type MarginOutputs, marginColumnMap, marginViews } from './outputs.js';
import type { ParamLayout } from './param-layout.js';
import { STATUS, STATUS_HEALTHY, type Status } from './status.js';

/** What binds an account's requirement: the scenario, risk component or position that drives its IM. */
export interface Binding {
  /** `scenario` (portfolio: the worst scenario of the worst underlying; VaR simulation: the VaR scenario),
   * `component` (parametric VaR: the largest Euler component), `position` (rule-based: the largest position IM). */
  kind: 'scenario' | 'component' | 'position';
  /** e.g. `BTC spot −16% / vol up`, `ETH`, `BTC-PERP`, `scenario 412`. */
  label: string;
  /** The underlying it belongs to, when there is one. */
  underlying?: string | undefined;
  /** Its amount (USD): the scenario loss, the component, or the position's IM. */
  amount: number;
}

/**
 * One account's margin as a fresh run on its (changed) book would report it. Money in USD, or, for a coin-margined
 * account, in its margin asset (`marginCurrency`; its balance is its `collateralValue` and `cashUsd` is 0), as its row.
 */
export interface AccountRequirement extends Pick<AccountFigureValues, 'equity' | 'equityIm' | 'equityMm' | 'im' | 'mm' | 'health' | 'grossNotional' | 'collateralValue'> {
  status: Status;
  /** USD cash (0 for a coin-margined account: its cash is its balance of the margin asset, in collateralValue). */
  cashUsd: number;
  /** A coin-margined account: the asset every money figure is in (absent: USD). */
  marginCurrency?: string | undefined;
  /** What drives IM (null when nothing does, e.g. no positions or a non-finite result). */
  binding: Binding | null;
  /**
   * Under isolated margin, when the account is not healthy: the first position (in the account's order) of the worst
   * status, with its own equity (its allocation + P&L) and requirements, in the account's money; null when every
   * position holds its own IM (the rest of the account owes). Absent for a healthy account, under other methods and
   * where a method does not say.
   */
  shortPosition?: ShortPosition | null | undefined;
}

/** A position short of its own requirement under isolated margin ({@link AccountRequirement.shortPosition}). */
export interface ShortPosition {
  instrument: string;
  /** Its allocation + unrealized P&L. */
  ownEquity: number;
  im: number;
  mm: number;
  status: Status;
}

/** The rule-based kernel's result for a draft (per-position IM in `positionIm[0, positions)`). */
export interface DraftMargin {
  equity: number;
  equityIm: number;
  equityMm: number;
  im: number;
  mm: number;
  gross: number;
  collateralValue: number;
  status: number;
  positions: number;
  positionIm: Float64Array;
  /** Per position (scratch, read before the next draft): MM, mark-to-market, isolated allocation and status code. */
  positionMm: Float64Array;
  positionMtm: Float64Array;
  positionAlloc: Float64Array;
  positionStatus: Uint8Array;
}

/**
 * The first position of the worst status below healthy of an isolated draft's margin (`m`, `ids`: the instrument
 * ids by row), or null when every position is healthy.
 */
export function shortPositionOf(m: DraftMargin, instrument: Int32Array, ids: readonly string[]): ShortPosition | null {
  let worst = -1;
  for (let k = 0; k < m.positions; k++) if (m.positionStatus[k] > STATUS_HEALTHY && (worst < 0 || m.positionStatus[k] > m.positionStatus[worst])) worst = k;
  if (worst < 0) return null;
  return { instrument: ids[instrument[worst]], ownEquity: m.positionAlloc[worst] + m.positionMtm[worst], im: m.positionIm[worst], mm: m.positionMm[worst], status: STATUS[m.positionStatus[worst]] };
}

/** equityMm / mm; with mm = 0 the signed limit (src/margin/derived-figures.ts, the report's). */
export { healthOf };

/** A requirement from equities and the method's IM, MM and status code. */
export function requirementOf(m: DraftMargin, cashUsd: number, im: number, mm: number, status: number, binding: Binding | null): AccountRequirement {
  return {
    status: STATUS[status], equity: m.equity, equityIm: m.equityIm, equityMm: m.equityMm, im, mm,
    health: healthOf(m.equityMm, mm), grossNotional: m.gross, collateralValue: m.collateralValue, cashUsd, binding,
  };
}

/** The rule-based kernel on drafts of one run's accounts; scratch reused between calls. */
export class DraftMarginer {
  private shared: MarginColumns | null = null;
  private sharedBuffer: ArrayBufferLike | null = null;
  private scratch: MarginColumns | null = null;

  constructor(
    private readonly layout: BookLayout,
    private readonly market: MarketLayout,
    private readonly rules: ParamLayout,
    private readonly out: MarginOutputs,
  ) {}

  /**
   * Margins the draft (a live account) as the rule-based kernel margins its slots: cross, or isolated. The
   * instrument terms are the last full run's (src/kernels/js/margin.ts prepareInstruments), as for remargin.
   */
  margin(draft: AccountDraft, isolated: boolean): DraftMargin {
    const c = this.columns(draft);
    marginAccounts(c, 0, 1, isolated, true);
    return {
      equity: c.equity[0], equityIm: c.equityIm[0], equityMm: c.equityMm[0], im: c.im[0], mm: c.mm[0], gross: c.gross[0],
      collateralValue: c.collateralValue[0], status: c.status[0], positions: draft.positions, positionIm: c.posIm,
      positionMm: c.posMm, positionMtm: c.posMtm, positionAlloc: c.posAlloc, positionStatus: c.posStatus,
    };
  }

  /** The run's columns (views re-taken when memory moved) with the account columns pointing at the draft. */
  private columns(draft: AccountDraft): MarginColumns {
    const terms = this.out.instrumentTerms.array;
    if (this.shared === null || this.sharedBuffer !== terms.buffer || this.shared.instrumentTerms !== terms) {
      this.shared = marginViews(marginColumnMap(this.layout, this.market, this.rules, this.out));
      this.sharedBuffer = terms.buffer;
      this.scratch = null;
    }
    const n = Math.max(draft.instrument.length, 1);
    let c = this.scratch;
    if (c === null || c.posIm.length < n) {
      const f64 = () => new Float64Array(n);
      const one = () => new Float64Array(1);
      c = {
        ...this.shared,
        live: Uint8Array.of(1), posStart: Int32Array.of(0), posEnd: new Int32Array(1), colStart: Int32Array.of(0), colEnd: new Int32Array(1),
        cashUsd: one(), posIm: f64(), posMm: f64(), posMtm: f64(), posNotional: f64(), posAlloc: f64(), posStatus: new Uint8Array(n),
        equity: one(), equityIm: one(), equityMm: one(), im: one(), mm: one(), gross: one(), collateralValue: one(), status: new Uint8Array(1),
      };
      this.scratch = c;
    }
    c.posInstrument = draft.instrument;
    c.quantity = draft.quantity;
    c.entryPrice = draft.entryPrice;
    c.isolatedMargin = draft.isolatedMargin;
    c.posEnd[0] = draft.positions;
    c.colAsset = draft.asset;
    c.amount = draft.amount;
    c.colEnd[0] = draft.balances;
    c.cashUsd[0] = draft.cashUsd;
    return c;
  }
}
