/**
 * Warnings: what validation let through or changed on request (unknown fields under the lenient
 * option, a correlation matrix that is not PSD, or its repair), carried into every result computed
 * from those inputs so that they cannot go unnoticed.
 */
import type { InputProblem } from '../errors.js';

/**
 * `result` with `warnings` added when there are any (each once, in order). Without warnings the result
 * is left as it is, so reports of clean input do not change by a byte.
 */
export function withWarnings<T extends object>(result: T, warnings: readonly InputProblem[]): T & { warnings?: InputProblem[] | undefined } {
  if (warnings.length === 0) return result;
  const seen = new Set<string>();
  const unique: InputProblem[] = [];
  for (const w of warnings) {
    const key = `${w.path}\n${w.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push({ path: w.path, message: w.message });
  }
  return Object.assign(result, { warnings: unique });
}
