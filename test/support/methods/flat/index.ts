/**
 * A margin method the library does not ship, in one folder: IM = k × gross notional, MM = IM / 2, its own params
 * section (`params.flat`: k, baseVolAnnual), its schema fragment (schema.ts), its report-row part (`row.flat`) and a
 * dynamic-margin hook (k follows the forecast: × max(1, max over assets of σ̂ₐ·mₐ / baseVolAnnual), at most 1).
 * Plugged in by one line: `createEngine({ methods: [...BUILT_IN_METHODS, flatMethod] })`. docs/adding-a-method.md walks
 * through it.
 */
import type { MarginMethodPlugin } from 'margin-core/plugin';
import { flatSchema } from './schema.js';

export interface FlatParams {
  /** IM per USD of gross notional, in (0, 1]. */
  k: number;
  /** The annualised vol k was set for, in (0, 10]. */
  baseVolAnnual: number;
}

declare module 'margin-core/plugin' {
  interface MarginMethods {
    /** Test-only: IM = k × gross notional, MM = IM / 2 (test/support/methods/flat/). */
    flat: FlatParams;
  }
}
declare module 'margin-core' {
  interface AccountMargin {
    flat?: { k: number; grossNotional: number };
  }
}

const DEFAULTS: FlatParams = { k: 0.1, baseVolAnnual: 0.5 };
const BOUNDS: Record<keyof FlatParams, number> = { k: 1, baseVolAnnual: 10 };

export const flatMethod: MarginMethodPlugin<FlatParams> = {
  name: 'flat',
  description: 'test-only: IM = k × gross notional, MM = IM / 2',
  section: 'flat',
  schema: flatSchema,
  validateParams(section, problems) {
    const out = { ...DEFAULTS };
    if (section === undefined) return out;
    if (typeof section !== 'object' || section === null || Array.isArray(section)) {
      problems.add('params.flat', `expected an object { k, baseVolAnnual }, got ${JSON.stringify(section)}`);
      return out;
    }
    for (const [key, value] of Object.entries(section)) {
      if (!Object.hasOwn(DEFAULTS, key)) problems.addUnknown(`params.flat.${key}`, 'unknown field');
      else if (typeof value !== 'number' || !(value > 0 && value <= BOUNDS[key as keyof FlatParams])) problems.add(`params.flat.${key}`, `expected a number in (0, ${BOUNDS[key as keyof FlatParams]}], got ${JSON.stringify(value)}`);
      else out[key as keyof FlatParams] = value;
    }
    return out;
  },
  prepare(ctx, params) {
    // the rule-based kernel wrote equity and gross notional; the method overwrites IM and MM and re-derives the status
    const require = (first: number, last: number) => {
      const gross = ctx.out.gross.array, im = ctx.out.im.array, mm = ctx.out.mm.array;
      for (let a = first; a < last; a++) {
        im[a] = params.k * gross[a];
        mm[a] = im[a] / 2;
      }
      ctx.restatus(first, last);
    };
    return {
      run() {
        ctx.ruleBased(0);
        require(0, ctx.layout.accountCount);
      },
      remargin(a) {
        ctx.ruleBased(0, { first: a, last: a + 1 });
        require(a, a + 1);
      },
      errorOf: () => undefined,
      explain: (row, a) => (row.flat = { k: params.k, grossNotional: ctx.out.gross.array[a] }),
      release: () => {},
    };
  },
  dynamic: {
    calibrate: ({ assets, vol, stepUp, params, market }) => {
      const scale = Math.max(1, ...assets.map((a) => (vol(a) * stepUp(a)) / params.baseVolAnnual));
      return { overlay: { flat: { k: Math.min(1, params.k * scale) } }, market };
    },
    // a unit linear position's MM per USD of notional
    breakerMmRate: ({ params }) => params.k / 2,
  },
};
