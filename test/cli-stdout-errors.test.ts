/**
 * Output that cannot be written is an error, never a silently cut report (docs/cli.md, exit codes): stdout redirected
 * to a file on a full disk, a file-size limit or /dev/full, and `--out` naming a device, end with exit 1 and one line
 * on stderr naming what failed; only a reader that closes the pipe (`| head -1`) ends the command quietly with 0.
 * A full disk is met as a short write (the write takes part of the bytes, says so only in its count), then ENOSPC;
 * `ulimit -f` makes the same short write without root (then EFBIG). A file given to `--out` that fails is named, with
 * its option.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI, marginCore } from './support/cli.js';
import { scratchDir } from './support/scratch-dir.js';

const run = promisify(execFile);
const dir = scratchDir('mc-stdout-');

/** Each command and format a user redirects, with the sample (every one prints more than 4 KiB). */
const COMMANDS = [
  ['margin', '--sample'],
  ['margin', '--sample', '--format', 'json'],
  ['margin', '--sample', '--format', 'csv'],
  ['liquidate', '--sample', '--format', 'json'],
  ['stress', '--sample', '--format', 'json'],
];

/** /dev/full takes no byte: every write fails with ENOSPC (Linux; absent elsewhere). */
const devFull = (() => {
  try {
    return statSync('/dev/full').isCharacterDevice();
  } catch {
    return false;
  }
})();

/** Runs the CLI with stdout on `fd` (a file the test opened, as a shell's `> FILE` does). */
function runWithStdout(fd: number, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** `margin-core ARGS > OUT` under a 4 KiB file-size limit (bash counts 1,024-byte blocks). */
async function limitedRedirect(out: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const script = 'ulimit -f 4; out=$1; shift; exec "$@" > "$out"';
  return run('bash', ['-c', script, 'bash', out, process.execPath, CLI, ...args]).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

describe('stdout that cannot be written', () => {
  for (const [i, args] of COMMANDS.entries()) {
    it(`${args.join(' ')} > FILE cut short by the disk (a file-size limit): exit 1, one line naming stdout`, async () => {
      const { code, stderr } = await limitedRedirect(join(dir, `limited-${i}.out`), args);
      expect(code).toBe(1);
      expect(stderr).toBe('margin-core: could not write to standard output: EFBIG: file too large\n');
    });
  }

  it.skipIf(!devFull)('margin --format json > /dev/full: exit 1, one line naming stdout and ENOSPC', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const { code, stderr } = await runWithStdout(fd, ['margin', '--sample', '--format', 'json']);
      expect(code).toBe(1);
      expect(stderr).toBe('margin-core: could not write to standard output: ENOSPC: no space left on device\n');
    } finally {
      closeSync(fd);
    }
  });

  for (const args of COMMANDS) {
    it(`${args.join(' ')} | head -1: exit 0, nothing on stderr`, async () => {
      const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args]);
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.stdout.once('data', () => child.stdout.destroy()); // read one chunk, then hang up
        child.on('close', (exit) => resolve({ code: exit ?? -1, stderr }));
      });
      expect([code, stderr]).toEqual([0, '']);
    });
  }
});

