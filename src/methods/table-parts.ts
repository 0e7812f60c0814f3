/**
 * Checks on an instrument table given in parts (src/methods/method.ts InstrumentTable), shared by the methods that
 * have one: a worker must never run on a table with a row missing or given twice.
 */
import type { TablePart } from './method.js';

/** Parts that cover rows [0, rows) once each, `width` f64 per row; else a RangeError (a coordinator's bug, not input). */
export function checkParts(parts: readonly TablePart[], rows: number, width: number): void {
  const sorted = [...parts].sort((a, b) => a.from - b.from);
  let next = 0;
  for (const part of sorted) {
    if (part.from !== next || part.to < part.from || part.data.length !== (part.to - part.from) * width) {
      throw new RangeError(`instrument table parts do not cover rows 0…${rows - 1} of ${width} once each (part ${part.from}…${part.to - 1}, ${part.data.length} values)`);
    }
    next = part.to;
  }
  if (next !== rows) throw new RangeError(`instrument table parts end at row ${next}, not ${rows}`);
}
