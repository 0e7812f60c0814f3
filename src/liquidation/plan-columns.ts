/**
 * A liquidation plan as columns while it is made: per liquidated account, per step and per ADL fill, the numbers in one
 * Float64Array each (a fixed number of values per row) and the strings in arrays beside them.
 * perf: lazy-rows (docs/performance.md): a plan of a big book has tens of thousands of steps and fills.
 * The report's objects are built from these columns (engine.ts: at once for a small plan, else when
 * `report.accounts` or `report.adl` is first read, src/model/lazy-field.ts), with the same keys in the same order and the same bits (a Float64Array
 * holds a double exactly, −0 included), so a reader sees what an eagerly built report held. The engine hands steps and
 * fills over as records ({@link PlanColumns.addStep}, {@link PlanColumns.addFill}); only this file knows the columns' order.
 *
 * The columns hold copies (the ids as strings): the report outlives the session and its layout.
 */
import { inverseCoordinate } from '../model/inverse-price.js';
import { STATUS, type Status } from '../margin/status.js';
import type { AccountLiquidation, AdlFill, LiquidationSnapshot, LiquidationState, LiquidationStep } from './report.js';
import { NumberRows } from '../memory/number-rows.js';
import type { ArrayLease } from '../memory/array-lease.js';

/** The figures of a snapshot after its status: equity, equityMm, mm, equityIm, im, health (LiquidationSnapshot's order). */
const SNAPSHOT = 6;
/**
 * Account row: status before, the before figures (6), then (when it ends) its state, status after, the after figures
 * (6), the waterfall's five amounts between equityBefore and equityAfter, where its steps end, and its layout index.
 */
const STATUS_BEFORE = 0, BEFORE = 1, STATE = BEFORE + SNAPSHOT, STATUS_AFTER = STATE + 1, AFTER = STATUS_AFTER + 1, WATERFALL = AFTER + SNAPSHOT, STEP_END = WATERFALL + 5;
const ACCOUNT_INDEX = STEP_END + 1;
const ACCOUNT_STRIDE = ACCOUNT_INDEX + 1;
/**
 * Step row: kind (0 position, 1 collateral), quantity, markPrice, fillPrice, bankruptcyPrice, notional, routes (market,
 * insuranceFund, adl, uncovered), feeToLiquidator, feeToFund, fundChange, healthBefore, healthAfter, mmBefore, mmAfter.
 */
const STEP_STRIDE = 17;
/** Fill row: quantity, price, markPrice, haircut, rank. */
const FILL_STRIDE = 5;

const STATES: readonly LiquidationState[] = ['resolved', 'being_liquidated', 'bankrupt', 'deleveraged'];
const KINDS: readonly LiquidationStep['kind'][] = ['position', 'collateral'];

/** What a step sent to the market, as {@link PlanColumns.stepFlow} reads it: the step's fields of the same names, `adl` its ADL route. */
export interface StepFlow {
  kind: LiquidationStep['kind'];
  id: string;
  quantity: number;
  fillPrice: number;
  notional: number;
  adl: number;
}

/** An account's figures at one moment, as the snapshot lists them, its status as a code (src/margin/status.ts). */
export type SnapshotFigures = Omit<LiquidationSnapshot, 'status'> & { status: number };

export class PlanColumns {
  /** Account rows (ACCOUNT_STRIDE numbers each) and their ids and notes ('' for none). */
  private readonly accountRows: NumberRows;
  private readonly accountIds: string[] = [];
  /** The margin currency of the coin-margined accounts' rows, by row (USD rows have none). */
  private readonly currencies = new Map<number, string>();
  private readonly notes: string[] = [];
  /** Step rows (STEP_STRIDE numbers each) and their ids. */
  private readonly steps: NumberRows;
  private readonly stepIds: string[] = [];
  /** Fill rows (FILL_STRIDE numbers each) and their accounts, from and instruments. */
  private readonly fills: NumberRows;
  private readonly fillAccounts: string[] = [];
  private readonly fillFrom: string[] = [];
  private readonly fillInstruments: string[] = [];

