/**
 * Long steps show progress on a terminal, and only there (src/cli/progress.ts), and check their options first: the
 * bar moves with the bytes of a book read (a big book.json is read for tens of seconds), `generate` counts the
 * accounts written, and `--format arrow` to a terminal is refused before any work.
 */
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bookChunks } from '../src/cli/io.js';
import { generateSample } from '../src/index.js';
import { Progress, type ProgressStream } from '../src/cli/progress.js';
import { outputStarts } from '../src/cli/terminal-share.js';
import { CLI } from './support/cli.js';
import { scratchDir } from './support/scratch-dir.js';

const dir = scratchDir('mc-progress-');

/** A stream that records what is written; `isTTY` as given. */
function recorder(isTTY: boolean): ProgressStream & { text: string } {
  const s = { isTTY, columns: 100, text: '', write: (t: string) => ((s.text += t), true) };
  return s;
}

/** The command run on a pseudo-terminal (`script`), as a user's shell runs it: its exit code and the frames drawn. */
async function onTerminal(args: string): Promise<{ code: number; frames: string[]; text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', `"${process.execPath}" "${CLI}" ${args}`, '/dev/null']);
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('close', (code) => resolve({ code: code ?? -1, text, ms: Date.now() - started, frames: text.split('\r').map((f) => f.replace(/\x1b\[K/g, '').trim()).filter((f) => f !== '') }));
  });
}

describe('the progress decision', () => {
  it('draws on a terminal only: piped or redirected stderr gets nothing', () => {
    const piped = recorder(false);
    const bar = new Progress('margin', 4, piped, () => 0);
    bar.advance(1, 'validating');
    bar.bytes(1, 512e6, 1024e6);
    bar.finish();
    expect(piped.text).toBe('');
  });

  it('moves with the bytes read: 512 of 1,024 MB half-way through the phase', () => {
    const tty = recorder(true);
    let now = 0;
    const bar = new Progress('margin', 4, tty, () => now);
    bar.advance(1, 'reading and margining (cross)'); // phase 1 of 4 starts: 25%
    now = 1000;
    bar.bytes(1, 512e6, 1024e6, 'reading and margining (cross)');
    // (1 + 512/1024) / 4 = 1.5 / 4 = 37.5%, drawn as 38%
    expect(bar.line('x')).toMatch(/ 38% 1\.0s x$/);
    expect(tty.text.split('\r').at(-1)).toMatch(/ 38% 1\.0s reading and margining \(cross\) 512 of 1,024 MB$/);
  });

  it('a book read in chunks tells its bytes as they are read, up to the file size', async () => {
    // a USD book (one with coin-margined accounts is read as objects, not in chunks): 3,000 generated accounts
    const book = join(dir, 'usd-book.json');
    writeFileSync(book, JSON.stringify(generateSample({ accounts: 3_000, seed: 5 }).book));
    const told: [number, number][] = [];
    for await (const chunk of bookChunks(book, {}, (done, total) => told.push([done, total]))) expect(chunk.book).toBeDefined();
    const size = statSync(book).size;
    expect(told.length).toBeGreaterThan(0);
    expect(told.every(([, total]) => total === size)).toBe(true);
    expect(told.at(-1)![0]).toBe(size);
    expect(told.every(([done], i) => i === 0 || done > told[i - 1][0])).toBe(true);
  });
});

describe('on a terminal', () => {
  it('generate counts the accounts written, up to all of them, then clears its line', async () => {
    const out = join(dir, 'generated');
    const run = await onTerminal(`generate --accounts 70000 --format arrow --out "${out}"`);
    expect(run.code).toBe(0);
    const bars = run.frames.filter((f) => f.startsWith('generate ['));
    // the Arrow writer reports each record batch of 65,536 accounts, then the last 70,000 − 65,536 = 4,464
    expect(bars.some((f) => f.endsWith('65,536 of 70,000 accounts'))).toBe(true);
    expect(bars.at(-1)).toMatch(/\] 100% .* 70,000 of 70,000 accounts$/);
    expect(run.text).toContain(`\r\x1b[Kmargin-core: wrote ${join(out, 'book.arrow')}`); // the bar's line cleared, then the result
  });

  it('margin --format arrow to a terminal is refused before any work (exit 2), naming --out', async () => {
    const run = await onTerminal(`margin --sample --format arrow`);
    expect(run.code).toBe(2);
    expect(run.text).toContain('error: --format arrow is binary: give --out FILE (or pipe stdout)');
    expect(run.frames.some((f) => f.startsWith('margin ['))).toBe(false); // refused before the bar started
  });
});

