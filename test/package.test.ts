/**
 * The package as a user installs it (issue 13 item 15): `npm pack` on a fresh checkout (the repository's files, no
 * build outputs) builds it (prepack), and the tarball installed into a scratch project offers the library to `import`
 * and to `require` (require(esm), Node ≥ 20.19), its types, the `margin-core` command, the bundled sample and the JSON
 * Schemas.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { scratchDir } from './support/scratch-dir.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const scratch = scratchDir('mc-pack-');
const checkout = scratchDir('mc-checkout-');
const quiet = { cwd: scratch, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }, maxBuffer: 1 << 24 };

/** A checkout of the repository's files (tracked, and new ones not ignored) into `dir`, without dist/ or build/, sharing node_modules. */
function freshCheckout(dir: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
}

beforeAll(async () => {
  freshCheckout(checkout);
  expect(existsSync(join(checkout, 'dist'))).toBe(false);
  await run(npm, ['pack', '--pack-destination', scratch, '--silent'], { ...quiet, cwd: checkout, timeout: 180_000 });
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  await run(npm, ['install', join(scratch, tarball), '--prefer-offline', '--no-save', '--silent'], { ...quiet, timeout: 120_000 });
}, 300_000);

const node = (code: string) => run(process.execPath, ['--input-type=module', '-e', code], quiet).then((r) => r.stdout.trim());

describe('the packed package, installed', () => {
  it('imports as ESM and computes margin on the bundled sample reached through its exports', async () => {
    const out = await node(`
      import { createEngine } from 'margin-core';
      import { createRequire } from 'node:module';
      import { readFileSync } from 'node:fs';
      const r = createRequire(import.meta.url);
      const read = (p) => JSON.parse(readFileSync(r.resolve(p), 'utf8'));
      const engine = await createEngine();
      const report = engine.margin(read('margin-core/sample/book.json'), read('margin-core/sample/market.json'), { method: 'portfolio' });
      console.log(report.accounts.length, engine.backend, typeof read('margin-core/schemas/report.schema.json').properties);`);
    expect(out).toBe('300 wasm-simd object');
  });

  it('requires from CommonJS (require(esm)) and ships its type declarations', async () => {
    const { stdout } = await run(process.execPath, ['-e', "const m = require('margin-core'); console.log(typeof m.createEngine, typeof m.MARGIN_METHODS.length)"], quiet);
    expect(stdout.trim()).toBe('function number');
    expect(existsSync(join(scratch, 'node_modules', 'margin-core', 'dist', 'types', 'index.d.ts'))).toBe(true);
  });

  it('installs the margin-core command', async () => {
    const { stdout } = await run(join(scratch, 'node_modules', '.bin', 'margin-core'), ['--version'], quiet);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
