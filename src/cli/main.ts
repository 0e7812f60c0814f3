/**
 * The `margin-core` command line. Exit codes: 0 ok, 1 input error (path-precise messages on stderr)
 * or a failed run (the benchmark suite), 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { InputError } from '../errors.js';
import { registerGenerateCommand } from '../sample/cli.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerGreeksCommand } from './commands/greeks.js';
import { registerMarginCommand } from './commands/margin.js';
import { registerServeCommand } from './commands/serve.js';
import { CommandFailed, EXIT } from './io.js';

export function buildProgram(): Command {
  const program = new Command('margin-core')
    .description('margin and risk engine: WASM kernels with a bit-identical JS fallback')
    .showHelpAfterError()
    .exitOverride();
  registerDemoCommand(program);
  registerMarginCommand(program);
  registerExplainCommand(program);
  registerGreeksCommand(program);
  registerServeCommand(program);
  registerGenerateCommand(program);
  registerBenchCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; real usage errors were already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CommandFailed) {
      process.stderr.write(`margin-core: ${error.message}\n`);
      return EXIT.failed;
    }
    if (error instanceof InputError) {
      process.stderr.write(`margin-core: invalid input (${error.problems.length}${error.truncated ? '+' : ''} problem${error.problems.length === 1 ? '' : 's'}):\n`);
      for (const p of error.problems) process.stderr.write(`  ${p.path}: ${p.message}\n`);
      return EXIT.input;
    }
    throw error;
  }
}

// Run when executed directly (the bundle in dist/cli.js), not when imported by tests.
const entry = process.argv[1] ?? '';
if (/(?:^|[\\/])(cli\.js|margin-core)$/.test(entry)) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
