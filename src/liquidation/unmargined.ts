/**
 * The live accounts a liquidation run could not margin (status error: a plug-in's requirement out of its domain, a
 * figure not finite), before the plan (left out of it) or after one of its closes (its figures then none): named in
 * the plan's warnings instead of passed over in silence.
 */
import type { InputProblem } from '../errors.js';

/** How many ids the warning names. */
const NAMED = 5;

export class Unmargined {
  private count = 0;
  private readonly ids: string[] = [];

  note(id: string): void {
    if (this.count++ < NAMED) this.ids.push(id);
  }

  get any(): boolean {
    return this.count > 0;
  }

  /** `warnings` and, when the run left accounts out, the warning naming them. */
  withWarning(warnings: readonly InputProblem[]): readonly InputProblem[] {
    if (this.count === 0) return warnings;
    return [...warnings, this.warning('', () => ', before the plan or after a close (its figures then none)')];
  }

  /**
   * The warning naming them: `N accounts could not be margined<under> (status error: …)<after(one)>: "a", "b", and M
   * more` (a liquidation plan's, a stress run's).
   */
  warning(under: string, after: (one: boolean) => string): InputProblem {
    const { count, ids } = this, one = count === 1;
    const named = ids.map((id) => JSON.stringify(id)).join(', ') + (count > ids.length ? `, and ${(count - ids.length).toLocaleString('en-US')} more` : '');
    return { path: 'accounts', message: `${count.toLocaleString('en-US')} account${one ? '' : 's'} could not be margined${under} (status error: the margin report says why)${after(one)}: ${named}` };
  }
}
