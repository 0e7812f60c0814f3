import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import type { MarginMethod } from '../../margin/report.js';
import { checkAccountErrors, noteSetAsideBy, readJson, readValidInputs, setAsideAccounts } from '../io.js';
import { reportWritten } from '../written.js';
import { count } from '../../report/format.js';
import { backendOption, type BackendChoice, chosenMethod, formatOption, methodOption, profileOption, bookOption, marketOption, sampleOption, inputPaths, type InputFlags } from '../options.js';
import { openOutput } from '../output.js';
import { type LiquidationFormat, type WrittenLiquidation, writeLiquidationChunks } from '../liquidation-output.js';
import { Progress } from '../progress.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';
import { liquidateSessionChunks } from '../../liquidation/liquidate-session.js';
import { PLAN_CHUNK_STEPS } from '../../liquidation/engine.js';
import { releasePositions } from '../../model/book-columns.js';

/** `margin-core liquidate`: the liquidation plan of every account below maintenance margin. */
export function registerLiquidateCommand(program: Command): Command {
  return program
    .command('liquidate')
    .description('liquidate every account below maintenance margin: steps, fills, fees, insurance fund and ADL')
    .addOption(bookOption()).addOption(marketOption()).addOption(sampleOption())
    .option('--params <file>', 'risk parameters JSON (its `liquidation` section sets the liquidation rules)')
    .addOption(methodOption())
    .addOption(profileOption())
    .addOption(formatOption(['table', 'json', 'csv']))
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .addHelpText('after', '\nExample:\n  margin-core liquidate --book book.json --market market.json --method portfolio --format csv > steps.csv')
    .action(async (opts: InputFlags & { params?: string | undefined; method: MarginMethod; profile?: string | undefined; format: string; out?: string | undefined; backend: BackendChoice } & ValidationFlags, command: Command) => {
      const files = inputPaths(opts, command);
      const method = chosenMethod(opts, command);
      const bar = new Progress('liquidate', 4);
      try {
        let inputs: Awaited<ReturnType<typeof readValidInputs>> | undefined = await readValidInputs(files.book, files.market, validationOptions(opts), () => bar.advance(1, 'validating'), (done, total) => bar.bytes(0, done, total));
        const params = opts.params ? await readJson(opts.params, '--params') : undefined;
        bar.advance(1, `${method} margin and liquidation`);
        const engine = await createEngine({ backend: opts.backend });
        const market = inputs.market;
        // the coin-margined accounts a USD-only method sets aside: no row of the plan names them, the note does
        const aside = setAsideAccounts(inputs.book, [method]);
        const session = engine.openBook(inputs.book);
        // the layout holds the book's positions now: the book's own copy of them goes (src/model/book-columns.ts)
        releasePositions(inputs.book);
        inputs = undefined;
        // the report is written as the plan is made, a chunk of accounts at a time (src/cli/liquidation-output.ts); only
        // JSON lists the ADL fills (a table and a CSV of steps give their number): other formats count them
        const output = await openOutput(opts.out);
        let written: WrittenLiquidation;
        try {
          written = await writeLiquidationChunks(liquidateSessionChunks(session, market, { method, profile: opts.profile, params, lenient: opts.lenient === true }, PLAN_CHUNK_STEPS, opts.format === 'json'), output, opts.format as LiquidationFormat);
          bar.advance(1, 'writing');
          await output.end();
        } catch (error) {
          await output.discard();
          throw error;
        } finally {
          session.release();
        }
        const report = written.report;
        bar.advance(1);
        bar.finish();
        await reportWritten(opts.out, `the liquidation of ${count(report.totals.accountsBreaching, 'account')} below MM under ${report.method} margin, ${opts.format}`);
        printWarnings(report.warnings);
        noteSetAsideBy(aside, 'left out of the liquidation');
        checkAccountErrors(written.errors);
      } finally {
        bar.finish();
      }
    });
}
