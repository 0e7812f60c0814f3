import { describe, expect, test } from 'vitest';
import { createEngine, Engine } from '../src/index.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { allocateGreeksOutput } from '../src/model/greeks-types.js';
import { toInput } from './support/engines.js';

const sample = toInput([
  { isCall: true, spot: 60, strike: 65, expiryYears: 0.25, vol: 0.3, rate: 0.08 },
  { isCall: false, spot: 100, strike: 95, expiryYears: 0.5, vol: 0.2, rate: 0.1, carry: 0.05 },
]);

describe('backend selection', () => {
  test("'auto' picks WASM with SIMD where the runtime supports it (Node ≥ 16 does)", async () => {
    const engine = await createEngine();
    expect(engine.backend).toBe('wasm-simd');
    expect(engine.simd).toBe(true);
    expect(engine.fallbackReason).toBeUndefined();
  });
  test("'js' and simd: false are honoured", async () => {
    expect((await createEngine({ backend: 'js' })).backend).toBe('js');
    const scalar = await createEngine({ backend: 'wasm', simd: false });
    expect(scalar.backend).toBe('wasm-scalar');
    expect(scalar.simd).toBe(false);
  });
  test('an unknown backend name is an InputError at its path', async () => {
    await expect(createEngine({ backend: 'gpu' as never })).rejects.toMatchObject({ name: 'InputError', problems: [{ path: 'options.backend', message: "expected 'auto', 'wasm' or 'js', got \"gpu\"" }] });
  });
  test('a misspelt option is refused with the name meant, not left at its default (every problem at once)', async () => {
    // workerURL would have left the default worker URL (under Vite, a data: URL that cannot load), wokers one thread
    await expect(createEngine({ workerURL: '/assets/scale-worker.js', wokers: 2 } as never)).rejects.toMatchObject({
      name: 'InputError',
      problems: [
        { path: 'options.workerURL', message: 'unknown option (did you mean "workerUrl"?)' },
        { path: 'options.wokers', message: 'unknown option (did you mean "workers"?)' },
      ],
    });
    await expect(createEngine({ simd: 'false' } as never)).rejects.toMatchObject({ problems: [{ path: 'options.simd', message: 'expected true or false, got "false"' }] });
    // a misspelt option and a bad value, in one error
    await expect(createEngine({ wokers: 2, backend: 'gpu' } as never)).rejects.toMatchObject({
      problems: [{ path: 'options.wokers', message: 'unknown option (did you mean "workers"?)' }, { path: 'options.backend', message: "expected 'auto', 'wasm' or 'js', got \"gpu\"" }],
    });
    await expect(createEngine('js' as never)).rejects.toMatchObject({ problems: [{ path: 'options', message: 'expected an object of options, or none, got "js"' }] });
    // one name for a list was read as a list of undefined plug-ins ("two margin methods are named undefined")
    await expect(createEngine({ methods: 'cross', profiles: {}, onWarning: 'console', wasmUrls: '/a.wasm' } as never)).rejects.toMatchObject({
      problems: [
        { path: 'options.onWarning', message: 'expected a function, got "console"' },
        { path: 'options.wasmUrls', message: 'expected { simd, scalar } URLs, got "/a.wasm"' },
        { path: 'options.methods', message: 'expected an array of margin methods, got "cross"' },
        { path: 'options.profiles', message: 'expected an array of profiles, got an Object' },
      ],
    });
    // inside wasmUrls: a misspelt flavour had left the embedded bytes in use, a number was fetched as the URL "42"
    await expect(createEngine({ wasmUrls: { smd: '/x.wasm', scalar: 42 } } as never)).rejects.toMatchObject({
      problems: [
        { path: 'options.wasmUrls.smd', message: 'unknown flavour (did you mean "simd"?): expected simd or scalar' },
        { path: 'options.wasmUrls.scalar', message: 'expected a URL (absolute, or relative to the page), got 42' },
      ],
    });
    // a URL that does not parse: an InputError at its path (it was a TypeError, or a fetch that failed later)
    await expect(createEngine({ wasmUrls: { simd: 'http://[bad' } })).rejects.toMatchObject({ problems: [{ path: 'options.wasmUrls.simd', message: 'expected a URL (absolute, or relative to the page), got "http://[bad"' }] });
    await expect(createEngine({ workerUrl: 'http://[bad' })).rejects.toMatchObject({ problems: [{ path: 'options.workerUrl', message: 'expected a URL (absolute, or relative to the page), got "http://[bad"' }] });
  });
  test("'auto' falls back to JS, saying why once, when WebAssembly is missing; 'wasm' rejects", async () => {
    const saved = globalThis.WebAssembly;
    const warnings: string[] = [];
    try {
      // @ts-expect-error simulate a runtime without WebAssembly
      delete globalThis.WebAssembly;
      const engine = await createEngine({ onWarning: (m) => warnings.push(m) });
      expect(engine.backend).toBe('js');
      expect(engine.fallbackReason).toMatch(/WebAssembly is not available/);
      await expect(createEngine({ backend: 'wasm' })).rejects.toThrow(/could not load/);
    } finally {
      globalThis.WebAssembly = saved;
    }
    expect(warnings).toHaveLength(1);
  });
  test('carry is optional and defaults to 0', async () => {
    const engine = await createEngine();
    const { carry: _, ...noCarry } = toInput([{ isCall: true, spot: 60, strike: 65, expiryYears: 0.25, vol: 0.3, rate: 0.08 }]);
    const withZero = toInput([{ isCall: true, spot: 60, strike: 65, expiryYears: 0.25, vol: 0.3, rate: 0.08, carry: 0 }]);
    expect(engine.greeks(noCarry).price[0]).toBe(engine.greeks(withZero).price[0]);
  });
  test('greeksInto writes into the caller’s arrays and returns them', async () => {
    const engine = await createEngine();
    const out = allocateGreeksOutput(2);
    expect(engine.greeksInto(sample, out)).toBe(out);
    expect(out.price[0]).toBeCloseTo(2.1334, 4);
  });
});

