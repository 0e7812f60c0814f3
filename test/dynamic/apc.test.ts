/**
 * Anti-procyclicality tools (src/dynamic/apc.ts) and the velocity circuit breaker (src/dynamic/circuit-breaker.ts) on
 * hand-made series: each tool binds exactly on the days the documented rule says, computed here by hand.
 */
import { describe, expect, it } from 'vitest';
import { ProblemList } from '../../src/errors.js';
import { applyApc, type ApcParams, DEFAULT_APC_PARAMS } from '../../src/dynamic/apc.js';
import { checkApcParams, checkCircuitBreakerParams } from '../../src/dynamic/apc-params.js';
import { circuitBreaker, DEFAULT_CIRCUIT_BREAKER } from '../../src/dynamic/circuit-breaker.js';

const apc = (over: Partial<ApcParams>): ApcParams => ({ ...DEFAULT_APC_PARAMS, ...over });

describe('APC buffer (Art. 28(1)(a))', () => {
  it('adds 25% in calm days and holds the margin while the calculated one rises into the buffer', () => {
    // window 1 day, release on a rise > 10%: day 2 rose 15% (115 > 100·1.1) → released: max(115, min(143.75, 125)) = 125;
    // day 3 rose 4.3% (120 < 115·1.1) → the full buffer again, 150
    const r = applyApc({ raw: [100, 100, 115, 120] }, apc({ tool: 'buffer', releaseWindowDays: 1 }));
    expect([...r.margin]).toEqual([125, 125, 125, 150]);
    expect(r.binding).toEqual(['buffer', 'buffer', 'buffer-released', 'buffer']);
    expect([...r.released]).toEqual([0, 0, 1, 0]);
  });

  it('never goes below the calculated margin when the rise outruns the buffer', () => {
    // window 2: day 3 rose 30% over day 1 → max(130, min(162.5, 125)) = 130 (the buffer is used up: the calculated margin decides)
    const r = applyApc({ raw: [100, 100, 100, 130, 160] }, apc({ tool: 'buffer', releaseWindowDays: 2 }));
    expect([...r.margin]).toEqual([125, 125, 125, 130, 160]);
    expect(r.binding.slice(3)).toEqual(['calculated', 'calculated']);
  });
});

describe('APC stressed weight (Art. 28(1)(b)) and ten-year floor (Art. 28(1)(c))', () => {
  it('weights the stressed margin by 25%, and never lowers the calculated one with it', () => {
    // 0.75·100 + 0.25·180 = 120; 0.75·100 + 0.25·60 = 90 < 100 → 100
    const r = applyApc({ raw: [100, 100], stressed: [180, 60] }, apc({ tool: 'stressed-weight' }));
    expect([...r.margin]).toEqual([120, 100]);
    expect(r.binding).toEqual(['stressed-weight', 'calculated']);
  });

  it('floors the margin at the ten-year lookback\'s', () => {
    const r = applyApc({ raw: [100, 50], tenYear: [80, 70] }, apc({ tool: 'lookback-floor' }));
    expect([...r.margin]).toEqual([100, 70]);
    expect(r.binding).toEqual(['calculated', 'lookback-floor']);
  });

  it('a tool without its series is refused', () => {
    expect(() => applyApc({ raw: [1, 2] }, apc({ tool: 'lookback-floor' }))).toThrow(RangeError);
  });
});

describe('speed limit', () => {
  it('caps the rebuild of the buffer at +10% a day', () => {
    // release window 2, rise > 10%: days 3–5 are released (130 > 110, 160 > 110, 160 > 143), day 6 is calm: the full
    // 200 is capped at 160·1.1 = 176; day 7: 90·1.25 = 112.5 is below every cap
    const r = applyApc({ raw: [100, 100, 100, 130, 160, 160, 160, 90] }, apc({ tool: 'buffer', releaseWindowDays: 2, maxDailyIncrease: 0.1 }));
    expect([...r.margin]).toEqual([125, 125, 125, 130, 160, 160, 176, 112.5]);
    expect(r.binding[6]).toBe('speed-limit');
  });

  it('never holds the margin below the calculated one', () => {
    const r = applyApc({ raw: [100, 200, 215] }, apc({ tool: null, maxDailyIncrease: 0.1 }));
    expect([...r.margin]).toEqual([100, 200, 215]);
    expect(r.binding).toEqual(['calculated', 'calculated', 'calculated']);
  });
});

