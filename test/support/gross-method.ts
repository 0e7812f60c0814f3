import type { MarginMethodPlugin } from '../../src/plugin.js';

/**
 * A toy plug-in method with no live hooks and no what-if fast path: IM = 10% and MM = 5% of gross notional. Callers
 * get the session's defaults for what it lacks (prepare again on a tick, apply-remargin-undo for what-ifs).
 */
export const grossMethod: MarginMethodPlugin<null> = {
  name: 'gross', description: 'toy', section: null, validateParams: () => null,
  prepare(ctx) {
    const require = (first: number, last: number) => {
      for (let a = first; a < last; a++) {
        ctx.out.im.array[a] = 0.1 * ctx.out.gross.array[a];
        ctx.out.mm.array[a] = 0.05 * ctx.out.gross.array[a];
      }
      ctx.restatus(first, last);
    };
    return {
      run: () => { ctx.ruleBased(0); require(0, ctx.layout.accountCount); },
      remargin: (a) => { ctx.ruleBased(0, { first: a, last: a + 1 }); require(a, a + 1); },
      errorOf: () => undefined, explain: () => {}, release: () => {},
    };
  },
};