/** A real WASM module whose only function executes `unreachable`: a genuine trap, not a thrown Error. */
function trappingFunction(): () => void {
  const bytes = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
    0x03, 0x02, 0x01, 0x00, // function section
    0x07, 0x08, 0x01, 0x04, 0x74, 0x72, 0x61, 0x70, 0x00, 0x00, // export "trap"
    0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // code: unreachable
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  return instance.exports.trap as () => void;
}

describe('a WASM trap never takes the process down', () => {
  test('the trapping call is answered by JS with the same bits, the instance is replaced, and WASM serves again', async () => {
    const kernels = await WasmKernels.create('simd');
    // Make the next kernel call trap for real.
    (kernels as unknown as { exports: Record<string, unknown> }).exports = {
      ...(kernels as unknown as { exports: Record<string, unknown> }).exports,
      bsmGreeks: trappingFunction(),
    };
    const warnings: string[] = [];
    const engine = new Engine(kernels, { onWarning: (m) => warnings.push(m) });
    expect(engine.backend).toBe('wasm-simd');
    const expected = (await createEngine({ backend: 'js' })).greeks(sample);
    const got = engine.greeks(sample);
    expect(Array.from(got.price)).toEqual(Array.from(expected.price));
    expect(engine.backend).toBe('js');
    expect(warnings[0]).toMatch(/RuntimeError: unreachable/);
    await vi_waitFor(() => engine.backend === 'wasm-simd');
    expect(engine.fallbackReason).toBeUndefined();
    expect(Array.from(engine.greeks(sample).delta)).toEqual(Array.from(expected.delta));
  });

  test('after repeated traps the engine stays on JS instead of reloading forever: three reloads, the fourth trap stays', async () => {
    const warnings: string[] = [];
    const poisoned = async () => {
      const k = await WasmKernels.create('scalar');
      (k as unknown as { exports: Record<string, unknown> }).exports = { ...(k as unknown as { exports: Record<string, unknown> }).exports, bsmGreeks: trappingFunction() };
      return k;
    };
    const engine = new Engine(await poisoned(), { onWarning: (m) => warnings.push(m) });
    // the engine's WASM slot (src/kernels/wasm/slot.ts) holds the instance and counts the reloads
    const internals = (engine as unknown as { slot: { instance: WasmKernels | undefined; recoveries: number } }).slot;
    for (let i = 0; i < 4; i++) {
      internals.instance = await poisoned();
      expect(engine.greeks(sample).price[0]).toBeCloseTo(2.1334, 4);
    }
    expect(internals.recoveries).toBe(3);
    expect(warnings.filter((w) => w.includes('until a fresh instance loads'))).toHaveLength(3);
    expect(warnings.at(-1)).toMatch(/^WASM failed 4 times \(last: RuntimeError: .*\); staying on the JS backend$/);
  });
});

