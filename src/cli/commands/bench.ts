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

/**
 * `margin-core bench`: the benchmark suite (bench/main.ts, bundled as dist/bench.js) in a child Node
 * process, so its timings are not disturbed by the CLI's own state; its exit code is passed on.
 */
export function registerBenchCommand(program: Command): Command {
  return program
    .command('bench')
    .description('run the benchmark suite (WASM SIMD, WASM scalar and JS twins, npm peers); `bench --help` lists the modes')
    .argument('[mode...]', 'a mode and its counts (e.g. `liquidation`, `live 10000 5`); none: the full run')
    .option('--out <dir>', 'write each mode\'s results as MODE.json here (default: bench/results/ in a clone; nowhere when installed)')
    .option('--modes', 'list the modes, what each measures and what it needs')
    .addHelpText('after', '\nTimings on shared machines drift: compare the ratios within one run. The full run takes tens of minutes.')
    .action(async (mode: string[], opts: { out?: string; modes?: boolean }, command: Command) => {
      const script = benchScript();
      if (!script) command.error('the benchmark bundle (dist/bench.js) is missing: run `npm run build` first', { exitCode: 2 });
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [script!, ...(opts.modes ? ['--help'] : mode), ...(opts.out ? ['--out', opts.out] : [])], { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
      });
      if (code !== 0) throw new CommandFailed(`the benchmark suite failed (exit code ${code})`);
    });
}
