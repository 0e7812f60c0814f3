/**
 * The `margin-core` command line. Exit codes (EXIT in io.ts): 0 ok, 1 input error (path-precise messages on stderr)
 * or a failed run, 2 usage error, 3 report written but some accounts ended in status `error`. Ordinary trouble is
 * one line on stderr, never a stack trace (set MARGIN_CORE_DEBUG=1 to see one for an unexpected failure); a reader
 * that closes the pipe (`| head`) ends the command quietly with 0, any other failed write to stdout exits 1 (stdout.ts).
 */
import { stat } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { PACKAGE_VERSION } from '../version.js';
import { InputError } from '../errors.js';
import { MissingDependencyError } from '../optional-dependency.js';
import { BUILT_IN_PROFILES } from '../profiles/registry.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerBacktestCommand } from './commands/backtest.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerCoordinatorCommand, registerWorkerCommand } from './commands/cluster.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerGreeksCommand } from './commands/greeks.js';
import { registerImportCommand } from './commands/import.js';
import { registerMarginCommand } from './commands/margin.js';
import { registerLiquidateCommand } from './commands/liquidate.js';
import { registerOptimizeCommand } from './commands/optimize.js';
import { registerAllocateCommand } from './commands/allocate.js';
import { registerPageCommand } from './commands/page.js';
import { registerProfilesCommand } from './commands/profiles.js';
import { registerSampleCommand } from './commands/sample.js';
import { registerServeCommand } from './commands/serve.js';
import { registerLiveGatewayCommand, registerLiveShardCommand } from './commands/live.js';
import { registerLiveLocalCommand } from './commands/live-local.js';
import { registerStressCommand } from './commands/stress.js';
import { AccountsInError, bundledDataRoot, CommandFailed, EXIT, InputErrorInFiles, insideBundledData, namingOptionFiles, OPTION_FILES, ReaderClosed } from './io.js';
import { checkOutput, checkOutputDir } from './output.js';
import { isBookReaderThread, serveBookChunks } from './read-ahead.js';
import { isReportWriterThread, serveReportWriter } from './report-writer.js';
import { isCheckpointWorkerThread, serveCheckpoints } from '../durable/checkpoint-worker.js';
import { isMainThread } from 'node:worker_threads';
import { guardStdout } from './stdout.js';
import { stopWithPackageRunner } from './package-runner.js';

export function buildProgram(): Command {
  const program = new Command('margin-core')
    .description('margin and risk engine: WASM kernels with a bit-identical JS fallback')
    .version(PACKAGE_VERSION, '-V, --version', 'print the version')
    // after a usage error, one line pointing at the help, not the whole help burying the error above it
    .showHelpAfterError('(margin-core --help lists the commands)')
    .exitOverride();
  registerDemoCommand(program);
  registerMarginCommand(program);
  registerCompareCommand(program);
  registerLiquidateCommand(program);
  registerOptimizeCommand(program);
  registerAllocateCommand(program);
  registerStressCommand(program);
  registerBacktestCommand(program);
  registerExplainCommand(program);
  registerProfilesCommand(program);
  registerGreeksCommand(program);
  registerPageCommand(program);
  registerServeCommand(program);
  registerLiveShardCommand(program);
  registerLiveGatewayCommand(program);
  registerLiveLocalCommand(program);
  registerCoordinatorCommand(program);
  registerWorkerCommand(program);
  registerGenerateCommand(program);
  registerSampleCommand(program);
  registerImportCommand(program);
  registerBenchCommand(program);
  for (const command of program.commands) command.exitOverride().showHelpAfterError(`(margin-core ${command.name()} --help shows its options)`);
  program.hook('preAction', (_program, command) => checkDestinations(command));
  return program;
}

/**
 * Before any command runs: a --method the --profile contradicts is a usage error (exit 2, both flags named), as any two
 * options that do not go together; the library would refuse it at `options.method` as a problem of the input.
 */
function checkProfileMethod(command: Command): void {
  const { profile, method } = command.opts<{ profile?: string | undefined; method?: string | undefined }>();
  if (profile === undefined || method === undefined || command.getOptionValueSource('method') !== 'cli') return;
  const runs = BUILT_IN_PROFILES.find((p) => p.name === profile)?.method;
  if (runs !== undefined && runs !== method) command.error(`error: --method ${method} contradicts --profile ${profile}, which runs ${runs}: leave --method out, or give --method ${runs}`, { exitCode: 2 });
}

/** Before any command runs: every place it will write to can be written (a typo is said at once, not after the work). */
async function checkDestinations(command: Command): Promise<void> {
  checkProfileMethod(command);
  const opts = command.opts<{ out?: string | undefined; saveHistory?: string | undefined }>();
  // generate, import and bench write files into their --out folder (created when missing); the others write --out
  const folder = ['generate', 'import', 'bench'].includes(command.name());
  if (opts.out !== undefined) await (folder ? checkOutputDir(opts.out) : checkOutput(opts.out));
  if (opts.saveHistory !== undefined) await checkOutput(opts.saveHistory, '--save-history');
  // a report written over the file it was made from: one slip in an argument list and a 400 MB book is gone
  const outputs: [string, string | undefined][] = [['--out', folder ? undefined : opts.out], ['--save-history', opts.saveHistory]];
  for (const [flag, path] of outputs) {
    const input = path === undefined ? undefined : await inputAt(command, path);
    if (input !== undefined) command.error(`error: ${flag} ${path} is the file ${input} reads: the output would overwrite it (name another file)`, { exitCode: 2 });
  }
  // the package's own data (the sample --sample and explain read, the bundled shocks): written over, every later run breaks
  for (const [flag, path] of [['--out', opts.out], ['--save-history', opts.saveHistory]] as const) {
    if (path !== undefined && (await insideBundledData(path))) command.error(`error: ${flag} ${path} is in margin-core's bundled data (${bundledDataRoot()}): the output would overwrite the package's own files (name another place)`, { exitCode: 2 });
  }
}

