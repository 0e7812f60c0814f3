/**
 * `margin-core sample DIR`: writes the package's bundled data into DIR, as a clone has it under data/: DIR/sample/
 * (the sample book and market), DIR/examples/ (the small books and saved venue responses the docs' examples read) and DIR/shocks/ (the named
 * shocks). `margin-core sample data` in an empty project makes every `data/…` path of the README and the docs resolve.
 * A file already there is left alone when it holds the same bytes, and refused when it differs (nothing is overwritten).
 */
import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bundledDataDir, CommandFailed } from '../io.js';
import { makeDirs } from '../../io/make-dirs.js';
import { InputError } from '../../errors.js';
import { checkOutputDir } from '../output.js';

/** The bundled folders, each with a file that must be there (data/<name>/<probe>). */
export const BUNDLED_DATA = [['sample', 'book.json'], ['examples', 'market.json'], ['shocks', 'btc-crash.json']] as const;

/** Writes the bundled data under `dir`; returns one `dir/name/ (n files)` line per folder. */
export async function writeBundledData(dir: string): Promise<string[]> {
  const plan = BUNDLED_DATA.map(([name, probe]) => {
    const from = bundledDataDir(name, probe);
    const names = (readdirSync(from, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();
    return { name, files: names.map((f) => ({ from: join(from, f), to: join(dir, name, f) })) };
  });
  // every file is checked before any is written: a refusal leaves DIR as it was
  const clashes = plan.flatMap((p) => p.files).filter((f) => existsSync(f.to) && !readFileSync(f.to).equals(readFileSync(f.from)));
  if (clashes.length > 0) throw new CommandFailed(`${clashes[0].to}${clashes.length > 1 ? ` (and ${clashes.length - 1} more)` : ''} exists with other content: move it away, or give another DIR`);
  for (const { name, files } of plan) {
    await makeDirs(join(dir, name));
    for (const f of files) {
      if (existsSync(f.to)) continue;
      await makeDirs(dirname(f.to));
      await writeFile(f.to, readFileSync(f.from));
    }
  }
  return plan.map((p) => `${join(dir, p.name)}/ (${p.files.length} file${p.files.length === 1 ? '' : 's'})`);
}

export function registerSampleCommand(program: Command): Command {
  return program
    .command('sample')
    .argument('<dir>', 'folder to write into (created if missing); `data` gives the paths the docs use')
    .description('write the bundled data (DIR/sample/ book and market, DIR/examples/, DIR/shocks/) for the docs\' examples')
    .addHelpText('after', '\nExample:\n  margin-core sample data\n  margin-core margin --book data/sample/book.json --market data/sample/market.json')
    .action(async (dir: string) => {
      await checkOutputDir(dir, 'DIR');
      let lines: string[];
      try {
        lines = await writeBundledData(dir);
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        if (typeof e.code !== 'string' || e.syscall === undefined) throw error;
        throw new InputError([{ path: 'DIR', message: `cannot write in ${dir}: ${e.message}` }]);
      }
      for (const line of lines) process.stderr.write(`wrote ${line}\n`);
    });
}
