/**
 * The WASM loader (src/kernels/wasm/binary.ts): SIMD is detected by a 30-byte probe, a streamed .wasm is used only
 * when it is this build (its build-id section), and every failed stream (missing file, wrong MIME type, a stale or
 * foreign build) falls back to the embedded bytes with one warning naming the reason.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { listenOnLoopback } from './support/chromium.js';

const root = join(import.meta.dirname, '..');
const file = (flavour: string) => readFileSync(join(root, 'build', `margin-core.${flavour}.wasm`));
let server: Server;
let base = '';
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const routes: Record<string, [string, Buffer]> = {
      '/simd.wasm': ['application/wasm', file('simd')],
      '/scalar.wasm': ['application/wasm', file('scalar')],
      '/wrong-type.wasm': ['text/plain', file('simd')],
      '/stale.wasm': ['application/wasm', file('scalar')], // another build's bytes under the SIMD name
    };
    const route = routes[req.url ?? ''];
    if (!route) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': route[0] }).end(route[1]);
  });
  base = await listenOnLoopback(server);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The loader module fresh (its per-realm cache of compiled modules empty), as a new page would have it. */
async function freshLoader(): Promise<typeof import('../src/kernels/wasm/binary.js')> {
  vi.resetModules();
  return import('../src/kernels/wasm/binary.js');
}

test('the SIMD probe agrees with validating the SIMD kernels themselves', async () => {
  const { simdSupported, wasmBytes } = await freshLoader();
  expect(simdSupported()).toBe(WebAssembly.validate(wasmBytes('simd')));
  expect(simdSupported()).toBe(true); // Node ≥ 16 has fixed-width SIMD
});

test('a module is recognised as this build by its build-id section, per flavour', async () => {
  const { isThisBuild, wasmBytes } = await freshLoader();
  const simd = await WebAssembly.compile(wasmBytes('simd'));
  expect(isThisBuild(simd, 'simd')).toBe(true);
  expect(isThisBuild(simd, 'scalar')).toBe(false);
  const bare = await WebAssembly.compile(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  expect(isThisBuild(bare, 'simd')).toBe(false);
});

test('a served .wasm of this build is streamed (one request, no warning) and compiled once per realm', async () => {
  const { compileKernels, isThisBuild } = await freshLoader();
  const warnings: string[] = [];
  requests.length = 0;
  const module = await compileKernels('simd', `${base}simd.wasm`, (m) => warnings.push(m));
  expect(isThisBuild(module, 'simd')).toBe(true);
  expect(await compileKernels('simd', `${base}simd.wasm`, (m) => warnings.push(m))).toBe(module);
  expect(await compileKernels('simd')).toBe(module);
  expect(requests).toEqual(['/simd.wasm']);
  expect(warnings).toEqual([]);
});

test.each([
  ['a missing file', 'missing.wasm', /HTTP 404/],
  ['a wrong MIME type', 'wrong-type.wasm', /MIME type/],
  ['another build', 'stale.wasm', /not this build of margin-core's simd kernels/],
])('%s falls back to the embedded bytes with one warning', async (_, path, reason) => {
  const { compileKernels, isThisBuild } = await freshLoader();
  const warnings: string[] = [];
  const module = await compileKernels('simd', `${base}${path}`, (m) => warnings.push(m));
  expect(isThisBuild(module, 'simd')).toBe(true);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(new RegExp(`could not stream the simd kernels from ${base}${path} \\(`));
  expect(warnings[0]).toMatch(reason);
  expect(warnings[0]).toMatch(/using the embedded bytes$/);
});

test('an engine loaded from streamed kernels prices with the same bits as one from the embedded bytes', async () => {
  vi.resetModules();
  const { createEngine } = await import('../src/engine.js');
  const streamed = await createEngine({ backend: 'wasm', wasmUrls: { simd: `${base}simd.wasm`, scalar: `${base}scalar.wasm` }, onWarning: (m) => { throw new Error(m); } });
  vi.resetModules();
  const embedded = await (await import('../src/engine.js')).createEngine({ backend: 'wasm' });
  const input = {
    isCall: Uint8Array.of(1, 0, 1), spot: Float64Array.of(60, 100, 42), strike: Float64Array.of(65, 95, 40), expiryYears: Float64Array.of(0.25, 0.5, 0.5),
    vol: Float64Array.of(0.3, 0.2, 0.2), rate: Float64Array.of(0.08, 0.1, 0.1), carry: Float64Array.of(0, 0.05, 0),
  };
  expect(streamed.backend).toBe('wasm-simd');
  const a = streamed.greeks(input), b = embedded.greeks(input);
  for (const f of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) expect(Array.from(a[f])).toEqual(Array.from(b[f]));
});