/** The option (`--book`) of `command` naming a file it reads that is the file at `path` (the same file, by device and inode), if any. */
async function inputAt(command: Command, path: string): Promise<string | undefined> {
  const out = await stat(path).catch(() => null);
  if (out === null || !out.isFile()) return undefined;
  for (const option of command.options) {
    const key = option.attributeName();
    if (key === 'out' || key === 'saveHistory') continue;
    const value = command.getOptionValue(key) as unknown;
    if (typeof value !== 'string') continue;
    const read = await stat(value).catch(() => null);
    if (read !== null && read.dev === out.dev && read.ino === out.ino) return option.long ?? option.flags;
  }
  return undefined;
}

/** The files a command's --params, --shock, --hedges and --history named, when they are files (a bundled shock's name is not). */
async function optionFiles(command: Command | undefined): Promise<Partial<Record<(typeof OPTION_FILES)[number], string>>> {
  const files: Partial<Record<(typeof OPTION_FILES)[number], string>> = {};
  for (const key of OPTION_FILES) {
    const value = command?.getOptionValue(key) as unknown;
    if (typeof value === 'string' && (await stat(value).catch(() => null))?.isFile() === true) files[key] = value;
  }
  return files;
}

export async function main(argv: readonly string[]): Promise<number> {
  let ran: Command | undefined; // the command whose action ran (its options name the files an input error is in)
  try {
    await buildProgram().hook('preAction', (_program, action) => {
      ran = action;
    }).parseAsync(argv as string[], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; real usage errors were already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ReaderClosed) return EXIT.ok; // `--out /dev/stdout | head`: the reader has what it wanted
    if (error instanceof CommandFailed || error instanceof MissingDependencyError) {
      process.stderr.write(`margin-core: ${error.message.replace(/^margin-core: /, '')}\n`);
      return EXIT.failed;
    }
    if (error instanceof InputError) {
      const named = namingOptionFiles(error, await optionFiles(ran));
      const where = named instanceof InputErrorInFiles && named.files.length > 0 ? ` in ${named.files.join(' and ')}` : '';
      process.stderr.write(`margin-core: invalid input${where} (${named.problems.length}${named.truncated ? '+' : ''} problem${named.problems.length === 1 ? '' : 's'}):\n`);
      for (const line of problemLines(named.problems)) process.stderr.write(`  ${line}\n`);
      if (named.truncated) process.stderr.write(`  … and more: validation stops after the first ${named.problems.length}\n`);
      return EXIT.input;
    }
    if (error instanceof AccountsInError) {
      process.stderr.write(`margin-core: ${error.message}\n`);
      return EXIT.accountErrors;
    }
    // Anything else is not the user's fault: one line, the stack only on request.
    const message = error instanceof Error ? error.message.replace(/^margin-core: /, '') : String(error);
    process.stderr.write(`margin-core: ${message}\n`);
    if (process.env.MARGIN_CORE_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    else process.stderr.write('margin-core: (set MARGIN_CORE_DEBUG=1 for details)\n');
    return EXIT.failed;
  }
}

// Run when executed directly (the bundle in dist/cli.js), not when imported by tests; a thread of the bundle started
// as a book reader (read-ahead.ts) reads the book instead, one started as a report writer (report-writer.ts) writes a
// streamed report, one started as a shard's checkpoint encoder (src/durable/checkpoint-worker.ts) makes checkpoint bytes.
const entry = process.argv[1] ?? '';
if (isBookReaderThread()) void serveBookChunks();
else if (isReportWriterThread()) void serveReportWriter();
else if (isCheckpointWorkerThread()) serveCheckpoints();
else if (isMainThread && /(?:^|[\\/])(cli\.js|margin-core)$/.test(entry)) {
  guardStdout(process.stdout);
  stopWithPackageRunner();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/**
 * The problems as lines, `path: message`, in their order; a message said at more than three paths is said once, where
 * it first comes, with its first three paths and how many more (one cause, once: a book of 1,905 accounts of another
 * method is a line per method, not 1,905).
 */
export function problemLines(problems: readonly { path: string; message: string }[]): string[] {
  const paths = new Map<string, string[]>();
  for (const p of problems) {
    const at = paths.get(p.message);
    if (at) at.push(p.path);
    else paths.set(p.message, [p.path]);
  }
  const lines: string[] = [], folded = new Set<string>();
  for (const p of problems) {
    const at = paths.get(p.message)!;
    if (at.length <= 3) lines.push(`${p.path}: ${p.message}`);
    else if (!folded.has(p.message) && folded.add(p.message)) lines.push(`${at.slice(0, 3).join(', ')} and ${(at.length - 3).toLocaleString('en-US')} more: ${p.message}`);
  }
  return lines;
}
