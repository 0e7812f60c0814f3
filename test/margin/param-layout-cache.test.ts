import { describe, expect, it } from 'vitest';
import { acquireParamLayout } from '../../src/margin/param-layout.js';
import { validateRuleBasedParams } from '../../src/margin/validate-params.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { deepFreeze } from '../../src/model/deep-freeze.js';

describe('acquireParamLayout', () => {
  it('shares the layout of frozen rules over the same assets, and keeps it after release', () => {
    const allocator = new HeapAllocator();
    const rules = deepFreeze(validateRuleBasedParams({}));
    const a = acquireParamLayout(allocator, ['BTC', 'USDC'], rules);
    const b = acquireParamLayout(allocator, ['BTC', 'USDC'], rules);
    expect(b.layout).toBe(a.layout);
    const held = allocator.bytesInUse;
    a.release();
    b.release();
    b.release(); // a second release of one handle is a no-op
    expect(allocator.bytesInUse).toBe(held);
    expect(acquireParamLayout(allocator, ['BTC', 'USDC'], rules).layout).toBe(a.layout);
    // other assets, or the same assets in another order, are another layout
    expect(acquireParamLayout(allocator, ['USDC', 'BTC'], rules).layout).not.toBe(a.layout);
    expect(acquireParamLayout(allocator, ['BTC'], rules).layout).not.toBe(a.layout);
  });

  it('gives rules that can change a layout of their own, freed on release', () => {
    const allocator = new HeapAllocator();
    const rules = validateRuleBasedParams({});
    const a = acquireParamLayout(allocator, ['BTC'], rules);
    const b = acquireParamLayout(allocator, ['BTC'], rules);
    expect(b.layout).not.toBe(a.layout);
    a.release();
    b.release();
    expect(allocator.bytesInUse).toBe(0);
  });

  it('frees the least recently used unreferenced layouts beyond eight, never one a run holds', () => {
    const allocator = new HeapAllocator();
    const rules = deepFreeze(validateRuleBasedParams({}));
    const held = acquireParamLayout(allocator, ['HELD'], rules);
    const perLayout = allocator.bytesInUse;
    for (let k = 0; k < 20; k++) acquireParamLayout(allocator, [`A${k}`], rules).release();
    // the held one, and the eight most recent unreferenced ones
    expect(allocator.bytesInUse).toBe(9 * perLayout);
    expect(held.layout.linear.upTo.array.length).toBeGreaterThan(0); // not released
    expect(acquireParamLayout(allocator, ['A19'], rules).layout.optBase.array).toBeDefined();
    expect(allocator.bytesInUse).toBe(9 * perLayout);
    acquireParamLayout(allocator, ['A0'], rules); // evicted: laid out again
    expect(allocator.bytesInUse).toBe(10 * perLayout);
  });
});
