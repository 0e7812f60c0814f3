/**
 * A live session's master/subaccount roll-up (`report.subaccounts`) from its layout's columns, with no book made: the
 * figures the policy layer gives on the book the layout holds (src/subaccounts/policy.ts marginWithPolicy over
 * src/live/live-rollup.ts bookNow), by the same operations in the same order, so the same bits:
 * - rows: the layout's accounts a report lists (live, or set aside by the run), in layout order, the book's order;
 * - groups: each master that is a row, in row order, with its subaccounts by id (groups.ts inMemberOrder); a
 *   subaccount whose master is not a row stands alone, as in bookNow;
 * - every row's figures copied from the run (figure-columns.ts), each group's standalone sums (group-figures.ts);
 * - under `cross`, each pool's figures from the session's pools (pool-trial.ts: the unions of the layout's holdings
 *   margined by the run, or the group as a book of its own where no union can be made);
 * - the totals (rollup.ts), named by the layout's ids.
 * A read is typed passes over the accounts and an object per group; the groups are made once (a live session adds no
 * account). What a book-based roll-up cost instead (the layout written out as book JSON and validated again: seconds
 * and about 1.5 GB at 1,000,000 accounts) is gone.
 */
import type { MarginReport } from '../margin/report.js';
import type { GroupFigures, SubaccountRollup } from '../margin/subaccount-rollup.js';
import type { PreparedRun } from '../session/prepared-run.js';
import { FigureColumns } from '../subaccounts/figure-columns.js';
import { sumFigures } from '../subaccounts/group-figures.js';
import { type GroupIds, groupIdsOf, inMemberOrder, type MasterGroup } from '../subaccounts/groups.js';
import { rollup } from '../subaccounts/rollup.js';
import type { RollupSource } from './live-rollup.js';
import type { PoolTrials } from './pool-trial.js';

/** The rows and groups of a layout, made once per layout shape (its account and row counts). */
interface RollupShape {
  accountCount: number;
  rowCount: number;
  /** Per layout account: its row, or −1. */
  rowOf: Int32Array;
  /** Masters in row order, each with its subaccounts by id (row indices). */
  groups: MasterGroup[];
  /** Per group: its master's layout index (the pools' key). */
  masterAccount: Int32Array;
  ids: GroupIds;
  /** Every row's method: the session's (a live session runs one). */
  methods: readonly string[];
}

export class LayoutRollup {
  private shape: RollupShape | null = null;
  private columns: FigureColumns | null = null;

  constructor(private readonly run: PreparedRun, private readonly source: RollupSource, private readonly pools: PoolTrials | undefined) {}

  /** The roll-up as the session stands; undefined when no master is a row (the report then has none, as engine.margin's). */
  rollup(): SubaccountRollup | undefined {
    const shape = this.shapeNow();
    if (shape.groups.length === 0) return undefined;
    const cols = this.columns !== null && this.columns.count === shape.rowCount ? this.columns : (this.columns = new FigureColumns(shape.rowCount));
    cols.take(this.run.context, null, this.source.runMethod, this.run.setAside);
    const standalone = new Array<GroupFigures>(shape.groups.length);
    for (let k = 0; k < shape.groups.length; k++) standalone[k] = sumFigures(cols, shape.groups[k]);
    let combined = standalone;
    if (this.source.policy === 'cross') {
      const pools = (this.pools as PoolTrials).figuresByMaster();
      combined = Array.from(shape.masterAccount, (a) => pools.get(a) as GroupFigures);
    }
    return rollup(shape.ids, shape.groups, shape.methods, this.source.policy, standalone, combined, undefined, cols);
  }

  /**
   * The live run's `report` completed as the policy layer completes engine.margin's: the rows of accounts naming their
   * method carry it (marginWithPolicy), then the roll-up.
   */
  complete(report: MarginReport): void {
    this.nameMethods(report);
    const subaccounts = this.rollup();
    if (subaccounts !== undefined) report.subaccounts = subaccounts;
  }

  private nameMethods(report: MarginReport): void {
    const own = this.source.accountMethods;
    if (own === undefined || !own.some((m) => m !== undefined)) return;
    const rowOf = this.shapeNow().rowOf, rows = report.accounts; // (reading them builds every row, as the policy layer does)
    for (let a = 0; a < rowOf.length; a++) if (own[a] !== undefined && rowOf[a] >= 0) rows[rowOf[a]].method = own[a];
  }

  private shapeNow(): RollupShape {
    const layout = this.run.context.layout, ids = layout.accountIds, live = layout.live.array, aside = this.run.setAside;
    let rowCount = 0;
    for (let a = 0; a < layout.accountCount; a++) if (ids[a] !== null && (live[a] !== 0 || aside?.has(a) === true)) rowCount++;
    const kept = this.shape;
    if (kept !== null && kept.accountCount === layout.accountCount && kept.rowCount === rowCount) return kept;
    return (this.shape = shapeOf(this.run, this.source.runMethod));
  }
}

function shapeOf(run: PreparedRun, runMethod: string): RollupShape {
  const layout = run.context.layout, ids = layout.accountIds, live = layout.live.array, aside = run.setAside, masters = run.accountMasters;
  // the report's rule for a row (build-report.ts), as figure-columns.ts takes them
  const rowOf = new Int32Array(layout.accountCount).fill(-1), rowIds: string[] = [];
  for (let a = 0; a < layout.accountCount; a++) {
    if (ids[a] === null || (live[a] === 0 && aside?.has(a) !== true)) continue;
    rowOf[a] = rowIds.length;
    rowIds.push(ids[a] as string);
  }
  const subaccountsOf = new Map<number, number[]>(); // by the master's row
  for (let a = 0; a < layout.accountCount; a++) {
    const master = masters?.[a];
    if (master === undefined || rowOf[a] < 0) continue;
    const m = layout.accountIndex(master);
    if (m < 0 || rowOf[m] < 0) continue; // a master not in the book: the account stands alone (bookNow)
    let list = subaccountsOf.get(rowOf[m]);
    if (!list) subaccountsOf.set(rowOf[m], (list = []));
    list.push(rowOf[a]);
  }
  const groups: MasterGroup[] = [...subaccountsOf.keys()].sort((x, y) => x - y).map((master) => ({ master, subaccounts: inMemberOrder(subaccountsOf.get(master)!, rowIds) }));
  const accountOfRow = new Int32Array(rowIds.length);
  for (let a = 0; a < rowOf.length; a++) if (rowOf[a] >= 0) accountOfRow[rowOf[a]] = a;
  return {
    accountCount: layout.accountCount,
    rowCount: rowIds.length,
    rowOf,
    groups,
    masterAccount: Int32Array.from(groups, (g) => accountOfRow[g.master]),
    ids: groupIdsOf(groups, rowIds),
    methods: new Array<string>(rowIds.length).fill(runMethod),
  };
}
