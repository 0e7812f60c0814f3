/**
 * A liquidation plan as columns while it is made: per liquidated account, per step and per ADL fill, the numbers in one
 * growable Float64Array each (a fixed number of values per row) and the strings in plain arrays. A plan of the
 * generated 10^5-account book has ~6·10^3 accounts, ~2·10^4 steps and ~2·10^4 fills: as report objects, each with a
 * boxed number per field, they were ~7·10^5 allocations that all survive the call, a seventh of the plan's time in
 * allocation and garbage collection. The report's objects are built from these columns when `report.accounts` or
 * `report.adl` is first read (lazy-report.ts): the same keys in the same order and the same bits (a Float64Array holds
 * a double exactly, −0 included), so a reader sees what an eagerly built report held.
 *
 * The columns hold copies (the ids as strings): the report outlives the session and its layout.
 */
import { STATUS, type Status } from '../margin/status.js';
import type { AccountLiquidation, AdlFill, LiquidationSnapshot, LiquidationState, LiquidationStep } from './report.js';

/** Rows of `stride` numbers in one buffer, doubled when full. */
class NumberRows {
  count = 0;
  values: Float64Array;

  constructor(readonly stride: number, capacity: number) {
    this.values = new Float64Array(stride * Math.max(capacity, 1));
  }

  /** Makes room for one more row; returns the offset of its first value. */
  add(): number {
    const at = this.count * this.stride;
    if (at + this.stride > this.values.length) {
      const grown = new Float64Array(2 * this.values.length);
      grown.set(this.values);
      this.values = grown;
    }
    this.count++;
    return at;
  }
}

/** The figures of a snapshot after its status: equity, equityMm, mm, equityIm, im, health (LiquidationSnapshot's order). */
const SNAPSHOT = 6;
/** Account row: before (6), after (6), waterfall (7: equityBefore … equityAfter). */
const BEFORE = 0, AFTER = SNAPSHOT, WATERFALL = 2 * SNAPSHOT, ACCOUNT_STRIDE = 2 * SNAPSHOT + 7;
/**
 * Step row: quantity, markPrice, fillPrice, bankruptcyPrice, notional, routes (market, insuranceFund, adl, uncovered),
 * feeToLiquidator, feeToFund, fundChange, healthBefore, healthAfter, mmBefore, mmAfter.
 */
export const STEP_STRIDE = 16;
/** Fill row: quantity, price, markPrice, haircut, rank. */
export const FILL_STRIDE = 5;

const STATES: readonly LiquidationState[] = ['resolved', 'being_liquidated', 'bankrupt'];
const KINDS: readonly LiquidationStep['kind'][] = ['position', 'collateral'];

/** An account's figures at one moment, as the snapshot lists them. */
export interface SnapshotFigures {
  status: number;
  equity: number;
  equityMm: number;
  mm: number;
  equityIm: number;
  im: number;
  health: number;
}

export class PlanColumns {
  // accounts: id, state, note ('' for none), snapshot statuses, figures, and where each one's steps end
  private readonly accountIds: string[] = [];
  private readonly notes: string[] = [];
  private state = new Uint8Array(64);
  private statusBefore = new Uint8Array(64);
  private statusAfter = new Uint8Array(64);
  private stepEnd = new Int32Array(64);
  private readonly accountRows: NumberRows;
  // steps: kind, id and numbers
  private readonly stepIds: string[] = [];
  private stepKind = new Uint8Array(64);
  private readonly steps: NumberRows;
  // fills: account, from, instrument and numbers
  private readonly fillAccounts: string[] = [];
  private readonly fillFrom: string[] = [];
  private readonly fillInstruments: string[] = [];
  private readonly fills: NumberRows;

  constructor(accounts: number) {
    this.accountRows = new NumberRows(ACCOUNT_STRIDE, accounts);
    this.steps = new NumberRows(STEP_STRIDE, 4 * accounts);
    this.fills = new NumberRows(FILL_STRIDE, 4 * accounts);
  }

  get accountCount(): number {
    return this.accountIds.length;
  }

  get stepCount(): number {
    return this.steps.count;
  }

  /** Starts an account's row: its id and the snapshot before its first step. */
  beginAccount(id: string, before: SnapshotFigures): void {
    const k = this.accountIds.length;
    this.accountIds.push(id);
    if (k === this.state.length) {
      this.state = grownBytes(this.state);
      this.statusBefore = grownBytes(this.statusBefore);
      this.statusAfter = grownBytes(this.statusAfter);
      this.stepEnd = grownInts(this.stepEnd);
    }
    const at = this.accountRows.add();
    this.statusBefore[k] = before.status;
    writeSnapshot(this.accountRows.values, at + BEFORE, before);
  }

