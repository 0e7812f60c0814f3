/**
 * The package as a user installs it: `npm pack` on a fresh checkout (the repository's files, no build outputs) builds
 * it (prepack), and the tarball installed into a scratch project offers the library to `import` and to `require`
 * (require(esm), Node ≥ 20.19), its types, the `margin-core` command, the bundled sample and the JSON Schemas. The
 * tarball holds its size budget, and from the install the demo's hints, `bench --help` and every command of README.md,
 * docs/cli.md and docs/getting-started.md run.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

let tarball: string;

beforeAll(async () => {
  freshCheckout(checkout);
  expect(existsSync(join(checkout, 'dist'))).toBe(false);
  await run(npm, ['pack', '--pack-destination', scratch, '--silent'], { ...quiet, cwd: checkout, timeout: 180_000 });
  tarball = join(scratch, readdirSync(scratch).find((f) => f.endsWith('.tgz'))!);
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  await run(npm, ['install', tarball, '--prefer-offline', '--no-save', '--silent'], { ...quiet, timeout: 120_000 });
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
    expect(out).toBe('302 wasm-simd object');
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

/** The package's size budget, in bytes: the tarball, and what it unpacks to. */
const BUDGET = { packed: 5_000_000, unpacked: 16_000_000 };

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('the package\'s size', () => {
  it(`stays within its budget (${BUDGET.packed / 1e6} MB packed, ${BUDGET.unpacked / 1e6} MB unpacked), without source maps or the benchmark bundles`, () => {
    const installed = join(scratch, 'node_modules', 'margin-core');
    const files = filesUnder(installed);
    expect(statSync(tarball).size).toBeLessThanOrEqual(BUDGET.packed);
    expect(files.reduce((sum, f) => sum + statSync(f).size, 0)).toBeLessThanOrEqual(BUDGET.unpacked);
    expect(files.filter((f) => f.endsWith('.map') || /dist\/bench/.test(f))).toEqual([]);
    expect(existsSync(join(installed, 'LICENSE'))).toBe(true);
  });
});

/** Runs a shell line in `cwd` with the installed `margin-core` first on PATH; resolves with its exit code and output. */
async function sh(command: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...quiet.env, PATH: `${join(scratch, 'node_modules', '.bin')}:${process.env.PATH}`, NO_COLOR: '1' };
  return run('bash', ['-c', command], { cwd, env, timeout: 300_000, maxBuffer: 1 << 26 })
    .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
    .catch((e: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
}

/** A folder of the scratch project where `data/` is the installed package's (the README's commands name data/sample/). */
function workDir(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  symlinkSync(join(scratch, 'node_modules', 'margin-core', 'data'), join(dir, 'data'));
  symlinkSync(join(scratch, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** The sh blocks of a page with the comment line before each (`<!-- not run: why -->` blocks are left out). */
function shBlocks(page: string): string[][] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const blocks: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash)\s*$/.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    if (!/^<!-- not run:/.test(lines[before]?.trim() ?? '')) blocks.push(lines.slice(i + 1, end));
    i = end;
  }
  return blocks;
}

/** A line's command and the exit code its comment names (`# exits 1`), else 0. */
function commandOf(line: string): { command: string; exit: number } | undefined {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const comment = text.indexOf(' #');
  const exit = comment >= 0 ? Number(/exits? (\d)/.exec(text.slice(comment))?.[1] ?? 0) : 0;
  return { command: comment >= 0 ? text.slice(0, comment).trim() : text, exit };
}

describe('first contact, from the install', () => {
  it('runs the demo, then every command its last lines suggest', async () => {
    const cwd = workDir('demo');
    const demo = await sh('margin-core demo', cwd);
    expect(demo.code, demo.stderr).toBe(0);
    const next = demo.stdout.split('\n').slice(demo.stdout.split('\n').findIndex((l) => l.startsWith('Next')) + 1)
      .map((l) => /^\s+(margin-core \S.*?)\s{2,}\S/.exec(l)?.[1]).filter((c): c is string => c !== undefined);
    expect(next.length).toBeGreaterThanOrEqual(8);
    const sample = join(scratch, 'node_modules', 'margin-core', 'data', 'sample');
    for (const hint of next) {
      const command = hint.replace('BOOK.json', join(sample, 'book.json')).replace('MARKET.json', join(sample, 'market.json'));
      if (command === 'margin-core page') {
        // a server: it must serve the page, then it is stopped
        const page = spawn(join(scratch, 'node_modules', '.bin', 'margin-core'), ['page', '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        try {
          const url = await new Promise<string>((resolve, reject) => {
            let out = '';
            page.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
              if (match) resolve(match[0]);
            });
            page.on('exit', (code) => reject(new Error(`margin-core page exited with ${code}`)));
          });
          const html = await (await fetch(url)).text();
          expect(html).toContain('<script src="app.js"></script>');
          expect((await fetch(`${url}app.js`)).status).toBe(200);
        } finally {
          page.kill();
        }
        continue;
      }
      const result = await sh(command, cwd);
      expect(result.code, `${command}\n${result.stderr}`).toBe(0);
      expect(result.stdout.length, command).toBeGreaterThan(0);
    }
  }, 600_000);

  it('answers bench --help, and bench says in one line that the suite runs from a clone', async () => {
    const cwd = workDir('bench');
    const help = await sh('margin-core bench --help', cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('run it from a clone of the repository');
    const bench = await sh('margin-core bench', cwd);
    expect(bench.code).toBe(1);
    expect(bench.stderr.trim().split('\n')).toHaveLength(1);
    expect(bench.stderr).toContain('npm ci && npm run bench');
  });

  for (const page of ['README.md', 'docs/cli.md', 'docs/getting-started.md']) {
    it(`runs every command of ${page}`, async () => {
      const cwd = workDir(page.replace(/\W/g, '-'));
      for (const block of shBlocks(page)) {
        for (const line of block) {
          const parsed = commandOf(line);
          if (!parsed || parsed.command === 'npm install margin-core') continue; // installed from the tarball above
          if (parsed.command === 'npm install highs') { // an optional peer dependency, as the page says; from npm's cache
            // with the tarball again: an install prunes what package.json does not list
            await run(npm, ['install', tarball, 'highs', '--prefer-offline', '--no-save', '--silent'], { ...quiet, timeout: 120_000 });
            continue;
          }
          if (/^(margin-core serve|curl)\b/.test(parsed.command)) continue; // the service: test/service/ runs it
          const command = parsed.command.replace(/^npx margin-core\b/, 'margin-core');
          const result = await sh(command, cwd);
          expect(result.code, `${page}: ${command}\n${result.stderr}`).toBe(parsed.exit);
          expect(result.stderr, command).not.toMatch(/\n\s+at .*:\d+:\d+\)?/); // never a stack trace
        }
      }
    }, 600_000);
  }
});
