/**
 * Every code example of the README and the docs runs, so none can go stale:
 * - a `ts` or `js` block runs as an ES module against the built package (`import … from 'margin-core'` resolves to this
 *   checkout; `./src/…` imports are bundled from the sources), from the repository's root; names the block uses without declaring come from a prelude: the
 *   package's exports, `engine` (createEngine()), and the bundled sample as `book` and `market`;
 * - a `sh` block runs line by line in a scratch folder that sees the repository's `data/`, `dist/` and `schemas/`, with
 *   `margin-core` the built CLI; a line must exit 0, or the code its comment names (`# exits 1`);
 * - a block followed by a `text output` block must print exactly that.
 * A block whose preceding line is `<!-- not run: why -->` is skipped (the reason is required); `<!-- run by FILE -->`
 * names the test that runs it (the file must exist and name the page).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

const run = promisify(execFile);

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  marker?: string;
  output?: string;
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** The fenced blocks of a page, with the HTML comment on the line before each and the `text output` block after it. */
export function blocksOf(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    const code = lines.slice(i + 1, end).join('\n');
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = before >= 0 && /^<!--.*-->$/.test(lines[before].trim()) ? lines[before].trim() : undefined;
    const lang = open[1];
    if (lang === 'text' && open[2] === 'output' && blocks.length > 0 && blocks[blocks.length - 1].output === undefined) {
      blocks[blocks.length - 1].output = code;
    } else {
      blocks.push({ file, line: i + 1, lang, code, marker });
    }
    i = end;
  }
  return blocks;
}

const RUNNABLE = new Set(['ts', 'js', 'sh', 'bash']);
const blocks = markdownFiles().flatMap((f) => blocksOf(f, readFileSync(join(ROOT, f), 'utf8'))).filter((b) => RUNNABLE.has(b.lang));

const scratch = scratchDir('mc-docs-');
mkdirSync(join(scratch, 'node_modules'), { recursive: true });
symlinkSync(ROOT, join(scratch, 'node_modules', 'margin-core'));
const bin = join(scratch, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'margin-core'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist', 'cli.js')}" "$@"\n`, { mode: 0o755 });

/** Names a block imports (its import lines stay at the module's top level, beside the prelude's). */
function importedNames(imports: string): Set<string> {
  const names = new Set<string>();
  for (const m of imports.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from/g)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()!.replace(/^type\s+/, '').trim();
      if (name) names.add(name);
    }
  }
  for (const m of imports.matchAll(/import\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s*(?:,|from)/g)) names.add(m[1]);
  return names;
}

async function runModule(block: Block, index: number): Promise<string> {
  const exports = Object.keys(await import(join(ROOT, 'dist', 'node', 'margin-core.js')));
  // the block's own imports go to the top; the rest runs in a block of its own, so its declarations shadow the prelude's
  const lines = block.code.split('\n');
  const imports = lines.filter((l) => /^import\s/.test(l)).join('\n');
  const body = lines.filter((l) => !/^import\s/.test(l)).join('\n');
  const imported = importedNames(imports);
  const prelude = [
    `import * as __mc from 'margin-core';`,
    `import * as __fs from 'node:fs';`,
    `const { ${exports.filter((n) => !imported.has(n)).join(', ')} } = __mc;`,
    ...(imported.has('readFileSync') ? [] : ['const { readFileSync } = __fs;']),
    `const book = JSON.parse(__fs.readFileSync('data/sample/book.json', 'utf8'));`,
    `const market = JSON.parse(__fs.readFileSync('data/sample/market.json', 'utf8'));`,
    ...(imported.has('engine') ? [] : ['const engine = await __mc.createEngine();']),
  ];
  // bundled from the repository's root, so an example may also import the sources (`./src/layout/index.js`)
  const bundle = await build({
    stdin: { contents: `${imports}\n${prelude.join('\n')}\n{\n${body}\n}\n`, resolveDir: ROOT, loader: 'ts', sourcefile: `${block.file}:${block.line}` },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent',
    external: ['margin-core', 'piscina', 'ioredis', 'highs', 'apache-arrow'],
  });
  const file = join(scratch, `example-${index}.mjs`);
  writeFileSync(file, bundle.outputFiles[0].text);
  const { stdout } = await run(process.execPath, [file], { cwd: ROOT, timeout: 120_000, maxBuffer: 1 << 26 });
  return stdout;
}

/** A sh block's commands: continuation lines joined, prompts and comment-only lines dropped. */
export function commandsOf(code: string): { command: string; exit: number; background: boolean }[] {
  const joined = code.replace(/\\\n\s*/g, ' ').split('\n');
  const out: { command: string; exit: number; background: boolean }[] = [];
  for (const raw of joined) {
    const line = raw.replace(/^\$\s+/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const comment = line.indexOf(' #');
    const exit = comment >= 0 ? Number(/exits? (\d)/.exec(line.slice(comment))?.[1] ?? 0) : 0;
    const command = comment >= 0 ? line.slice(0, comment).trim() : line;
    const background = command.endsWith('&') && !command.endsWith('&&');
    out.push({ command: background ? command.slice(0, -1).trim() : command, exit, background });
  }
  return out;
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
      if (!block.marker) continue;
      const notRun = /^<!-- not run: (.+) -->$/.exec(block.marker);
      const runBy = /^<!-- run by (\S+) -->$/.exec(block.marker);
      if (notRun) continue;
      if (runBy) {
        const test = join(ROOT, runBy[1]);
        expect(existsSync(test) && statSync(test).isFile(), `${block.file}:${block.line}: ${runBy[1]} does not exist`).toBe(true);
        expect(readFileSync(test, 'utf8'), `${runBy[1]} does not name ${block.file}`).toContain(block.file);
      }
    }
  });

  blocks.forEach((block, index) => {
    const skip = block.marker !== undefined && /^<!-- (not run: .+|run by \S+) -->$/.test(block.marker);
    if (skip) return;
    it(`${block.file}:${block.line} (${block.lang})`, async () => {
      const stdout = block.lang === 'sh' || block.lang === 'bash' ? await runShell(block, index) : await runModule(block, index);
      if (block.output !== undefined) expect(stdout.trimEnd()).toBe(block.output.trimEnd());
    });
  });
});
