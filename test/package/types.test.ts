/**
 * The published types are the API: test/package/uses.ts (every entry's documented calls, method names and their
 * params, report fields) compiles with `tsc --strict` against dist/types, reached as a user reaches it (a project whose
 * node_modules/margin-core is this package: its `exports` pick each entry's .d.ts). A published type that loses a member
 * the docs use, or a method name it no longer knows, fails here; test/package/installed.test.ts compiles the same file
 * and every ts block of the docs against the installed tarball.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';
import { scratchDir } from '../support/scratch-dir.js';

const run = promisify(execFile);
// one folder for the file's projects, removed when its tests end (scratchDir registers that at collection time)
const scratch = scratchDir('mc-types-');

/**
 * A project holding `source` as main.ts, with margin-core (this package) and Node's types; tsc's output, '' when clean.
 * `exactOptionalPropertyTypes`: with that option too (@tsconfig/strictest has it).
 */
async function compile(source: string, exactOptionalPropertyTypes = false): Promise<string> {
  const dir = mkdtempSync(join(scratch, 'project-'));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'margin-core'));
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  writeFileSync(join(dir, 'main.ts'), source);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, exactOptionalPropertyTypes, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: ['node'], skipLibCheck: true },
    files: ['main.ts'],
  }));
  return run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, maxBuffer: 1 << 24 })
    .then(() => '', (e: { stdout?: string }) => e.stdout ?? 'tsc failed');
}

const uses = () => {
  const dir = mkdtempSync(join(scratch, 'uses-'));
  copyFileSync(join(ROOT, 'test', 'package', 'uses.ts'), join(dir, 'uses.ts'));
  return join(dir, 'uses.ts');
};

it('every entry\'s documented calls compile with tsc --strict against the published types', async () => {
  const { readFileSync } = await import('node:fs');
  expect(await compile(readFileSync(uses(), 'utf8'))).toBe('');
}, 120_000);

it('a method name from the published types alone: every entry that types a method knows the registry\'s names', async () => {
  // the issue's case: `{ method: 'portfolio' }` was `string` against `undefined` when the main type entry did not reach
  // the declarations that add the names
  const out = await compile([
    "import type { MarginMethodName } from 'margin-core';",
    "import type { MarginMethods } from 'margin-core/plugin';",
    "type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;",
    `const names: Same<MarginMethodName, ${MARGIN_METHODS.map((m) => `'${m}'`).join(' | ')}> = true;`,
    "const keys: Same<keyof MarginMethods, MarginMethodName> = true;",
    'export { names, keys };',
  ].join('\n'));
  expect(out).toBe('');
}, 120_000);

it('fails when a documented call does not type-check (the check can fail)', async () => {
  const out = await compile("import { createEngine } from 'margin-core';\nconst engine = await createEngine();\nengine.margin({}, {}, { method: 'portfolo' });\nexport {};\n");
  expect(out).toMatch(/main\.ts\(3,\d+\): error TS2820: .*Did you mean '"portfolio"'/);
}, 120_000);

it('the documented calls compile under exactOptionalPropertyTypes too, an explicit undefined option among them (read as absent)', async () => {
  const { readFileSync } = await import('node:fs');
  expect(await compile(readFileSync(uses(), 'utf8'), true)).toBe('');
  // a caller forwarding its own optional settings: each an explicit undefined, which the runtime reads as absent
  const out = await compile([
    "import { createEngine, generateSample } from 'margin-core';",
    'declare const given: { workers?: number; paths?: number; method?: string; seed?: number };',
    "const sample = generateSample({ accounts: 10, seed: 7, coinAccounts: given.workers, positionsPerAccount: undefined });",
    'const engine = await createEngine({ workers: given.workers, backend: undefined, onWarning: undefined });',
    'engine.margin(sample.book, sample.market, { method: given.method, params: undefined, lenient: undefined });',
    "engine.stress(sample.book, sample.market, { spot: { BTC: -0.2 } }, { paths: given.paths, seed: given.seed, onProgress: undefined, reverse: { thresholdUsd: undefined } });",
    'export {};',
  ].join('\n'), true);
  expect(out).toBe('');
}, 120_000);