describe('velocity circuit breaker', () => {
  it('trips above trip × MM rate over the horizon and releases below release × MM rate', () => {
    // MM 5%, horizon 2 days: day 2 −6% (> 5%) trips; day 3 −7%; day 4 96/94 − 1 = +2.1% (< 2.5%) releases;
    // day 5 97.5/93 − 1 = +4.8% (< 5%) does not trip again
    const r = circuitBreaker([100, 100, 94, 93, 96, 97.5, 97], 0.05, { ...DEFAULT_CIRCUIT_BREAKER, horizonDays: 2 });
    expect([...r.multiplier]).toEqual([1, 1, 1.5, 1.5, 1, 1, 1]);
    expect(r.events.map((e) => [e.day, e.kind])).toEqual([[2, 'trip'], [4, 'release']]);
    expect(r.events[0].move).toBeCloseTo(-0.06, 15);
    expect(Number.isNaN(r.move[1])).toBe(true);
  });

  it('stays tripped while the move is between release and trip (hysteresis)', () => {
    // day 2 −6% trips; day 3 97/94 − 1 = +3.2% ≥ 2.5%: still tripped
    const r = circuitBreaker([100, 100, 94, 97], 0.05, DEFAULT_CIRCUIT_BREAKER);
    expect([...r.multiplier]).toEqual([1, 1, 1.5, 1.5]);
  });
});

describe('dynamic params: apc and circuitBreaker', () => {
  const problems = (fn: (p: ProblemList) => unknown) => {
    const list = new ProblemList();
    fn(list);
    try {
      list.throwIfAny();
      return [];
    } catch (error) {
      return (error as { problems: { path: string; message: string }[] }).problems;
    }
  };

  it('holds the regulatory minimums and names every bad field with its path', () => {
    const found = problems((p) => checkApcParams({ tool: 'bufer', bufferRate: 0.2, stressedWeight: 0.1, releaseWindowDays: 1.5, bufferRat: 1 }, 'params.dynamic.apc', p));
    expect(found.map((f) => f.path).sort()).toEqual([
      'params.dynamic.apc.bufferRat', 'params.dynamic.apc.bufferRate', 'params.dynamic.apc.releaseWindowDays', 'params.dynamic.apc.stressedWeight', 'params.dynamic.apc.tool',
    ]);
    expect(found.find((f) => f.path.endsWith('.bufferRate'))!.message).toContain('Art. 28(1)(a)');
    expect(found.find((f) => f.path.endsWith('.bufferRat'))!.message).toContain('did you mean "bufferRate"');
  });

  it('merges over the defaults', () => {
    const list = new ProblemList();
    expect(checkApcParams({ tool: 'lookback-floor', maxDailyIncrease: 0.2 }, 'p', list)).toEqual({ ...DEFAULT_APC_PARAMS, tool: 'lookback-floor', maxDailyIncrease: 0.2 });
    expect(checkCircuitBreakerParams({ stepUp: 2 }, 'p', list)).toEqual({ ...DEFAULT_CIRCUIT_BREAKER, stepUp: 2 });
  });

  it('a breaker must release below where it trips', () => {
    const found = problems((p) => checkCircuitBreakerParams({ trip: 1, release: 2, stepUp: 0.5 }, 'params.dynamic.circuitBreaker', p));
    expect(found.map((f) => f.path)).toEqual(['params.dynamic.circuitBreaker.release', 'params.dynamic.circuitBreaker.stepUp']);
  });
});