  /**
   * Rows handed out and dropped ({@link drop}: a plan written as it is made): their accounts by state and those with
   * steps, so the counts stay the whole plan's.
   */
  private readonly droppedStates = [0, 0, 0, 0];
  private droppedWithSteps = 0;

  /** ADL fills counted, not kept ({@link keepFills} false). */
  private fillsCounted = 0;

  /**
   * `accounts`: the accounts the run may liquidate (it sizes the buffers; ~4 steps and fills each are expected).
   * `keepFills` false: the ADL fills are counted only (a reader that needs their number, not their rows: a table, a CSV
   * of steps, a stress round; a big book's run has millions of them). `rowsLease`: where the account and step rows are
   * lent from, for a plan whose rows are dropped as they are read and never read after the run (the fills are its own).
   */
  constructor(accounts: number, readonly keepFills = true, rowsLease?: ArrayLease) {
    const fills = keepFills ? 4 * accounts : 0; // counted only: no rows
    if (rowsLease === undefined) [this.accountRows, this.steps, this.fills] = NumberRows.sharing([ACCOUNT_STRIDE, STEP_STRIDE, FILL_STRIDE], [accounts, 4 * accounts, fills]);
    else {
      this.accountRows = new NumberRows(ACCOUNT_STRIDE, accounts, rowsLease);
      this.steps = new NumberRows(STEP_STRIDE, 4 * accounts, rowsLease);
      this.fills = new NumberRows(FILL_STRIDE, fills);
    }
  }

  /** Room for `accounts` more account rows, exactly (the accounts ADL took from: hundreds of thousands in a big book). */
  reserveAccounts(accounts: number): void {
    this.accountRows.reserve(accounts);
  }

  /** A step of the current account. */
  addStep(step: LiquidationStep): void {
    this.stepIds.push(step.id);
    const o = this.steps.add(), v = this.steps.values, r = step.routes;
    v[o] = KINDS.indexOf(step.kind);
    v[o + 1] = step.quantity;
    v[o + 2] = step.markPrice;
    v[o + 3] = step.fillPrice;
    v[o + 4] = step.bankruptcyPrice ?? Number.NaN; // null is kept as NaN
    v[o + 5] = step.notional;
    v[o + 6] = r.market;
    v[o + 7] = r.insuranceFund;
    v[o + 8] = r.adl;
    v[o + 9] = r.uncovered;
    v[o + 10] = step.feeToLiquidator;
    v[o + 11] = step.feeToFund;
    v[o + 12] = step.fundChange;
    v[o + 13] = step.healthBefore;
    v[o + 14] = step.healthAfter;
    v[o + 15] = step.mmBefore;
    v[o + 16] = step.mmAfter;
  }

  /** An ADL fill. */
  addFill(fill: AdlFill): void {
    if (!this.keepFills) {
      this.fillsCounted++;
      return;
    }
    this.fillAccounts.push(fill.account);
    this.fillFrom.push(fill.from);
    this.fillInstruments.push(fill.instrument);
    const o = this.fills.add(), v = this.fills.values;
    v[o] = fill.quantity;
    v[o + 1] = fill.price ?? Number.NaN; // null is kept as NaN
    v[o + 2] = fill.markPrice;
    v[o + 3] = fill.haircut;
    v[o + 4] = fill.rank;
  }

  /** Account rows held (since the last {@link drop}). */
  get accountCount(): number {
    return this.accountIds.length;
  }

  /** Step rows held (since the last {@link drop}). */
  get stepCount(): number {
    return this.steps.count;
  }

  /** ADL fills so far (kept or counted). */
  get fillCount(): number {
    return this.keepFills ? this.fills.count : this.fillsCounted;
  }

