/**
 * The domain of a layout's options (`engine.openBook(book, layout)`): spare slots are whole numbers, the headroom a
 * fraction, each bounded so the arena it asks for fits in memory. A negative slack was laid out and margined wrong
 * (28 of 30 accounts on a sample, on both backends), and a negative headroom made the WASM kernel read out of bounds.
 */
import { describeValue, InputError, type InputProblem } from '../errors.js';
import { isRecord } from '../model/checks.js';
import { optionProblems, type OptionKinds } from '../model/options-check.js';
import type { LayoutOptions } from './book-layout.js';

/** Most spare slots per account (each costs its columns' bytes on every account of the book). */
export const MAX_SLACK = 1_000;
/** Most headroom, as a fraction of the laid-out slots. */
export const MAX_HEADROOM = 16;

const LAYOUT_OPTION_KINDS: OptionKinds<LayoutOptions> = { positionSlack: 'any', collateralSlack: 'any', headroom: 'any', assets: 'any' };

/** `layout` when it is in its domain; else one InputError with every problem at its path (`layout.positionSlack`). */
export function checkLayoutOptions(layout: unknown, path = 'layout'): LayoutOptions {
  const problems: InputProblem[] = optionProblems(layout, LAYOUT_OPTION_KINDS, path);
  if (layout === undefined) return {};
  if (!isRecord(layout)) throw new InputError(problems);
  const o = layout;
  for (const key of ['positionSlack', 'collateralSlack'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_SLACK)) {
      problems.push({ path: `${path}.${key}`, message: `expected a whole number of slots from 0 to ${MAX_SLACK.toLocaleString('en-US')}, got ${describeValue(v)}` });
    }
  }
  const headroom = o.headroom;
  if (headroom !== undefined && !(typeof headroom === 'number' && headroom >= 0 && headroom <= MAX_HEADROOM)) {
    problems.push({ path: `${path}.headroom`, message: `expected a fraction of the laid-out slots from 0 to ${MAX_HEADROOM}, got ${describeValue(headroom)}` });
  }
  const assets = o.assets;
  if (assets !== undefined && !(Array.isArray(assets) && assets.every((a) => typeof a === 'string'))) {
    problems.push({ path: `${path}.assets`, message: `expected an array of asset symbols, got ${describeValue(assets)}` });
  }
  if (problems.length > 0) throw new InputError(problems);
  return layout as LayoutOptions;
}