async function vi_waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('options are an object or nothing', () => {
  test('null, a number or a list as options is an InputError at options on every call that takes a book', async () => {
    const { readFileSync } = await import('node:fs');
    const read = (name: string) => JSON.parse(readFileSync(new URL(`../data/sample/${name}`, import.meta.url), 'utf8'));
    const book = read('book.json'), market = read('market.json');
    const engine = await createEngine({ backend: 'js' });
    const calls: [string, (options: never) => unknown][] = [
      ['margin', (o) => engine.margin(book, market, o)],
      ['liquidate', (o) => engine.liquidate(book, market, o)],
      ['stress', (o) => engine.stress(book, market, { spot: { BTC: -0.1 } }, o)],
      ['live', (o) => engine.live(book, market, o)],
    ];
    for (const [name, call] of calls) {
      for (const bad of [null, 7, []]) {
        let thrown: unknown;
        try {
          call(bad as never);
        } catch (error) {
          thrown = error;
        }
        expect((thrown as { problems?: { path: string }[] })?.problems?.[0]?.path, `${name}(${JSON.stringify(bad)})`).toBe('options');
      }
    }
  });
});

describe('openBook refuses a layout outside its domain', () => {
  test('a negative or fractional slack, a negative or NaN headroom, assets that are not symbols: one InputError with every path; in the domain, the figures of the default layout', async () => {
    const { generateSample, InputError } = await import('../src/index.js');
    const { book, market } = generateSample({ accounts: 30, seed: 5 });
    for (const backend of ['wasm', 'js'] as const) {
      const engine = await createEngine({ backend });
      let error: unknown;
      try {
        engine.openBook(book, { positionSlack: -1, collateralSlack: 1.5, headroom: Number.NaN, assets: 5 as never, bogus: 1 } as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as InstanceType<typeof InputError>).problems.map((p) => p.path)).toEqual(['layout.bogus', 'layout.positionSlack', 'layout.collateralSlack', 'layout.headroom', 'layout.assets']);
      expect(() => engine.openBook(book, { positionSlack: 1e9 })).toThrow(/layout\.positionSlack: expected a whole number of slots from 0 to 1,000, got 1000000000/);
      expect(() => engine.openBook(book, { headroom: -0.5 })).toThrow(/layout\.headroom/);
      // every layout in the domain margins the book as the default one does (its spare room changes no figure)
      const reference = JSON.stringify(engine.margin(book, market).totals);
      for (const layout of [{ positionSlack: 0, collateralSlack: 0, headroom: 0 }, { positionSlack: 7, collateralSlack: 3, headroom: 2 }]) {
        const session = engine.openBook(book, layout);
        expect(JSON.stringify(session.margin(market).totals)).toBe(reference);
        session.release();
      }
    }
  });
});

describe('createEngine checks the plug-ins and profiles it is given', () => {
  test('an empty list, a plug-in or a profile not in its shape: one InputError at their paths (they failed later with a TypeError)', async () => {
    const { InputError } = await import('../src/index.js');
    const error = await createEngine({ methods: [{}, { name: 'mine', description: 'x', section: null, validateParams: () => ({}), prepare: 5 }] as never, profiles: [{ name: 'p', version: '1', method: 'cross' }, 3] as never }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InstanceType<typeof InputError>).problems.map((p) => p.path)).toEqual([
      'options.methods[0].name', 'options.methods[0].description', 'options.methods[0].section', 'options.methods[0].validateParams', 'options.methods[0].prepare',
      'options.methods[1].prepare', 'options.profiles[0].params', 'options.profiles[1]',
    ]);
    await expect(createEngine({ methods: [] })).rejects.toThrow(/options\.methods: empty: an engine needs at least one margin method/);
  });
});

describe('callbacks are functions, and optimize is told which account', () => {
  test('onProgress that is not a function is refused before the work (it threw a TypeError after it); optimize without options is an InputError', async () => {
    const { generateSample, InputError } = await import('../src/index.js');
    const { book, market } = generateSample({ accounts: 20, seed: 2 });
    const engine = await createEngine({ backend: 'js' });
    expect(() => engine.stress(book, market, { spot: { BTC: -0.2 } }, { onProgress: 5 as never })).toThrow(/options\.onProgress: expected a function, got 5/);
    await expect(createEngine({ onWarning: 'log' as never })).rejects.toThrow(/options\.onWarning: expected a function/);
    const error = await engine.optimize(book, market, undefined as never).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InstanceType<typeof InputError>).problems[0].path).toBe('options');
  });
});