  /**
   * Ends the current account: where it ended (a note when it is not resolved: '' for none), the snapshot after its
   * steps, and its waterfall (the slippage, fees, fund, ADL and written-off amounts; equityBefore and equityAfter are
   * the snapshots').
   */
  endAccount(state: LiquidationState, note: string, after: SnapshotFigures, slippage: number, fees: number, fund: number, adl: number, writtenOff: number): void {
    const k = this.accountIds.length - 1, v = this.accountRows.values, at = k * ACCOUNT_STRIDE;
    this.state[k] = STATES.indexOf(state);
    this.notes.push(note);
    this.statusAfter[k] = after.status;
    writeSnapshot(v, at + AFTER, after);
    const w = at + WATERFALL;
    v[w] = v[at + BEFORE]; // equityBefore: the snapshot's equity
    v[w + 1] = slippage;
    v[w + 2] = fees;
    v[w + 3] = fund;
    v[w + 4] = adl;
    v[w + 5] = writtenOff;
    v[w + 6] = after.equity;
    this.stepEnd[k] = this.steps.count;
  }

  /** A step of the current account: returns the offset of its STEP_STRIDE numbers (the caller writes them all). */
  addStep(kind: LiquidationStep['kind'], id: string): number {
    const k = this.steps.count;
    if (k === this.stepKind.length) this.stepKind = grownBytes(this.stepKind);
    this.stepKind[k] = kind === 'position' ? 0 : 1;
    this.stepIds.push(id);
    return this.steps.add();
  }

  /** The buffer addStep's offsets point into (it moves when it grows: read it after addStep). */
  get stepValues(): Float64Array {
    return this.steps.values;
  }

  /** An ADL fill (AdlFill's fields, in its order). */
  addFill(account: string, from: string, instrument: string, quantity: number, price: number, markPrice: number, haircut: number, rank: number): void {
    this.fillAccounts.push(account);
    this.fillFrom.push(from);
    this.fillInstruments.push(instrument);
    const at = this.fills.add(), v = this.fills.values;
    v[at] = quantity;
    v[at + 1] = price;
    v[at + 2] = markPrice;
    v[at + 3] = haircut;
    v[at + 4] = rank;
  }

  /** Accounts ended in `state`, and those with at least one step. */
  countState(state: LiquidationState): number {
    const code = STATES.indexOf(state);
    let n = 0;
    for (let k = 0; k < this.accountIds.length; k++) if (this.state[k] === code) n++;
    return n;
  }

  countWithSteps(): number {
    let n = 0;
    for (let k = 0; k < this.accountIds.length; k++) if (this.stepEnd[k] > (k === 0 ? 0 : this.stepEnd[k - 1])) n++;
    return n;
  }

  /** The report's accounts, in the order they were liquidated. */
  accountList(): AccountLiquidation[] {
    const out = new Array<AccountLiquidation>(this.accountIds.length);
    const v = this.accountRows.values;
    for (let k = 0; k < out.length; k++) {
      const at = k * ACCOUNT_STRIDE;
      const id = this.accountIds[k], state = STATES[this.state[k]], note = this.notes[k];
      const before = snapshotAt(v, at + BEFORE, STATUS[this.statusBefore[k]]), after = snapshotAt(v, at + AFTER, STATUS[this.statusAfter[k]]);
      const steps = this.stepList(k === 0 ? 0 : this.stepEnd[k - 1], this.stepEnd[k]);
      const w = at + WATERFALL;
      const waterfall = { equityBefore: v[w], slippage: v[w + 1], fees: v[w + 2], insuranceFund: v[w + 3], adl: v[w + 4], writtenOff: v[w + 5], equityAfter: v[w + 6] };
      // `note` sits between state and before, only when there is one and the account is not resolved
      out[k] = note !== '' && state !== 'resolved' ? { id, state, note, before, after, steps, waterfall } : { id, state, before, after, steps, waterfall };
    }
    return out;
  }

  private stepList(from: number, to: number): LiquidationStep[] {
    const out = new Array<LiquidationStep>(to - from), v = this.steps.values;
    for (let k = from; k < to; k++) {
      const o = k * STEP_STRIDE;
      out[k - from] = {
        kind: KINDS[this.stepKind[k]], id: this.stepIds[k], quantity: v[o], markPrice: v[o + 1], fillPrice: v[o + 2], bankruptcyPrice: v[o + 3], notional: v[o + 4],
        routes: { market: v[o + 5], insuranceFund: v[o + 6], adl: v[o + 7], uncovered: v[o + 8] },
        feeToLiquidator: v[o + 9], feeToFund: v[o + 10], fundChange: v[o + 11], healthBefore: v[o + 12], healthAfter: v[o + 13], mmBefore: v[o + 14], mmAfter: v[o + 15],
      };
    }
    return out;
  }

  /** The report's ADL fills, in the order they happened. */
  fillList(): AdlFill[] {
    const n = this.fills.count, out = new Array<AdlFill>(n), v = this.fills.values;
    for (let k = 0; k < n; k++) {
      const o = k * FILL_STRIDE;
      out[k] = { account: this.fillAccounts[k], from: this.fillFrom[k], instrument: this.fillInstruments[k], quantity: v[o], price: v[o + 1], markPrice: v[o + 2], haircut: v[o + 3], rank: v[o + 4] };
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

function grownBytes(from: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const to = new Uint8Array(2 * from.length);
  to.set(from);
  return to;
}

function grownInts(from: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const to = new Int32Array(2 * from.length);
  to.set(from);
  return to;
}
