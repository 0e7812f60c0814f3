/**
 * Adding an in-tree method touches its folder and its registry line, nothing else (docs/adding-a-method.md, "Shipping
 * it in the library"): in a copy of the repository, the page's `flat` method (IM 10%, MM 5% of gross notional) is saved
 * as src/methods/flat/ and its line added to src/methods/registry.ts; then the sources type-check and the method-generic
 * tests pass there. The files come from the page itself, so the docs show what is proven.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf, markerValue } from '../support/doc-blocks.js';
import { ROOT } from '../support/cli.js';
import { book, market } from '../support/margin-books.js';

const run = promisify(execFile);
const PAGE = 'docs/adding-a-method.md';

/**
 * The tests that mean "every method": each iterates the registry (MARGIN_METHODS, BUILT_IN_METHODS or
 * BUILT_IN_MANIFESTS) and neither runs the built CLI nor plugs in a method of its own. The fingerprint test runs the
 * new method's cases only (MARGIN_CORE_FINGERPRINT_METHODS): the others' are checked in the repository itself.
 */
const METHOD_GENERIC_TESTS = [
  'test/methods/built-in-plugins.test.ts',
  'test/methods/report-twice.test.ts',
  'test/schemas-generated.test.ts',
  'test/margin/figures.test.ts',
  'test/portfolio/compare.test.ts',
  'test/margin-netting.test.ts',
  'test/io/book-chunks.test.ts',
  'test/stress/properties.test.ts',
  'test/liquidation/properties.test.ts',
  'test/stress/bad-input.test.ts',
  'test/coin/validation.test.ts',
  'test/report-fingerprints.test.ts',
];

/** The page's blocks marked as files of the library, by path, and the import lines of its registry block. */
function libraryFiles(): { files: Map<string, string>; registryImports: string[] } {
  const files = new Map<string, string>();
  let registryImports: string[] = [];
  for (const block of blocksOf(PAGE, readFileSync(join(ROOT, PAGE), 'utf8'))) {
    if (markerValue(block, 'not run')?.startsWith('lines of the library\'s src/methods/registry.ts')) {
      registryImports = block.code.split('\n').filter((line) => line.startsWith('import '));
    }
    const path = /^a file of the library, (\S+) in src\/methods\//.exec(markerValue(block, 'not run') ?? '')?.[1];
    if (path !== undefined) files.set(join('src', 'methods', path), `${block.code}\n`);
  }
  return { files, registryImports };
}

let copy: string;
beforeAll(() => {
  copy = mkdtempSync(join(realpathSync(tmpdir()), 'margin-core-add-method-'));
  for (const dir of ['src', 'test', 'schemas', 'data', 'build', 'docs']) cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json', 'vitest.config.ts', 'README.md']) cpSync(join(ROOT, file), join(copy, file));
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(copy, 'node_modules'));
  // the folder…
  const { files, registryImports } = libraryFiles();
  expect([...files.keys()].sort()).toEqual(['index.ts', 'manifest.ts'].map((f) => join('src', 'methods', 'flat', f)));
  mkdirSync(join(copy, 'src', 'methods', 'flat'));
  for (const [path, text] of files) writeFileSync(join(copy, path), text);
  // …and the registry line (with the page's imports)
  const registry = join(copy, 'src', 'methods', 'registry.ts');
  const text = readFileSync(registry, 'utf8');
  const list = /(export const BUILT_IN_MANIFESTS: readonly MethodManifest\[\] = \[[^\]]*)\];/;
  expect(text).toMatch(list);
  expect(registryImports).toEqual(["import { flatManifest } from './flat/manifest.js';", "import './flat/index.js';"]);
  writeFileSync(registry, `${registryImports.join('\n')}\n${text.replace(list, '$1, flatManifest];')}`);
});
afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('a method added in its folder and one registry line', () => {
  it('type-checks: the sources with the new method', async () => {
    // the sources only: the test folder's out-of-tree `flat` (test/support/methods/flat/) is another method of that name
    writeFileSync(join(copy, 'tsconfig.src.json'), JSON.stringify({ extends: './tsconfig.json', include: ['src'] }));
    const tsc = join(copy, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(run(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.src.json'], { cwd: copy, maxBuffer: 1 << 24 })).resolves.toBeDefined();
  }, 120_000);

  it('is in the copy\'s registry, and its figures are its rule worked by hand', async () => {
    const lib = (await import(join(copy, 'src', 'index.ts'))) as typeof import('../../src/index.js');
    expect(lib.MARGIN_METHODS.at(-1)).toBe('flat');
    const engine = await lib.createEngine({ backend: 'js' });
    // long 0.1 BTC-PERP entered at the mark 100,000 beside 600 USDC: gross notional 10,000, IM 10% = 1,000,
    // MM 5% = 500, equity 600 (no P&L): MM ≤ equity < IM, a margin call; 5,000 USDC alone needs nothing
    const r = engine.margin(book(
      { id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 600 }] },
      { id: 'c', collateral: [{ asset: 'USDC', amount: 5_000 }] },
    ), market(), { method: 'flat' });
    expect(r.accounts.map((x) => [x.id, x.grossNotional, x.im, x.mm, x.equity, x.status])).toEqual([
      ['a', 10_000, 1_000, 500, 600, 'margin_call'],
      ['c', 0, 0, 0, 5_000, 'healthy'],
    ]);
  });

  it('passes the method-generic tests, which now cover it', async () => {
    const vitest = join(copy, 'node_modules', 'vitest', 'vitest.mjs');
    const env = { ...process.env, MARGIN_CORE_FINGERPRINT_METHODS: 'flat' };
    const results = join(copy, 'results.json');
    try {
      await run(process.execPath, [vitest, 'run', '--reporter=json', `--outputFile=${results}`, ...METHOD_GENERIC_TESTS], { cwd: copy, env, maxBuffer: 1 << 26 });
    } catch {
      // the results file says what failed
    }
    const r = JSON.parse(readFileSync(results, 'utf8')) as { testResults: { status: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };
    const failed = r.testResults.flatMap((f) => f.assertionResults).filter((a) => a.status !== 'passed');
    expect(failed.map((a) => `${a.title}: ${a.failureMessages.join(' ').slice(0, 800)}`)).toEqual([]);
    expect(r.testResults.map((f) => f.status)).toEqual(METHOD_GENERIC_TESTS.map(() => 'passed'));
    // the new method is among what they iterate
    const titles = r.testResults.flatMap((f) => f.assertionResults.map((a) => a.title));
    expect(titles).toContain('flat: states its calibration and source, and the schema of its section');
  }, 240_000);
});
