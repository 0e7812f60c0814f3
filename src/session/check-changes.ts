/**
 * A prepared run's what-if changes (src/margin/account-changes.ts) checked as a JavaScript caller may give them: by
 * layout index (`layout.instruments.indexById`, `layout.assetIndex`), not by id as a live session's whatIf takes them.
 * Refused at `changes[k].<field>`: an id given for an index had been read as row 0, and a row out of range as NaN.
 */
import { describeValue, InputError, type InputProblem } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { AccountChange } from '../margin/account-changes.js';

/** Throws an InputError naming every change of `changes` that is not a fill, transfer or cash change on `layout`'s rows. */
export function checkChanges(changes: unknown, layout: BookLayout): asserts changes is readonly AccountChange[] {
  if (!Array.isArray(changes)) {
    throw new InputError([{ path: 'changes', message: `expected an array of changes ({ instrument, quantity, price }, { asset, amount }, { cashUsd }), got ${describeValue(changes)}` }]);
  }
  const problems: InputProblem[] = [];
  changes.forEach((change: unknown, k) => {
    const at = `changes[${k}]`, c = change as Record<string, unknown> | null;
    const finite = (field: string) => {
      if (typeof c![field] !== 'number' || !Number.isFinite(c![field])) problems.push({ path: `${at}.${field}`, message: `expected a finite number, got ${describeValue(c![field])}` });
    };
    const row = (field: string, count: number, by: string) => {
      const v = c![field];
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < count) return;
      const id = typeof v === 'string' ? ` (an id: a prepared run takes the row, ${by}(${JSON.stringify(v)}); a live session's whatIf takes ids)` : '';
      problems.push({ path: `${at}.${field}`, message: `expected a layout row from 0 to ${count - 1}, got ${describeValue(v)}${id}` });
    };
    if (typeof c !== 'object' || c === null || Array.isArray(c)) problems.push({ path: at, message: `expected a change object, got ${describeValue(change)}` });
    else if ('instrument' in c) {
      row('instrument', layout.instruments.count, 'layout.instruments.indexById.get');
      finite('quantity');
      finite('price');
    } else if ('asset' in c) {
      row('asset', layout.assets.length, 'layout.assetIndex');
      finite('amount');
    } else if ('cashUsd' in c) finite('cashUsd');
    else problems.push({ path: at, message: 'expected { instrument, quantity, price }, { asset, amount } or { cashUsd }' });
  });
  if (problems.length > 0) throw new InputError(problems);
}