  /**
   * Starts an account's row: its id, its index in the layout liquidated, the snapshot before its first step, and a
   * coin-margined account's margin currency.
   */
  beginAccount(id: string, account: number, before: SnapshotFigures, marginCurrency?: string): void {
    if (marginCurrency !== undefined) this.currencies.set(this.accountIds.length, marginCurrency);
    this.accountIds.push(id);
    const at = this.accountRows.add(), v = this.accountRows.values;
    v[at + ACCOUNT_INDEX] = account;
    v[at + STATUS_BEFORE] = before.status;
    writeSnapshot(v, at + BEFORE, before);
  }

  /**
   * Ends the first account begun and not yet ended (accounts may be begun several at a time): where it ended (a note when it is not resolved: '' for none), the snapshot after its
   * steps, and its waterfall (the slippage, fees, fund, ADL and written-off amounts; equityBefore and equityAfter are
   * the snapshots').
   */
  endAccount(state: LiquidationState, note: string, after: SnapshotFigures, slippage: number, fees: number, fund: number, adl: number, writtenOff: number): void {
    // accounts end in the order they began: the first begun and not yet ended
    const v = this.accountRows.values, at = this.notes.length * ACCOUNT_STRIDE;
    this.notes.push(note);
    v[at + STATE] = STATES.indexOf(state);
    v[at + STATUS_AFTER] = after.status;
    writeSnapshot(v, at + AFTER, after);
    const w = at + WATERFALL;
    v[w] = slippage;
    v[w + 1] = fees;
    v[w + 2] = fund;
    v[w + 3] = adl;
    v[w + 4] = writtenOff;
    v[at + STEP_END] = this.steps.count;
  }

  /** The id of the account in row k (in the order accounts began). */
  accountId(k: number): string {
    return this.accountIds[k];
  }

  /** The layout index of the account in row k (of the layout the plan liquidated). */
  accountIndex(k: number): number {
    return this.accountRows.values[k * ACCOUNT_STRIDE + ACCOUNT_INDEX];
  }

  /**
   * Moves `fraction` of what every step closing `instrument` (positions signed `sign`) routed to ADL to its uncovered
   * route, valued as the queue values a step's uncovered part (step.ts `bankrupt`): each contract moved takes
   * |bankruptcy price − fill|·multiplier (the step's own prices, in layout coordinates: an inverse contract's −1/F, no
   * finite bankruptcy price 0) from its account's waterfall ADL to its written-off amount, in the account's margin
   * currency (`usdPerUnit[k]` USD per unit of account row k's), and leaves its fill's slippage to the market. The equity
   * after does not change: the account was paid at the bankruptcy price either way. `writtenOff[k]` gains what account
   * row k had written off; returns the run's totals to move: what became uncovered and the market's slippage (USD).
   */
  moveAdlToUncovered(s: { instrument: string; sign: number; fraction: number; multiplier: number; inverse: boolean }, usdPerUnit: Float64Array, writtenOff: Float64Array): { uncoveredUsd: number; slippageUsd: number } {
    const rows = this.accountRows.values, v = this.steps.values, m = s.multiplier;
    const layoutPrice = (quoted: number) => (!s.inverse ? quoted : Number.isNaN(quoted) ? 0 : inverseCoordinate(quoted));
    let from = 0, uncoveredUsd = 0, slippageUsd = 0;
    for (let k = 0; k < this.notes.length; k++) {
      const at = k * ACCOUNT_STRIDE, to = rows[at + STEP_END];
      for (let st = from; st < to; st++) {
        const o = st * STEP_STRIDE;
        if (v[o] !== 0 || this.stepIds[st] !== s.instrument || Math.sign(v[o + 1]) !== s.sign || v[o + 8] === 0) continue;
        const mark = layoutPrice(v[o + 2]), fill = layoutPrice(v[o + 3]), bankruptcy = layoutPrice(v[o + 4]);
        const moved = v[o + 8] * s.fraction, amount = Math.abs(moved) * Math.abs(m * (bankruptcy - fill));
        v[o + 8] -= moved;
        v[o + 9] += moved;
        rows[at + WATERFALL + 3] -= amount;
        rows[at + WATERFALL + 4] += amount;
        writtenOff[k] += amount;
        // a close that left no MM reads +∞ while ADL was to take it all: part written off, it left a deficit (−∞)
        if (amount > 0 && v[o + 16] === 0) v[o + 14] = -Infinity;
        uncoveredUsd += amount * usdPerUnit[k];
        slippageUsd += moved * m * (mark - fill) * usdPerUnit[k];
      }
      from = to;
    }
    return { uncoveredUsd, slippageUsd };
  }

