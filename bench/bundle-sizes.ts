/**
 * What a page downloads of margin-core: the one-file browser build, and a page's own bundle of an entry that imports
 * the package (bundled by esbuild as a front end's build would, tree-shaken through package.json `sideEffects: false`),
 * with the modules that kept bytes in it. Shared by test/browser-bundle.test.ts and the browser benchmark.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface Sizes {
  minified: number;
  /** gzip level 9: what a compressing server sends. */
  gzip: number;
}

export type Budget = Record<'bundle' | 'greeks', Sizes>;

export const sizesOf = (bytes: Uint8Array): Sizes => ({ minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });

/** bench/browser-budget.json: the bytes each build may take. */
export function browserBudget(root: string): Budget {
  const { bundle, greeks } = JSON.parse(readFileSync(join(root, 'bench', 'browser-budget.json'), 'utf8')) as Budget;
  return { bundle, greeks };
}

/** A page's entry pricing one option with createPricer imported from `from`. */
export const GREEKS_PAGE = (from: string) => `import { createPricer } from '${from}';
const pricer = await createPricer();
console.log(pricer.greeks({ isCall: Uint8Array.of(1), spot: Float64Array.of(60), strike: Float64Array.of(65), expiryYears: Float64Array.of(0.25),
  vol: Float64Array.of(0.3), rate: Float64Array.of(0.08) }).price[0]);\n`;

/**
 * Bundles `source` (written to test-artifacts/bundle/NAME.js, inside the package so `margin-core` resolves to it) for a
 * browser, minified; returns its bytes and the modules that kept bytes (paths under dist/browser/esm/ shortened).
 */
export async function pageBundle(root: string, name: string, source: string, external: string[] = []): Promise<{ bytes: Uint8Array; modules: Map<string, number> }> {
  const esbuild = await import('esbuild');
  mkdirSync(join(root, 'test-artifacts', 'bundle'), { recursive: true });
  writeFileSync(join(root, 'test-artifacts', 'bundle', `${name}.js`), source);
  const result = await esbuild.build({
    absWorkingDir: root, entryPoints: [`test-artifacts/bundle/${name}.js`], bundle: true, write: false, metafile: true, minify: true,
    format: 'esm', platform: 'browser', target: 'es2022', external, logLevel: 'silent',
    // a user's page resolves `margin-core` through the package's exports, not the repository's tsconfig paths
    tsconfigRaw: {},
  });
  const output = Object.values(result.metafile.outputs)[0];
  const modules = new Map(Object.entries(output.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([path, v]) => [path.replace('dist/browser/esm/', ''), v.bytesInOutput]));
  return { bytes: result.outputFiles[0].contents, modules };
}

/** The sizes the browser benchmark records: the one-file build, and a Greeks-only page's bundle. */
export async function browserSizes(root: string): Promise<{ bundle: Sizes; greeks: Sizes; budget: Budget }> {
  const greeks = await pageBundle(root, 'greeks-subpath', GREEKS_PAGE('margin-core/greeks'));
  return { bundle: sizesOf(readFileSync(join(root, 'dist', 'browser', 'margin-core.js'))), greeks: sizesOf(greeks.bytes), budget: browserBudget(root) };
}
