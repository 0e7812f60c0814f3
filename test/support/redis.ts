/**
 * A real Redis for the cluster tests: Debian's redis-server on loopback, a free port, persistence off unless asked,
 * stopped by its pid; and `margin-core worker` processes from the built CLI, stopped (or killed) by theirs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, redisAnswers } from '../../bench/live-cluster-procs.js';
import { CLI } from './cli.js';

export { freePort };

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** kill -9: no shutdown, no final write (what the append-only file holds is what survives). */
  kill(): Promise<void>;
  /** Sends a signal: SIGSTOP freezes the server with its sockets open (it answers nothing), SIGCONT resumes it. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts redis-server; `extraArgs` come after the defaults and so override them, e.g.
 * `['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]` for the durable log's tests. `port`: a given
 * one (to restart a killed server where its clients reconnect), else a free one.
 */
export async function startRedis(extraArgs: readonly string[] = [], port?: number): Promise<RedisServer> {
  port ??= await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await redisAnswers(port)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await redisAnswers(port))) throw new Error(`redis-server did not start on port ${port}`);
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopProcess(child), kill: () => stopProcess(child, 'SIGKILL'), signal: (signal) => void child.kill(signal) };
}

export interface WorkerProcess {
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts `margin-core worker` (`cli`: another build's CLI bundle) and resolves once it joined the group. */
export async function startWorker(url: string, group: string, options: { claimIdleMs?: number; stallMs?: number; consumer?: string; cli?: string } = {}): Promise<WorkerProcess> {
  const env = { ...process.env, ...(options.stallMs ? { MARGIN_CORE_TEST_STALL_MS: String(options.stallMs) } : {}) };
  const named = options.consumer === undefined ? [] : ['--consumer', options.consumer];
  const child = spawn(process.execPath, [options.cli ?? CLI, 'worker', '--redis', url, '--group', group, '--claim-idle-ms', String(options.claimIdleMs ?? 600), '--health-every', '0', ...named], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  for (let i = 0; i < 200 && !err.includes('joined group'); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!err.includes('joined group')) throw new Error(`worker did not start: ${err}`);
  return { child, stderr: () => err, stop: () => stopProcess(child), kill: () => stopProcess(child, 'SIGKILL') };
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, signal);
  await exited;
}
