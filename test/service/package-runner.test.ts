/**
 * `npx margin-core serve` stopped by a signal to npm: npm passes it to its `sh -c`, which dies without passing it on.
 * The service, started by npm (`npm_command` set), notices its parent is gone and stops as on SIGTERM; started
 * directly, it runs on (a parent's exit says nothing then). The shell here stands in for npm's, killed outright.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { CLI } from '../support/cli.js';
import { TOKEN, writeInputs } from './helpers.js';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * `serve` started in the background of a shell that then waits; resolves once it listens, with its pid, the shell and
 * a promise of everything written to the shared stdout once every writer closed it.
 */
async function serveUnderShell(npmCommand: string | undefined) {
  const inputs = await writeInputs();
  const { npm_command: _, ...env } = process.env;
  const script = `"${process.execPath}" "${CLI}" serve --book "${inputs.book}" --market "${inputs.market}" --port 0 & echo "pid $!"; wait`;
  const shell = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...env, MARGIN_CORE_TOKEN: TOKEN, ...(npmCommand ? { npm_command: npmCommand } : {}) } });
  let out = '';
  const closed = new Promise<string>((resolve) => shell.stdout.on('end', () => resolve(out)));
  const pid = await new Promise<number>((resolve, reject) => {
    shell.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /pid (\d+)[\s\S]*listening on/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    shell.once('exit', () => reject(new Error(`the shell exited first: ${out}`)));
  });
  started.push(pid);
  return { pid, shell, closed, dir: inputs.dir };
}

describe('a service started by npm stops with it', () => {
  it('stops in order (SIGTERM\'s path, exit 0) once the shell npm ran it under is killed', async () => {
    const { shell, closed, dir } = await serveUnderShell('exec');
    shell.kill('SIGKILL');
    const out = await closed; // the service's end closes the stdout it shares
    expect(out).toContain('margin-core serve: SIGTERM, shutting down');
    await rm(dir, { recursive: true, force: true });
  }, 20_000);

  it('runs on when it was not started by npm', async () => {
    const { pid, shell, dir } = await serveUnderShell(undefined);
    shell.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // three polls of a watch it does not have
    expect(() => process.kill(pid, 0)).not.toThrow();
    // alive, not a zombie nobody reaped (an orphan's new parent may not reap it)
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    expect(state).not.toBe('Z');
    await rm(dir, { recursive: true, force: true });
  }, 20_000);
});
