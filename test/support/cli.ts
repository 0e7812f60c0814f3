import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
/** The bundled sample (data/sample/). */
export const SAMPLE = join(ROOT, 'data', 'sample');

/** Runs the built CLI; resolves with its exit code and output (non-zero exits do not throw). */
export async function marginCore(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return marginCoreWith({}, ...args);
}

/** {@link marginCore} with `env` added to the environment. */
export async function marginCoreWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { maxBuffer: 1 << 26, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
