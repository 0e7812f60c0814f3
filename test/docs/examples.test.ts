/**
 * Every code example of the README and the docs runs from the repository, so none can go stale (the same blocks run
 * from the installed package in test/package/installed.test.ts; test/support/doc-blocks.ts says how a block states
 * its context: `not run`, `run by`, `name`, `after`, `file`):
 * - a `ts` or `js` block runs as an ES module against the built package (`import … from 'margin-core'` resolves to this
 *   checkout), from the repository's root, where data/ holds what `margin-core sample data` writes for a reader; it
 *   declares what it uses, or continues the block that does (`<!-- after: NAME -->`);
 * - a `sh` block runs line by line in a scratch folder that sees the repository's `data/`, `dist/` and `schemas/`, with
 *   `margin-core` the built CLI; a line must exit 0, or the code its comment names (`# exits 1`);
 * - a block followed by a `text output` block must print exactly that.
 * A block marked `<!-- not run: why -->` is skipped (the reason is required); `<!-- run by FILE -->` names the test
 * that runs it from the repository (the file must exist and name the page).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { type Block, commandsOf, docBlocks, isShell, markerValue, programOf, runBy } from '../support/doc-blocks.js';
import { scratchDir } from '../support/scratch-dir.js';

const run = promisify(execFile);

const blocks = docBlocks(ROOT);

const scratch = scratchDir('mc-docs-');
mkdirSync(join(scratch, 'node_modules'), { recursive: true });
symlinkSync(ROOT, join(scratch, 'node_modules', 'margin-core'));
const bin = join(scratch, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'margin-core'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist', 'cli.js')}" "$@"\n`, { mode: 0o755 });

/** A page's `<!-- file: PATH -->` blocks, saved in its scratch folder (what the page's other blocks import). */
function pageFolder(file: string): string {
  const dir = join(scratch, 'pages', file.replace(/\W/g, '-'));
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  for (const block of blocks.filter((b) => b.file === file)) {
    const path = markerValue(block, 'file');
    if (path === undefined) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), `${block.code}\n`);
  }
  return dir;
}

async function runModule(block: Block, index: number): Promise<string> {
  const { imports, body } = programOf(block, blocks.filter((b) => b.file === block.file));
  const bundle = await build({
    stdin: { contents: `${imports.join('\n')}\n${body}\nexport {};\n`, resolveDir: pageFolder(block.file), loader: 'ts', sourcefile: `${block.file}:${block.line}` },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent',
    external: ['margin-core', 'piscina', 'ioredis', 'highs', 'apache-arrow'],
    tsconfigRaw: {}, // `margin-core` is the built package (external), not the sources the repository's tsconfig paths name
  });
  const file = join(scratch, `example-${index}.mjs`);
  writeFileSync(file, bundle.outputFiles[0].text);
  const { stdout } = await run(process.execPath, [file], { cwd: ROOT, timeout: 120_000, maxBuffer: 1 << 26 });
  return stdout;
}

async function runShell(block: Block, index: number): Promise<string> {
  const cwd = join(scratch, `sh-${index}`);
  mkdirSync(cwd);
  for (const dir of ['data', 'dist', 'schemas', 'node_modules', 'package.json']) symlinkSync(join(ROOT, dir), join(cwd, dir));
  let stdout = '';
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' };
  const background: ChildProcess[] = [];
  try {
    for (const { command, exit, background: detached } of commandsOf(block.code)) {
      if (/^npm (install|i)( (margin-core|highs|piscina|ioredis))+$/.test(command)) continue; // in the repository, the package is this checkout
      const shell = command.replace(/^npx margin-core\b/, 'margin-core').replace(/^npm start\b/, 'margin-core demo');
      if (detached) {
        // a server the next lines talk to (redis-server, a worker): its own process group, stopped after the block
        background.push(spawn('bash', ['-c', `exec ${shell}`], { cwd, env, detached: true, stdio: 'ignore' }));
        continue;
      }
      const result = await run('bash', ['-c', shell], { cwd, timeout: 300_000, maxBuffer: 1 << 26, env })
        .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
        .catch((e: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
      expect(result.code, `${command}\n${result.stderr}`).toBe(exit);
      expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // never a stack trace
      stdout += result.stdout;
    }
  } finally {
    for (const child of background) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
    }
  }
  return stdout;
}

describe('docs examples', () => {
  it('every runnable block is run here, skipped with a reason, or run by a named test', () => {
    for (const block of blocks) {
      const test = runBy(block);
      if (test === undefined) continue;
      expect(existsSync(join(ROOT, test)) && statSync(join(ROOT, test)).isFile(), `${block.file}:${block.line}: ${test} does not exist`).toBe(true);
      expect(readFileSync(join(ROOT, test), 'utf8'), `${test} does not name ${block.file}`).toContain(block.file);
    }
  });

  blocks.forEach((block, index) => {
    if (markerValue(block, 'not run') !== undefined || runBy(block) !== undefined || markerValue(block, 'file') !== undefined) return;
    it(`${block.file}:${block.line} (${block.lang})`, async () => {
      const stdout = isShell(block) ? await runShell(block, index) : await runModule(block, index);
      if (block.output !== undefined) expect(stdout.trimEnd()).toBe(block.output.trimEnd());
    });
  });
});
