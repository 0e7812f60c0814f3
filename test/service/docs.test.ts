/**
 * docs/service.md's session, run: the commands of its ```sh session block, against `margin-core serve` on the bundled
 * sample with a token in MARGIN_CORE_TOKEN, each answer compared with the `# → ` lines after its command (a line
 * ending in `…` is a prefix). So the page cannot go stale.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, SAMPLE } from '../support/cli.js';
import { TOKEN } from './helpers.js';

const run = promisify(execFile);

interface Step {
  command: string;
  expected: string[];
}

/** The session block's commands, variable assignments (kept for the commands after them) and expected lines. */
function session(): { steps: Step[]; assignments: string[] } {
  const text = readFileSync(join(ROOT, 'docs', 'service.md'), 'utf8');
  const block = /```sh session\n([\s\S]*?)```/.exec(text);
  if (!block) throw new Error('docs/service.md has no ```sh session block');
  const steps: Step[] = [];
  const assignments: string[] = [];
  for (const line of block[1].split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# → ')) steps.at(-1)!.expected.push(line.slice(4));
    else if (/^[A-Z_]+=/.test(line)) assignments.push(line);
    else steps.push({ command: line, expected: [] });
  }
  return { steps, assignments };
}

let child: ReturnType<typeof spawn>;
let port: string;
beforeAll(async () => {
  child = spawn(process.execPath, [CLI, 'serve', '--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, MARGIN_CORE_TOKEN: TOKEN },
  });
  port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
  });
});
afterAll(() => {
  child?.kill('SIGTERM');
});

describe('docs/service.md, the session', () => {
  const { steps, assignments } = session();
  it('has commands, each with its answer', () => {
    expect(steps.length).toBeGreaterThanOrEqual(10);
    for (const step of steps) expect(step.expected.length, step.command).toBeGreaterThan(0);
  });

  for (const step of steps) {
    it(step.command.slice(0, 100), async () => {
      const script = [...assignments, step.command].join('\n').replaceAll('localhost:8787', `localhost:${port}`);
      const { stdout } = await run('bash', ['-c', script], { env: { ...process.env, MARGIN_CORE_TOKEN: TOKEN } });
      const lines = stdout.replace(/\n$/, '').split('\n');
      expect(lines.length, stdout).toBe(step.expected.length);
      step.expected.forEach((expected, k) => {
        if (expected.endsWith('…')) expect(lines[k].startsWith(expected.slice(0, -1)), `${lines[k]}\n  should start with\n${expected}`).toBe(true);
        else expect(lines[k]).toBe(expected);
      });
    });
  }
});
