import type { Command } from 'commander';
import { chosenMethod, profileOption } from '../options.js';
import { createEngine } from '../../engine.js';
import { isMarginMethod, MARGIN_METHODS, methodList } from '../../methods/registry.js';
import { validateInputs } from '../../model/validate.js';
import type { LiveSession } from '../../live/live-session.js';
import { startService } from '../../service/server.js';
import { readJson } from '../io.js';

interface ServeOptions {
  book: string;
  market: string;
  params?: string;
  limits?: string;
  method: string;
  profile?: string;
  port: string;
  host: string;
  maxBody: string;
  backend: 'auto' | 'wasm' | 'js';
}

/**
 * `margin-core serve`: the live-margin service (src/service/server.ts) on a book and market, until SIGINT or
 * SIGTERM: then it stops accepting, finishes requests in flight, ends event streams and exits 0.
 */
export function registerServeCommand(program: Command): Command {
  return program
    .command('serve')
    .description('live margin over HTTP: what-if, pre-trade check, fills, ticks, accounts, report, status events (SSE)')
    .requiredOption('--book <file>', 'book JSON')
    .requiredOption('--market <file>', 'market JSON')
    .option('--params <file>', 'risk parameters JSON, merged over the defaults')
    .option('--limits <file>', 'pre-trade limits JSON: { maxPosition, maxNotional, quantityStep }')
    .option('--method <method>', MARGIN_METHODS.join(' | '), 'cross')
    .addOption(profileOption())
    .option('--port <port>', 'port (0: any free one)', '8787')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--max-body <bytes>', 'largest request body', String(1 << 20))
    .option('--backend <backend>', 'auto | wasm | js', 'auto')
    .addHelpText('after', '\nExample:\n  margin-core serve --book book.json --market market.json --method portfolio --port 8787\n  curl -s localhost:8787/accounts/alice')
    .action(async (opts: ServeOptions, command: Command) => {
      if (!isMarginMethod(opts.method)) command.error(`--method must be ${methodList()}, got ${opts.method}`, { exitCode: 2 });
      opts.method = chosenMethod(opts, command);
      const port = Number(opts.port), maxBody = Number(opts.maxBody);
      if (!Number.isInteger(port) || port < 0 || port > 65535) command.error(`--port must be an integer in [0, 65535], got ${opts.port}`, { exitCode: 2 });
      if (!Number.isInteger(maxBody) || maxBody < 1) command.error(`--max-body must be a positive integer, got ${opts.maxBody}`, { exitCode: 2 });
      const live = await openLive(opts);
      const service = await startService(live, { port, host: opts.host, maxBodyBytes: maxBody });
      process.stdout.write(`margin-core serve: ${live.method} margin on ${live.backend}, ${live.layout.accountCount} accounts, listening on ${service.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stdout.write(`margin-core serve: ${signal}, shutting down\n`);
          service.close().then(() => {
            live.release();
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}

/**
 * The live session on the files: in a function of its own, so the parsed JSON (millions of objects for a big
 * book) is garbage once the book is laid out, and the service's major GCs do not have to walk it.
 */
async function openLive(opts: ServeOptions): Promise<LiveSession> {
  const bookJson = await readJson(opts.book, '--book');
  const marketJson = await readJson(opts.market, '--market');
  const params = opts.params ? await readJson(opts.params, '--params') : undefined;
  const limits = opts.limits ? await readJson(opts.limits, '--limits') : undefined;
  const { book, market } = validateInputs(bookJson, marketJson);
  const engine = await createEngine({ backend: opts.backend });
  return engine.live(book, market, { method: opts.method, profile: opts.profile, params, limits });
}
