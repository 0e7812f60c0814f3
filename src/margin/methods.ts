import type { MarginMethod } from './report.js';

/** The margin methods this build implements, in the order reports and the CLI list them. */
export const MARGIN_METHODS: readonly MarginMethod[] = ['isolated', 'cross', 'portfolio', 'var'];

export function isMarginMethod(x: unknown): x is MarginMethod {
  return (MARGIN_METHODS as readonly unknown[]).includes(x);
}

/** For error messages: `isolated, cross or portfolio`. */
export function methodList(conjunction = 'or'): string {
  const m = MARGIN_METHODS;
  return m.length === 1 ? m[0] : `${m.slice(0, -1).join(', ')} ${conjunction} ${m[m.length - 1]}`;
}