describe('output into a pipe on the bar\'s terminal', () => {
  it('clears the bar for good when output starts, so the pipe\'s reader does not print onto it', async () => {
    const tty = recorder(true);
    const bar = new Progress('liquidate', 4, tty, () => 0, true);
    bar.advance(2, 'cross margin and liquidation');
    outputStarts(); // the first byte of the report goes into the pipe
    expect(tty.text.endsWith('\r\x1b[K')).toBe(true);
    const cleared = tty.text.length;
    bar.advance(1, 'writing');
    bar.finish();
    expect(tty.text.length).toBe(cleared); // nothing drawn after
    // a bar whose stdout is a file keeps drawing
    const own = recorder(true);
    const kept = new Progress('liquidate', 4, own, () => 0, false);
    kept.advance(1, 'validating');
    outputStarts();
    kept.advance(1, 'writing');
    expect(own.text.split('\r').at(-1)).toMatch(/ 50% 0\.0s writing$/);
    kept.finish();
  });

  it('liquidate … | head: the report\'s first line is not glued to the bar', async () => {
    // 30,000 generated accounts: the CSV is written a chunk of the plan at a time, while the bar shows the liquidation
    const out = join(dir, 'piped');
    expect((await onTerminal(`generate --accounts 30000 --out "${out}"`)).code).toBe(0);
    const run = await onTerminal(`liquidate --book "${join(out, 'book.json')}" --market "${join(out, 'market.json')}" --format csv | head -2`);
    expect(run.code).toBe(0);
    const header = run.frames.find((f) => f.includes('account,step,kind'));
    expect(header?.startsWith('account,step,kind')).toBe(true); // it read "…cross margin and liquidationaccount,step,kind"
  });
});

describe('margin on a book read in chunks (an Arrow book)', () => {
  it('moves through reading and margining with the book read, then writing, then clears its line', async () => {
    const out = join(dir, 'chunked');
    const made = await onTerminal(`generate --accounts 140000 --positions 1 --format arrow --out "${out}"`);
    expect(made.code).toBe(0);
    const run = await onTerminal(`margin --book "${join(out, 'book.arrow')}" --market "${join(out, 'market.json')}" --format json --out "${join(out, 'report.json')}"`);
    expect(run.code).toBe(0);
    const bars = run.frames.filter((f) => f.startsWith('margin ['));
    const reading = bars.filter((f) => / of \d+ MB$/.test(f));
    // 140,000 accounts in chunks of at least 65,536: the bar moves after each of the first chunks, below 50% (the
    // phase is the second of four), and reaches the whole file at the end of the phase
    expect(reading.length).toBeGreaterThanOrEqual(2);
    const percent = (f: string) => Number(/\] +(\d+)%/.exec(f)![1]);
    expect(percent(reading[0])).toBeGreaterThan(25);
    expect(percent(reading.at(-1)!)).toBe(50);
    expect(reading.at(-1)).toMatch(/ (\d+) of \1 MB$/);
    expect(bars.some((f) => f.endsWith('writing'))).toBe(true);
    expect(run.text).toMatch(/\r\x1b\[Kmargin-core: wrote /);
  });

  it('liquidate reads an Arrow book whole a chunk at a time, the bar moving with the rows read', async () => {
    const out = join(dir, 'whole');
    expect((await onTerminal(`generate --accounts 140000 --positions 1 --format arrow --out "${out}"`)).code).toBe(0);
    const run = await onTerminal(`liquidate --book "${join(out, 'book.arrow')}" --market "${join(out, 'market.json')}" --format table --out "${join(out, 'steps.txt')}"`);
    expect(run.code).toBe(0);
    const reading = run.frames.filter((f) => f.startsWith('liquidate [') && / of \d+ MB$/.test(f));
    // 140,000 accounts in chunks of at least 65,536: told after each chunk, the first phase of four ending at 25%
    expect(reading.length).toBeGreaterThanOrEqual(2);
    expect(reading.at(-1)).toMatch(/\] +25% .* (\d+) of \1 MB$/);
  });
});
