/**
 * The report schema's parts no method owns: the report, its totals and subaccounts, and an account row without the
 * methods' breakdown parts, which src/schemas/generate.ts adds from the registry (`accounts[].<method>`).
 */
import { choice, figure, integer, list, nullable, number, record, ref, string, boolean, type JsonSchema } from '../model/schema-builder.js';
import { figureModel } from '../margin/figure-model.js';

const backend = choice(['wasm-simd', 'wasm-scalar', 'js']);
const status = ref('status');

export const REPORT_TOP: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://margin-core.dev/schemas/report.schema.json',
  title: 'margin-core margin report',
  ...record({
    method: string(),
    profile: record({ name: string(), version: string() }, [], 'The methodology profile (options.profile) that chose the method and its parameters; absent without one.'),
    valuationTime: string(),
    backend,
    accounts: list(ref('account')),
    totals: record({
      accounts: integer('[0, ∞)'),
      complete: boolean('true when no account is in status error: the sums cover the whole book'),
      covered: integer('[0, ∞)', 'the accounts the sums cover (not in status error)'),
      byStatus: record({ healthy: integer(), margin_call: integer(), liquidatable: integer(), bankrupt: integer(), error: integer() }),
      equity: figure,
      im: figure,
      mm: figure,
      grossNotional: figure,
      efficiency: figure,
    }, [], 'equity, im, mm and grossNotional are exact sums (rounded once: the same bits however the book is ordered or split) over the `covered` of `accounts` accounts not in status error; `complete` is false when some account is in error and the sums leave it out.'),
    subaccounts: ref('subaccounts'),
    warnings: list(ref('problem')),
    computedBy: list(
      record({ worker: string(), backend, shards: list(integer('[0, ∞)')) }),
      { description: 'A sharded run\'s workers: each one whose rows the report merged, its backend and its shards. Absent from a run in one process.' },
    ),
  }, ['profile', 'subaccounts', 'warnings', 'computedBy'], 'What engine.margin returns, as JSON (JSON.stringify of the report, or `margin-core margin --format json`). Money in USD. A number that is not finite is written null: health with no maintenance margin (unbounded; its sign is that of equityMm), efficiency with no initial margin (not applicable), and the figures of an account in status error.'),
};

// a group in status error has no figures (null), as an account row in error has none
const groupFigures = record({
  equity: figure,
  equityIm: figure,
  equityMm: figure,
  im: figure,
  mm: figure,
  health: figure,
  excessOverMm: figure,
  status,
}, [], 'A group\'s figures in USD; null when not finite: all of them when the status is error (a member in error, or a pool that could not be computed).');

/** Subschemas before the account row. */
export const REPORT_SHARED_DEFS: Readonly<Record<string, JsonSchema>> = {
  figure: nullable(number(undefined, 'null: not finite (see the report\'s description)')),
  problem: record({ path: string(), message: string() }),
  status: choice(['healthy', 'margin_call', 'liquidatable', 'bankrupt', 'error']),
  groupFigures,
  subaccounts: record({
    policy: choice(['independent', 'cross', 'backstop']),
    masters: list(record({
      id: string(),
      subaccounts: list(string()),
      method: string(),
      standalone: ref('groupFigures'),
      combined: ref('groupFigures'),
      imFreed: figure,
      imFreedShare: figure,
      backstop: record({
        freeUsd: number(),
        coveredUsd: number(),
        uncoveredUsd: number(),
        covers: list(record({ account: string(), usd: number() })),
      }),
    }, ['backstop'])),
    totals: record({
      masters: integer(),
      subaccounts: integer(),
      complete: boolean('true when the sums leave out no account'),
      covered: integer('[0, ∞)', 'the accounts the sums cover: not in status error, and in no group whose figures are in error'),
      standaloneIm: number(),
      im: number(),
      imFreed: number(),
      imFreedShare: number(),
      backstopUsd: number(),
    }, [], 'IM sums over the `covered` accounts (of the report\'s totals.accounts); `complete` is false when they leave some out.'),
  }, [], 'The master/subaccount roll-up (docs/subaccounts.md): per master, the group alone and under the policy, and the IM pooling freed (null when either is in error).'),
};

/**
 * An account row; the methods' parts are added to its properties. Its figures and its USD view's are the figure table's
 * (src/margin/figures.ts: each figure's schema, in row order; the view: its money figures), read when called.
 */
export function reportAccount(): JsonSchema {
  const model = figureModel();
  const money = new Set(model.money);
  return record({
    id: string(),
    status,
    statusReason: string(false, 'Which figure (or which isolated position) sets the status.'),
    error: string(),
    ...Object.fromEntries(model.schemas),
    marginCurrency: string(true, 'A coin-margined account: the asset every money figure of the row is in (its cash is collateralValue); absent: USD (docs/coin-margined.md).'),
    usd: record({
      price: number('(0, ∞)'),
      ...Object.fromEntries(model.schemas.filter(([name]) => money.has(name))),
    }, [], 'With marginCurrency: the row\'s money figures in USD, each times price (the asset\'s index price).'),
    cashUsd: number(),
    master: string(false, 'The account\'s master (it is a subaccount).'),
    method: string(false, 'The method that margined the account, when the book gives it its own.'),
    backstopUsd: number(undefined, 'Backstop policy: USD received from the master (negative on a master: paid out).'),
    liquidationPrice: record({ underlying: string(), below: nullable(number()), above: nullable(number()) }),
    positions: list(record({
      instrument: string(),
      quantity: number(),
      notional: figure,
      markToMarket: figure,
      im: figure,
      mm: figure,
      allocated: figure,
      status,
    }, ['allocated', 'status'])),
    collateral: list(record({ asset: string(), amount: number(), value: figure, imValue: figure, mmValue: figure })),
  }, ['statusReason', 'error', 'marginCurrency', 'usd', 'cashUsd', 'master', 'method', 'backstopUsd', 'liquidationPrice', 'positions', 'collateral']);
}
