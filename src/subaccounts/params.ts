/**
 * The `subaccounts` params section: how a master and its subaccounts are margined together.
 *
 * - `independent` (default): every account alone, exactly as without masters.
 * - `cross`: one pool per master: the master's method applied to the union of the positions, balances and cash
 *   of the master and its subaccounts (netted per instrument, balances summed per asset).
 * - `backstop`: every account alone, but a subaccount's shortfall below MM is covered by the master's free
 *   collateral (its equity for IM above its IM) before the subaccount is liquidated.
 */
import { describeValue, ProblemList, type ProblemListOptions } from '../errors.js';
import { checkFields, countDefined, isRecord, knownFields } from '../model/checks.js';
import type { ValidatedBook } from '../model/types.js';
import { hasSubaccountFields } from './groups.js';

import { SUBACCOUNT_POLICIES, type SubaccountPolicy } from '../margin/subaccount-rollup.js';

export { SUBACCOUNT_POLICIES, type SubaccountPolicy };

export interface SubaccountParams {
  readonly policy: SubaccountPolicy;
}

export const DEFAULT_SUBACCOUNT_PARAMS: SubaccountParams = { policy: 'independent' };

const FIELDS = knownFields('policy');
const PATH = 'params.subaccounts';

export function validateSubaccountParams(json: unknown, options: ProblemListOptions = {}): SubaccountParams {
  const problems = new ProblemList(options);
  const out = checkSubaccountParams(json, problems);
  problems.throwIfAny();
  return out;
}

/** As {@link validateSubaccountParams}, adding problems (and lenient warnings) to `problems`. */
export function checkSubaccountParams(json: unknown, problems: ProblemList): SubaccountParams {
  if (json === undefined) return DEFAULT_SUBACCOUNT_PARAMS;
  if (!isRecord(json)) {
    problems.add(PATH, `expected an object, got ${describeValue(json)}`);
    return DEFAULT_SUBACCOUNT_PARAMS;
  }
  checkFields(json, FIELDS, countDefined(json, FIELDS.names), PATH, problems);
  if (json.policy === undefined) return DEFAULT_SUBACCOUNT_PARAMS;
  if (SUBACCOUNT_POLICIES.includes(json.policy as SubaccountPolicy)) return { policy: json.policy as SubaccountPolicy };
  problems.add(`${PATH}.policy`, `expected "independent", "cross" or "backstop", got ${describeValue(json.policy)}`);
  return DEFAULT_SUBACCOUNT_PARAMS;
}

/**
 * The policy `params` (JSON) choose for `book`, or null when the book has neither masters nor accounts with their own
 * method (the plain run serves it). A bad `subaccounts` section reads as the default policy here: every run checks its
 * params whole (src/session/session.ts ENGINE_SECTIONS), so it is refused there with every other problem of the file,
 * not alone before them.
 */
export function subaccountPolicyOf(book: ValidatedBook, params: unknown, lenient = false): SubaccountPolicy | null {
  if (!hasSubaccountFields(book)) return null;
  return checkSubaccountParams(sectionOf(params), new ProblemList({ lenient })).policy;
}

/** True when `params` (JSON) has no `subaccounts` section or one that reads: {@link subaccountPolicyOf} is then its policy, not the default it falls back to. */
export function subaccountSectionReads(params: unknown): boolean {
  const problems = new ProblemList();
  checkSubaccountParams(sectionOf(params), problems);
  return problems.size === 0;
}

/** The `subaccounts` section of a params file (JSON), or undefined. */
function sectionOf(params: unknown): unknown {
  return isRecord(params) && Object.hasOwn(params, 'subaccounts') ? params.subaccounts : undefined;
}
