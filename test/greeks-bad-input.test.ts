import { beforeAll, describe, expect, test } from 'vitest';
import { type Engine, InputError } from '../src/index.js';
import { allEngines, toInput } from './support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const good = () => toInput(Array.from({ length: 5 }, (_, i) => ({ isCall: i % 2 === 0, spot: 100, strike: 90 + 5 * i, expiryYears: 0.5, vol: 0.4, rate: 0.03, carry: 0.01 })));

/** Runs `f` on every backend and returns the InputError's problems as `path: message` strings. */
function problemsOf(f: (engine: Engine) => unknown): string[][] {
  return engines.map((engine) => {
    try {
      f(engine);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as InputError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    throw new Error(`${engine.backend} accepted bad input`);
  });
}

function expectProblem(mutate: (input: ReturnType<typeof good>) => void, expected: string) {
  const input = good();
  mutate(input);
  for (const problems of problemsOf((e) => e.greeks(input))) expect(problems).toContain(expected);
}

describe('bad values are rejected with the field and index', () => {
  test('NaN', () => expectProblem((i) => (i.spot[3] = NaN), 'spot[3]: not a finite number (NaN)'));
  test('+Infinity', () => expectProblem((i) => (i.strike[1] = Infinity), 'strike[1]: not a finite number (Infinity)'));
  test('-Infinity expiry', () => expectProblem((i) => (i.expiryYears[0] = -Infinity), 'expiryYears[0]: not a finite number (-Infinity)'));
  test('negative spot', () => expectProblem((i) => (i.spot[2] = -5), 'spot[2]: must be positive, got -5'));
  test('zero strike', () => expectProblem((i) => (i.strike[4] = 0), 'strike[4]: must be positive, got 0'));
  test('negative vol', () => expectProblem((i) => (i.vol[1] = -0.2), 'vol[1]: must not be negative, got -0.2'));
  test('NaN vol', () => expectProblem((i) => (i.vol[1] = NaN), 'vol[1]: not a finite number (NaN)'));
  test('NaN rate and carry', () => {
    expectProblem((i) => (i.rate[0] = NaN), 'rate[0]: not a finite number (NaN)');
    expectProblem((i) => (i.carry[0] = NaN), 'carry[0]: not a finite number (NaN)');
  });
  test('isCall not 0/1', () => expectProblem((i) => (i.isCall[3] = 2), 'isCall[3]: must be 1 (call) or 0 (put), got 2'));
  test('values outside the supported domain', () => {
    expectProblem((i) => (i.spot[0] = 1e200), 'spot[0]: 1e+200 is outside the supported range [1e-100, 1e+100]');
    expectProblem((i) => (i.vol[0] = 4000), 'vol[0]: 4000 is above the supported 3000');
    expectProblem((i) => (i.expiryYears[0] = 500), 'expiryYears[0]: 500 years is beyond the supported 50');
    expectProblem((i) => (i.rate[0] = 7), 'rate[0]: 7 is outside the supported range [-2, 2]');
  });
  test('every bad value is listed, not just the first', () => {
    const input = good();
    input.spot[1] = NaN;
    input.vol[3] = -1;
    input.isCall[4] = 9;
    for (const problems of problemsOf((e) => e.greeks(input))) {
      expect(problems).toEqual([
        'spot[1]: not a finite number (NaN)',
        'vol[3]: must not be negative, got -1',
        'isCall[4]: must be 1 (call) or 0 (put), got 9',
      ]);
    }
  });
  test('a bad value far into a large batch is found and named', () => {
    const n = 100_000;
    const input = toInput([]);
    Object.assign(input, {
      isCall: new Uint8Array(n).fill(1), spot: new Float64Array(n).fill(100), strike: new Float64Array(n).fill(100),
      expiryYears: new Float64Array(n).fill(1), vol: new Float64Array(n).fill(0.5), rate: new Float64Array(n), carry: new Float64Array(n),
    });
    input.strike[98_765] = NaN;
    for (const problems of problemsOf((e) => e.greeks(input))) expect(problems).toEqual(['strike[98765]: not a finite number (NaN)']);
  });
});

describe('bad shapes are rejected before anything runs', () => {
  test('mismatched lengths', () => {
    const input = good();
    for (const problems of problemsOf((e) => e.greeks({ ...input, vol: new Float64Array(4) }))) {
      expect(problems).toEqual(["vol: length 4 does not match isCall's length 5"]);
    }
  });
  test('wrong array types', () => {
    const input = good();
    const bad = { ...input, isCall: [1, 0, 1, 0, 1], spot: Array.from(input.spot) } as unknown as typeof input;
    for (const problems of problemsOf((e) => e.greeks(bad))) {
      expect(problems).toContain('isCall: expected a Uint8Array (1 = call, 0 = put), got an Array');
      expect(problems).toContain('spot: expected a Float64Array, got an Array');
    }
    const f32 = { ...input, rate: new Float32Array(5) } as unknown as typeof input;
    for (const problems of problemsOf((e) => e.greeks(f32))) expect(problems).toEqual(['rate: expected a Float64Array, got a Float32Array']);
  });
  test('a missing field', () => {
    const { vol: _vol, ...rest } = good();
    for (const problems of problemsOf((e) => e.greeks(rest as never))) expect(problems).toEqual(['vol: expected a Float64Array, got undefined']);
  });
  test('a misspelt or unknown column is refused, not dropped (carry 0 would price every option)', () => {
    const { carry: _carry, ...input } = good();
    const misspelt = { ...input, Carry: new Float64Array(5), dividend: new Float64Array(5) };
    for (const problems of problemsOf((e) => e.greeks(misspelt as never))) {
      expect(problems).toEqual(['Carry: unknown field (did you mean "carry"?)', 'dividend: unknown field (expected isCall, spot, strike, expiryYears, vol, rate or carry)']);
    }
  });
  test('not an object at all', () => {
    for (const problems of problemsOf((e) => e.greeks(null as never))) expect(problems).toEqual(['input: expected an object of typed arrays, got null']);
  });
  test('caller-provided outputs of the wrong length or type', () => {
    const input = good();
    const out = { price: new Float64Array(5), delta: new Float64Array(5), gamma: new Float64Array(4), vega: new Float64Array(5), theta: [] as unknown as Float64Array, rho: new Float64Array(5) };
    for (const problems of problemsOf((e) => e.greeksInto(input, out))) {
      expect(problems).toEqual(['out.gamma: length 4 does not match the input length 5', 'out.theta: expected a Float64Array, got an Array']);
    }
  });
});

test('an empty batch is valid and returns empty arrays', () => {
  for (const engine of engines) expect(engine.greeks(toInput([])).price.length).toBe(0);
});