/** `margin-core ARGS --out OUT` under a 4 KiB file-size limit: the report's file cut short by the disk. */
async function limitedOut(out: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const script = 'ulimit -f 4; exec "$@"';
  return run('bash', ['-c', script, 'bash', process.execPath, CLI, ...args, '--out', out]).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

// Node's own message (`ENOSPC: no space left on device, write`) names no file: the command's names its --out
describe('--out that cannot be written: exit 1, one line naming the file and the option', () => {
  for (const args of [...COMMANDS, ['margin', '--sample', '--format', 'arrow']]) {
    it.skipIf(!devFull)(`${args.join(' ')} --out /dev/full`, async () => {
      const { code, stdout, stderr } = await marginCore(...args, '--out', '/dev/full');
      expect([code, stdout]).toEqual([1, '']);
      expect(stderr).toBe('margin-core: could not write /dev/full (--out): ENOSPC: no space left on device\n');
    });
  }

  it('--out FILE cut short by the disk (a file-size limit): the file named, nothing left behind', async () => {
    const out = join(dir, 'limited-out');
    mkdirSync(out);
    for (const [i, args] of [['margin', '--sample', '--format', 'json'], ['margin', '--sample', '--format', 'arrow'], ['liquidate', '--sample', '--format', 'csv']].entries()) {
      const file = join(out, `report-${i}`);
      const { code, stderr } = await limitedOut(file, args);
      expect(code, args.join(' ')).toBe(1);
      expect(stderr).toBe(`margin-core: could not write ${file} (--out): EFBIG: file too large\n`);
    }
    expect(readdirSync(out)).toEqual([]); // no report, no temporary file
  });

  it.skipIf(!devFull)('backtest --save-history /dev/full names that option', async () => {
    const { code, stderr } = await marginCore('backtest', '--days', '300', '--save-history', '/dev/full');
    expect(code).toBe(1);
    expect(stderr).toBe('margin-core: could not write /dev/full (--save-history): ENOSPC: no space left on device\n');
  });
});

describe('--out naming a device or a pipe is written in place, not replaced', () => {
  // a link to /dev/full, not /dev/full itself: a CLI that renamed a file over its --out must not take the device away
  it.skipIf(!devFull)('--out to /dev/full (by a link) fails: exit 1, ENOSPC, no "wrote" line; the link is left as it was', async () => {
    const full = join(dir, 'full');
    symlinkSync('/dev/full', full);
    const { code, stdout, stderr } = await marginCore('margin', '--sample', '--format', 'json', '--out', full);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toContain('ENOSPC');
    expect(stderr).not.toContain('wrote');
    expect(lstatSync(full).isSymbolicLink()).toBe(true);
  });

  it('--out to a named pipe writes the report through it, the pipe left in place', async () => {
    const fifo = join(dir, 'report.fifo');
    await run('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (d) => (received += d));
    const read = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const written = await marginCore('margin', '--sample', '--format', 'csv', '--out', fifo);
    // a CLI that replaced the pipe never opens it: the reader would wait for ever
    const late = setTimeout(() => reader.kill(), 2000);
    await read;
    clearTimeout(late);
    const printed = await marginCore('margin', '--sample', '--format', 'csv');
    expect(written.code).toBe(0);
    expect(received).toBe(printed.stdout);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(written.stderr).toMatch(/^margin-core: wrote .*report\.fifo: 302 accounts/);
  });

  // `--out /dev/stdout | head -1` is the same: a pipe whose reader hangs up. A report that fits in the pipe's buffer
  // (64 KiB) is written whole before the reader leaves ("wrote …"); a larger one meets the closed pipe (EPIPE)
  for (const [i, args] of COMMANDS.entries()) {
    it(`${args.join(' ')} --out FIFO whose reader stops after 100 bytes: exit 0, as | head, never "could not write"`, async () => {
      const fifo = join(dir, `early-${i}.fifo`);
      await run('mkfifo', [fifo]);
      const reader = spawn('head', ['-c', '100', fifo]);
      const read = new Promise<void>((resolve) => reader.on('close', () => resolve()));
      const written = await marginCore(...args, '--out', fifo);
      await read;
      expect(written.code).toBe(0);
      const whole = (await marginCore(...args)).stdout.length > 65_536;
      // the larger reports met the closed pipe: nothing said (as | head); the smaller ones were written whole
      expect(written.stderr).toMatch(whole ? /^$/ : /^margin-core: wrote /);
    });
  }
});

it('the sample prints more than the 4 KiB limit in every command (else the limit tests prove nothing)', async () => {
  for (const args of COMMANDS) expect((await marginCore(...args)).stdout.length, args.join(' ')).toBeGreaterThan(4096 * 2);
});