  /** The amount written off account row k (USD, its waterfall's). */
  writtenOff(k: number): number {
    return this.accountRows.values[k * ACCOUNT_STRIDE + WATERFALL + 4];
  }

  /** Account row k ends `bankrupt` after all, with `note`. */
  markBankrupt(k: number, note: string): void {
    this.notes[k] = note;
    this.accountRows.values[k * ACCOUNT_STRIDE + STATE] = STATES.indexOf('bankrupt');
  }

  /** True when every account begun has ended (the rows held may be handed out and {@link drop}ped). */
  get allEnded(): boolean {
    return this.notes.length === this.accountIds.length;
  }

  /**
   * Drops the account and step rows held (every account begun has ended: {@link allEnded}), after a reader took them: a
   * plan written as it is made holds one chunk of rows at a time. The counts ({@link countState}, {@link countWithSteps})
   * keep the dropped rows'; row and step indices start again at 0; the ADL fills are kept.
   */
  drop(): void {
    if (!this.allEnded) throw new Error('internal: plan rows dropped while an account is being liquidated');
    for (let k = 0; k < STATES.length; k++) this.droppedStates[k] += this.countHeldState(k);
    this.droppedWithSteps += this.countHeldWithSteps();
    this.accountRows.count = 0;
    this.steps.count = 0;
    this.accountIds.length = 0;
    this.currencies.clear();
    this.notes.length = 0;
    this.stepIds.length = 0;
  }

  /** Accounts ended in `state` (the rows dropped included). */
  countState(state: LiquidationState): number {
    const code = STATES.indexOf(state);
    return this.droppedStates[code] + this.countHeldState(code);
  }

  /** Accounts with at least one step (the rows dropped included). */
  countWithSteps(): number {
    return this.droppedWithSteps + this.countHeldWithSteps();
  }

  private countHeldState(code: number): number {
    const v = this.accountRows.values, end = this.accountRows.count * ACCOUNT_STRIDE;
    let n = 0;
    for (let o = 0; o < end; o += ACCOUNT_STRIDE) if (v[o + STATE] === code) n++;
    return n;
  }

  private countHeldWithSteps(): number {
    const v = this.accountRows.values, last = this.accountRows.count * ACCOUNT_STRIDE;
    let n = 0, end = 0;
    for (let o = 0; o < last; o += ACCOUNT_STRIDE) {
      if (v[o + STEP_END] > end) n++;
      end = v[o + STEP_END];
    }
    return n;
  }

  /** The state account row k ended in. */
  stateOf(k: number): LiquidationState {
    return STATES[this.accountRows.values[k * ACCOUNT_STRIDE + STATE]];
  }

  /** One past the last step of account row k (its steps follow the previous row's: row 0's start at 0). */
  stepEnd(k: number): number {
    return this.accountRows.values[k * ACCOUNT_STRIDE + STEP_END];
  }

  /**
   * Step s's flow figures written into `out` (a scratch record, read before the next call): what a reader that walks
   * every step needs without the step's object (a stress cascade's flow, src/stress/cascade.ts); the same bits.
   */
  stepFlow(s: number, out: StepFlow): StepFlow {
    const o = s * STEP_STRIDE, v = this.steps.values;
    out.kind = KINDS[v[o]];
    out.id = this.stepIds[s];
    out.quantity = v[o + 1];
    out.fillPrice = v[o + 3];
    out.notional = v[o + 5];
    out.adl = v[o + 8];
    return out;
  }

