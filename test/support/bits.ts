/**
 * Bit-for-bit comparison of two results (reports, rows): numbers by Object.is on their bits (−0 ≠ +0, NaN = NaN,
 * typed arrays element by element), objects key by key in order. Returns the path of the first difference, or null.
 */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' && typeof b === 'number') return sameBits(a, b) ? null : `${path}: ${a} ≠ ${b}`;
  if (typeof a !== typeof b) return `${path}: ${typeof a} ≠ ${typeof b}`;
  if (a === null || b === null || typeof a !== 'object') return a === b ? null : `${path}: ${String(a)} ≠ ${String(b)}`;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>, y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return `${path}.length: ${x.length} ≠ ${y.length}`;
    for (let i = 0; i < x.length; i++) if (!sameBits(x[i], y[i])) return `${path}[${i}]: ${x[i]} ≠ ${y[i]}`;
    return null;
  }
  if (a instanceof Map && b instanceof Map) return firstDifference([...a], [...b], path);
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array ≠ object`;
  const ka = Object.keys(a), kb = Object.keys(b as object);
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys [${ka.join(',')}] ≠ [${kb.join(',')}]`;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

const f = new Float64Array(2);
const u = new BigUint64Array(f.buffer);

/** Same IEEE-754 bits (any NaN equals any NaN: JS does not keep NaN payloads across operations). */
function sameBits(x: number, y: number): boolean {
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  f[0] = x;
  f[1] = y;
  return u[0] === u[1];
}

/**
 * A sharded report without `computedBy` (the workers that computed it, which a run in one process does not have), for
 * comparing its figures with the single-process report's. Changes `report` in place and returns it.
 */
export function withoutWorkers<T>(report: T): T {
  if (report !== null && typeof report === 'object' && 'computedBy' in report) delete (report as { computedBy?: unknown }).computedBy;
  return report;
}
