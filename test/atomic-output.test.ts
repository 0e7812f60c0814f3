/**
 * Every `--out` (and `generate --out DIR`'s two files) is written atomically: a temporary file beside the target,
 * renamed over it once whole. A write that fails (a file-size limit: the write takes part of a buffer, then EFBIG) or
 * a run interrupted by SIGTERM leaves the target as it was (absent, or the previous whole file) and no temporary file;
 * SIGKILL, which cannot be caught, still leaves the target untouched.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAtomic, removePendingFiles } from '../src/io/atomic-file.js';
import { openOutput } from '../src/cli/output.js';
import { InputError } from '../src/errors.js';
import { CLI, marginCore, SAMPLE } from './support/cli.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mc-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const temps = async (folder: string) => (await readdir(folder)).filter((name) => name.endsWith('.tmp'));

describe('openAtomic', () => {
  it('shows the file under its name only once committed; a discarded or abandoned one leaves nothing', async () => {
    const target = join(dir, 'a.txt');
    await writeFile(target, 'previous whole file\n');
    const file = await openAtomic(target);
    await file.write('half of a new');
    expect(await readFile(target, 'utf8')).toBe('previous whole file\n');
    expect(await temps(dir)).toEqual([file.tempPath.slice(dir.length + 1)]);
    await file.write(' file\n');
    await file.commit();
    expect(await readFile(target, 'utf8')).toBe('half of a new file\n');
    expect(await temps(dir)).toEqual([]);

    const discarded = await openAtomic(target);
    await discarded.write('never');
    await discarded.discard();
    const abandoned = await openAtomic(join(dir, 'b.txt'));
    await abandoned.write('never either');
    removePendingFiles(); // what the process does on its way out
    expect(await readFile(target, 'utf8')).toBe('half of a new file\n');
    expect((await readdir(dir)).sort()).toEqual(['a.txt']);
    await abandoned.discard(); // its handle closed (a process on its way out closes it with the rest)
  });

  it('keeps the messages of --out: a missing folder, a folder, a read-only file', async () => {
    const problem = async (path: string) => {
      try {
        await openOutput(path);
      } catch (error) {
        return (error as InputError).problems[0];
      }
      return null;
    };
    expect(await problem(join(dir, 'no-such-folder', 'x.json'))).toEqual({ path: '--out', message: `cannot write ${join(dir, 'no-such-folder', 'x.json')}: the folder ${join(dir, 'no-such-folder')} does not exist` });
    expect((await problem(dir))?.message).toContain('it is a folder');
    const readOnly = join(dir, 'read-only.json');
    await writeFile(readOnly, 'x');
    await chmod(readOnly, 0o444);
    if (process.getuid?.() !== 0) expect((await problem(readOnly))?.message).toContain('permission denied'); // root may write anyway
    expect(await temps(dir)).toEqual([]);
  });
});

describe('openOutput', () => {
  it('writes pieces given faster than the disk takes them in their order, whole, and only once ended', async () => {
    const target = join(dir, 'pieces.bin');
    const output = await openOutput(target);
    const pieces = Array.from({ length: 40 }, (_, k) => new Uint8Array(1 << 20).fill(k + 1)); // 40 MB: past the write-behind bound
    for (const piece of pieces) await output.writeBytes(piece);
    await output.write('tail\n');
    expect(await readdir(dir)).not.toContain('pieces.bin');
    await output.end();
    const bytes = await readFile(target);
    expect(bytes.length).toBe(40 * (1 << 20) + 5);
    for (let k = 0; k < 40; k++) expect([bytes[k << 20], bytes[((k + 1) << 20) - 1]]).toEqual([k + 1, k + 1]);
    expect(bytes.subarray(40 << 20).toString()).toBe('tail\n');
    expect(await temps(dir)).toEqual([]);
  });
});

describe('the CLI', () => {
  it('writes --out with the bytes it would print', async () => {
    const out = join(dir, 'report.json');
    const printed = await marginCore('margin', '--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json'), '--format', 'json');
    const written = await marginCore('margin', '--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json'), '--format', 'json', '--out', out);
    expect(written.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(printed.stdout);
  });

  it('a write that fails midway (a 50 KiB file-size limit) exits 1 and leaves the previous file whole, no temporary file', async () => {
    const folder = join(dir, 'limited');
    await mkdir(folder);
    const out = join(folder, 'report.json');
    const margin = `node ${CLI} margin --book ${join(SAMPLE, 'book.json')} --market ${join(SAMPLE, 'market.json')} --format json --out ${out}`;
    // bash's ulimit -f counts 1,024-byte blocks; the report is ~150 KB
    const failed = await run('bash', ['-c', `ulimit -f 50; ${margin}`]).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('EFBIG');
    expect(await readdir(folder)).toEqual([]);
    await writeFile(out, '{"previous":"report"}\n');
    const again = await run('bash', ['-c', `ulimit -f 50; ${margin}`]).then(() => 0, (e: { code: number }) => e.code);
    expect(again).toBe(1);
    expect(await readFile(out, 'utf8')).toBe('{"previous":"report"}\n');
    expect(await temps(folder)).toEqual([]);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`generate --out DIR interrupted by ${signal} while writing the book leaves no book.json${signal === 'SIGTERM' ? ' and no temporary file' : ''}`, async () => {
      const folder = join(dir, `generate-${signal}`);
      await mkdir(folder);
      await writeFile(join(folder, 'book.json'), '{"previous":"book"}\n');
      const child = spawn(process.execPath, [CLI, 'generate', '--accounts', '2000000', '--out', folder], { stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, s) => resolve(s)));
      // wait until the book's temporary file holds some of the book
      for (let i = 0; i < 600; i++) {
        const tmp = (await temps(folder)).find((n) => n.startsWith('.book.json.'));
        if (tmp && (await readFile(join(folder, tmp))).length > 1 << 20) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(await readFile(join(folder, 'book.json'), 'utf8')).toBe('{"previous":"book"}\n');
      if (signal === 'SIGTERM') expect(await temps(folder)).toEqual([]);
      else expect((await temps(folder)).length).toBeLessThanOrEqual(1); // SIGKILL cannot be caught: the temporary file may stay
    }, 60_000);
  }
});
