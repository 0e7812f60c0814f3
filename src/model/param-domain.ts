/**
 * The domain's bound on every number of a params file (src/model/domain.ts `DOMAIN.param`): |x| ≤ 1e15 and, unless
 * 0, |x| ≥ 1e-12, whatever section it sits in (every method's, liquidation, stress, dynamic, …) and besides the
 * field's own bounds, which its section's validator checks. Non-finite numbers are left to those validators (an
 * unbounded bracket's `upTo: Infinity` is valid). The walk is iterative: a params object nested thousands deep is
 * an input like any other, not a stack overflow.
 */
import type { ProblemList } from '../errors.js';
import { keyPath } from './checks.js';
import { DOMAIN, domainProblem, PARAM_FLOOR_EXEMPT } from './domain.js';

/** One node of the walk: its value and how to name it (the parent's entry and the key). */
interface Node {
  value: unknown;
  parent: Node | null;
  key: string | number;
}

function pathOf(node: Node, base: string): string {
  const keys: (string | number)[] = [];
  for (let n: Node | null = node; n !== null && n.parent !== null; n = n.parent) keys.push(n.key);
  let path = base;
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i];
    path = typeof key === 'number' ? `${path}[${key}]` : keyPath(path, key);
  }
  return path;
}

/**
 * Adds a problem for every finite number of `json` outside the params bound; paths start at `base`. Run after the
 * sections' own validators: a number they refused already is not refused twice.
 */
export function checkParamMagnitudes(json: unknown, problems: ProblemList, base = 'params'): void {
  const stack: Node[] = [{ value: json, parent: null, key: '' }];
  const seen = new Set<object>(); // an object given twice (or in a cycle, through the API) is walked once
  while (stack.length > 0 && !problems.full) {
    const node = stack.pop() as Node;
    const value = node.value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || value === 0) continue;
      const magnitude = Math.abs(value);
      if (magnitude >= DOMAIN.param.min && magnitude <= DOMAIN.param.max) continue;
      const path = pathOf(node, base);
      if (magnitude < DOMAIN.param.min && PARAM_FLOOR_EXEMPT.some((re) => re.test(path))) continue;
      if (problems.hasPath(path)) continue; // its field's own bound said it (`above 10000`): one cause, said once
      problems.add(path, domainProblem(DOMAIN.param, value) as string);
    } else if (typeof value !== 'object' || value === null || seen.has(value)) {
      continue;
    } else if (Array.isArray(value)) {
      seen.add(value);
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: node, key: i });
    } else if (!ArrayBuffer.isView(value)) {
      seen.add(value);
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (value as Record<string, unknown>)[keys[i]], parent: node, key: keys[i] });
    }
  }
}
