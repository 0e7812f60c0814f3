/**
 * The options of one method's run over a book whose accounts have methods of their own (policy.ts marginByMethods):
 * each distinct method margins the whole book and keeps the rows of its own accounts. A method that allocates
 * collateral to positions (isolated) cannot value collateral by location, so its run is refused only for a located
 * balance of an account it margins; another account's (its row kept from another run) does not concern it.
 */
import { InputError } from '../errors.js';
import { LOCATED_ROWS_KEPT_ELSEWHERE, type MarginOptions } from '../margin/options.js';
import type { MethodRegistry } from '../methods/registry.js';
import { isRecord } from '../model/checks.js';
import { locatedUnderAllocatingMethod } from '../locations/adjust.js';
import type { ValidatedBook } from '../model/types.js';

export function methodRunOptions(book: ValidatedBook, methods: readonly string[], method: string, options: MarginOptions, registry: MethodRegistry): MarginOptions {
  const own = { ...options, method };
  const params = options.params;
  if (registry.get(method)?.allocatesCollateral !== true || !isRecord(params) || params.locations === undefined) return own;
  for (let i = 0; i < book.accounts.length; i++) {
    if (methods[i] !== method) continue;
    const j = (book.accounts[i].collateral ?? []).findIndex((b) => b.location !== undefined || (b.locationShares?.length ?? 0) > 0);
    if (j >= 0) {
      throw new InputError([{ path: `accounts[${i}].collateral[${j}].location`, message: locatedUnderAllocatingMethod(method) }]);
    }
  }
  return { ...own, [LOCATED_ROWS_KEPT_ELSEWHERE]: true } as MarginOptions;
}