  /**
   * The report's accounts, in the order they were liquidated (rows [first, last) of them: a writer's slice, so the
   * hundreds of thousands of accounts ADL took from are never objects all at once).
   */
  accountList(first = 0, last = this.accountIds.length): AccountLiquidation[] {
    const out = new Array<AccountLiquidation>(last - first);
    const v = this.accountRows.values;
    let from = first === 0 ? 0 : v[(first - 1) * ACCOUNT_STRIDE + STEP_END];
    for (let k = first; k < last; k++) {
      const at = k * ACCOUNT_STRIDE;
      const id = this.accountIds[k], state = STATES[v[at + STATE]], note = this.notes[k];
      const before = snapshotAt(v, at + BEFORE, STATUS[v[at + STATUS_BEFORE]]), after = snapshotAt(v, at + AFTER, STATUS[v[at + STATUS_AFTER]]);
      const to = v[at + STEP_END];
      const steps = this.stepList(from, to);
      from = to;
      const w = at + WATERFALL;
      const waterfall = { equityBefore: before.equity, slippage: v[w], fees: v[w + 1], insuranceFund: v[w + 2], adl: v[w + 3], writtenOff: v[w + 4], equityAfter: after.equity };
      // `note` sits between state and before, only when there is one and the account is not resolved; a coin
      // account's currency after its id
      const noted = note !== '' && state !== 'resolved', marginCurrency = this.currencies.get(k);
      if (marginCurrency === undefined) out[k - first] = noted ? { id, state, note, before, after, steps, waterfall } : { id, state, before, after, steps, waterfall };
      else out[k - first] = noted ? { id, marginCurrency, state, note, before, after, steps, waterfall } : { id, marginCurrency, state, before, after, steps, waterfall };
    }
    return out;
  }

  private stepList(from: number, to: number): LiquidationStep[] {
    const out = new Array<LiquidationStep>(to - from), v = this.steps.values;
    for (let k = from; k < to; k++) {
      const o = k * STEP_STRIDE;
      out[k - from] = {
        kind: KINDS[v[o]], id: this.stepIds[k], quantity: v[o + 1], markPrice: v[o + 2], fillPrice: v[o + 3], bankruptcyPrice: Number.isNaN(v[o + 4]) ? null : v[o + 4], notional: v[o + 5],
        routes: { market: v[o + 6], insuranceFund: v[o + 7], adl: v[o + 8], uncovered: v[o + 9] },
        feeToLiquidator: v[o + 10], feeToFund: v[o + 11], fundChange: v[o + 12], healthBefore: v[o + 13], healthAfter: v[o + 14], mmBefore: v[o + 15], mmAfter: v[o + 16],
      };
    }
    return out;
  }

  /** The report's ADL fills, in the order they happened (fills [from, to) of them: a writer's slice). */
  fillList(from = 0, to = this.fillCount): AdlFill[] {
    if (!this.keepFills && to > from) throw new Error('internal: the ADL fills of this plan were counted, not kept');
    const out = new Array<AdlFill>(to - from), v = this.fills.values;
    for (let k = from; k < to; k++) {
      const o = k * FILL_STRIDE;
      out[k - from] = { account: this.fillAccounts[k], from: this.fillFrom[k], instrument: this.fillInstruments[k], quantity: v[o], price: Number.isNaN(v[o + 1]) ? null : v[o + 1], markPrice: v[o + 2], haircut: v[o + 3], rank: v[o + 4] };
    }
    return out;
  }
}


function writeSnapshot(v: Float64Array, at: number, s: SnapshotFigures): void {
  v[at] = s.equity;
  v[at + 1] = s.equityMm;
  v[at + 2] = s.mm;
  v[at + 3] = s.equityIm;
  v[at + 4] = s.im;
  v[at + 5] = s.health;
}

function snapshotAt(v: Float64Array, at: number, status: Status): LiquidationSnapshot {
  return { status, equity: v[at], equityMm: v[at + 1], mm: v[at + 2], equityIm: v[at + 3], im: v[at + 4], health: v[at + 5] };
}
