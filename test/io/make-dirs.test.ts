/**
 * makeDirs: a folder and the missing ones above it, one level at a time; a path Node's recursive mkdir never returns
 * on (under /proc) fails at once, and the commands that create folders say so in one failure line.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/io/make-dirs.js';
import { marginCore } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

describe('makeDirs', () => {
  const dir = scratchDir('mc-make-dirs-');
  it('creates the missing folders, leaves an existing one alone, and refuses a file on the way', async () => {
    await makeDirs(join(dir, 'a', 'b', 'c'));
    expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    await makeDirs(join(dir, 'a', 'b')); // exists: nothing to do
    writeFileSync(join(dir, 'file'), 'x');
    await expect(makeDirs(join(dir, 'file', 'd'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it.runIf(existsSync('/proc/self'))('fails at once under /proc, where a recursive mkdir spins forever', async () => {
    await expect(makeDirs('/proc/no-such-folder/x')).rejects.toMatchObject({ code: 'ENOENT' });
    const run = await marginCore('sample', '/proc/no-such-folder');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/DIR: cannot write in \/proc\/no-such-folder: ENOENT/);
    const generate = await marginCore('generate', '--accounts', '10', '--out', '/proc/no-such-folder');
    expect(generate.code).toBe(1);
    expect(generate.stderr).toMatch(/^margin-core: --out: cannot write in \/proc\/no-such-folder/); // a failure, not "invalid input"
  });

  it('refuses a file given as the output folder in one failure line, before any work (generate, import, sample)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    for (const args of [['generate', '--accounts', '10', '--out', file], ['sample', file]]) {
      const run = await marginCore(...args);
      expect({ code: run.code, stdout: run.stdout }, args[0]).toEqual({ code: 1, stdout: '' });
      expect(run.stderr, args[0]).toBe(`margin-core: ${args[0] === 'sample' ? 'DIR' : '--out'}: cannot write in ${file}: ${file} is not a folder\n`);
    }
  });
});
