import type { Command } from 'commander';

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CommandFailed } from '../io.js';

/** The benchmark bundle next to the CLI bundle (dist/), or dist/ seen from the sources (src/cli/commands/). */
export function benchScript(): string | undefined {
  for (const relative of ['./bench.js', '../../../dist/bench.js']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Why the installed package has no benchmarks, and how to run them. */
const FROM_A_CLONE = 'the benchmark suite is not in the npm package: it compares against npm packages that are development dependencies ' +
  '(@uqee/black-scholes, black-scholes, tinybench, autocannon); run it from a clone of the repository with `npm ci && npm run bench`';

/**
 * `margin-core bench`: the benchmark suite (bench/main.ts, bundled as dist/bench.js) in a child Node
 * process, so its timings are not disturbed by the CLI's own state; its exit code is passed on.
 */
export function registerBenchCommand(program: Command): Command {
  return program
    .command('bench')
    .description('run the benchmark suite (WASM SIMD, WASM scalar and JS twins, npm peers) from a clone of the repository; `bench --modes` lists the modes')
    .argument('[mode...]', 'a mode and its counts (e.g. `liquidation`, `live 10000 5`); none: the full run')
    .option('--out <dir>', 'write each mode\'s results as MODE.json here (default: bench/results/)')
    .option('--modes', 'list the modes, what each measures and what it needs')
    .addHelpText('after', `
${FROM_A_CLONE}
Timings on shared machines drift: compare the ratios within one run. The full run takes tens of minutes.

Examples:
  margin-core bench --modes
  margin-core bench liquidation --out /tmp/results`)
    .action(async (mode: string[], opts: { out?: string | undefined; modes?: boolean | undefined }) => {
      const script = benchScript();
      if (!script) throw new CommandFailed(`bench: ${FROM_A_CLONE}`);
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [script!, ...(opts.modes ? ['--help'] : mode), ...(opts.out ? ['--out', opts.out] : [])], { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
      });
      if (code !== 0) throw new CommandFailed(`the benchmark suite failed (exit code ${code})`);
    });
}
