/**
 * A method run's rule-based columns as JS views (src/kernels/margin-views.ts), for methods that read the equities and
 * requirements of their own run from JS (the portfolio and VaR methods' account terms and unionMargin): built on first
 * use and again only when the layout, the outputs or the memory under them moved.
 */
import type { MarginColumns } from '../kernels/js/margin.js';
import { marginColumnMap, marginViews } from '../margin/outputs.js';
import type { MethodContext } from './method.js';

export function runColumns(ctx: MethodContext): () => MarginColumns {
  let views: { c: MarginColumns; generation: number; version: number; buffer: ArrayBufferLike } | null = null;
  return () => {
    const generation = ctx.layout.generation, version = ctx.out.version;
    const buffer = ctx.out.im.array.buffer;
    if (!views || views.generation !== generation || views.version !== version || views.buffer !== buffer) {
      views = { c: marginViews(marginColumnMap(ctx.layout, ctx.market, ctx.rules, ctx.out)), generation, version, buffer };
    }
    return views.c;
  };
}
