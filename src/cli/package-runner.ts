/**
 * A command started by npm (`npx margin-core serve`, `npm start`) runs under `sh -c` below npm: a SIGTERM to npm (a
 * process manager stopping it, a test harness, `kill`) reaches the shell, which dies without passing it on, and this
 * process would run on as an orphan, still holding its port and its partitions. So, started by npm, this process
 * watches its parent: once the parent it started under is gone, it signals itself SIGTERM and stops as the command
 * stops on SIGTERM (a service drains and exits 0; a batch command ends). Run directly (`node_modules/.bin/margin-core`,
 * a service manager, `nohup … &`) nothing is watched: a parent's exit then says nothing about stopping.
 */
import { PARENT_PIPE_ENV } from './commands/live.js';

/** How often the parent is looked at (ms): a stop reaches the command within this. */
export const PARENT_POLL_MS = 500;

/**
 * Stops this process as on SIGTERM when the parent it started under is gone, if npm started it (`npm_command` in its
 * environment). A shard `live-local` started has its own tie to its parent (its stdin pipe, live.ts) and is left to it:
 * a second SIGTERM would cut its drain short.
 */
export function stopWithPackageRunner(env: NodeJS.ProcessEnv = process.env, pollMs = PARENT_POLL_MS): void {
  if (env.npm_command === undefined || env[PARENT_PIPE_ENV] === '1') return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, pollMs);
  timer.unref(); // the watch alone keeps nothing running
}
