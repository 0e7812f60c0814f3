/**
 * `margin-core worker` and `margin-core coordinator`: margin across machines on Redis Streams (src/scale/redis/).
 * Workers join a consumer group and hold the shards they run; the coordinator cuts a book into shards, publishes them
 * and every tick, and prints each tick's report, which equals `margin-core margin` on the same inputs to the bit.
 * Both print a health line (JSON, stderr); both retry an unreachable Redis with backoff, saying so, then fail (exit 1).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { createEngine } from '../../engine.js';
import { InputError } from '../../errors.js';
import { accountCountOf } from '../../model/book-columns.js';
import type { MarginMethod, MarginReport } from '../../margin/report.js';
import { connectRedis, oneReportPerAttempt, redisFailure, safeUrl, watchAnswers } from '../../scale/redis/connect.js';
import { ClusterKeys } from '../../scale/redis/keys.js';
import { RedisTransport } from '../../scale/redis/transport.js';
import { RedisWorker } from '../../scale/redis/worker.js';
import { CommandFailed, checkAccountErrors, readJson, readValidInputs } from '../io.js';
import { reportWritten } from '../written.js';
import { backendOption, type BackendChoice, chosenMethod, formatOption, inputPaths, methodOption, plainName, positiveWholeNumber, profileOption, sampleOption, wholeNumber } from '../options.js';
import { jsonChunks, openOutput } from '../output.js';
import { printWarnings, type ValidationFlags, validationOptions } from '../warnings.js';
import { marginSummary } from './margin.js';
import { rollupSummary } from '../../report/subaccount-text.js';
import { count } from '../../report/format.js';

const say = (line: string) => process.stderr.write(`margin-core: ${line}\n`);
const retrying = (attempt: number, delay: number, reason: string) => say(`Redis unreachable (attempt ${attempt}: ${reason}); retrying in ${delay} ms`);
const reachable = (attempts: number) => say(`Redis reachable again after ${attempts} attempt${attempts === 1 ? '' : 's'}`);

interface ClusterFlags {
  redis: string;
  group: string;
  attempts: number;
}

/** `--redis URL`: redis:// or rediss:// (TLS), with a host. */
export function redisUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^rediss?:$/.test(url.protocol) || url.hostname === '') throw new InvalidArgumentError('expected a Redis URL, redis://HOST:PORT or rediss://HOST:PORT (TLS).');
  return value;
}

/** `--group NAME`: the key prefix and consumer group (keys.ts: 1 to 64 letters, digits or _ . : -). */
function groupName(value: string): string {
  try {
    return new ClusterKeys(value).group;
  } catch {
    throw new InvalidArgumentError('expected 1 to 64 letters, digits or _ . : -.');
  }
}

function clusterOptions(command: Command): Command {
  return command
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379', redisUrl)
    .requiredOption('--group <name>', 'the cluster: consumer group and key prefix', groupName)
    .option('--attempts <n>', 'connection attempts before giving up (backoff 0.1 s doubling to 5 s; 10: 21.3 s in all, docs/scale-out.md)', positiveWholeNumber, 10);
}

export function registerWorkerCommand(program: Command): Command {
  return clusterOptions(program.command('worker').description('join a Redis cluster as a worker: hold shards, answer ticks, claim work of dead workers'))
    .addHelpText('after', '\nExample:\n  margin-core worker --redis redis://127.0.0.1:6379 --group risk\ndocs/scale-out.md has the rest.')
    .option('--claim-idle-ms <ms>', 'claim tasks pending this long on another worker', wholeNumber, 30_000)
    .option('--health-every <s>', 'print a health line every s seconds (0: never)', wholeNumber, 10)
    .option('--consumer <name>', 'this worker\'s consumer name in the group (default HOST:PID); shards go to workers by their names', plainName)
    .addOption(backendOption())
    .action(async (opts: ClusterFlags & { claimIdleMs: number; healthEvery: number; consumer?: string | undefined; backend: BackendChoice }) => {
      const connect = { maxAttempts: opts.attempts, ...oneReportPerAttempt(retrying, reachable) }; // one line per retry for both connections
      const engine = await createEngine({ backend: opts.backend });
      const [reader, commands] = await connectOrFail(opts.redis, connect, 2);
      // a Redis frozen with its socket open answers nothing: without a watch the worker would wait on it for ever
      const unwatch = [watchAnswers(reader), watchAnswers(commands)];
      // test hook (the Redis tests kill a worker in this window): wait after reading a task, before running it
      const stallMs = Number(process.env.MARGIN_CORE_TEST_STALL_MS ?? 0);
      const worker = new RedisWorker(reader, commands, engine, { group: opts.group, consumer: opts.consumer, claimIdleMs: opts.claimIdleMs, stallMs });
      await worker.start();
      const { version, build, params } = worker.stats;
      say(`worker ${worker.stats.consumer} joined group ${opts.group} at ${safeUrl(opts.redis)} (${engine.backend}; margin-core ${version}, build ${build}, params ${params})`);
      const health = () => process.stderr.write(`${JSON.stringify({ health: 'worker', ...worker.stats })}\n`);
      const timer = opts.healthEvery > 0 ? setInterval(health, opts.healthEvery * 1000) : undefined;
      let stopping = false;
      // a connection given up can leave a command unsettled: its end fails the run (else Node would exit 0, saying nothing)
      const lost = new Promise<never>((_, reject) => {
        for (const client of [reader, commands]) client.once('end', () => { if (!stopping) reject(new Error('Connection is closed')); });
      });
      lost.catch(() => {});
      const stop = (signal: string) => {
        stopping = true;
        // a failure of the loop is reported through worker.done
        worker.stop().then(() => {
          if (worker.abandoned) say(`${signal}: worker ${worker.stats.consumer} stopped while Redis was unreachable (its shards pass to the other workers when its heartbeat lapses)`);
        }, () => {});
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      try {
        await Promise.race([worker.done, lost]);
      } catch (error) {
        throw new CommandFailed(redisFailure(commands, redisFailure(reader, error)));
      } finally {
        stopping = true;
        if (timer) clearInterval(timer);
        for (const stop of unwatch) stop();
        health();
        reader.disconnect();
        commands.disconnect();
      }
    });
}

export function registerCoordinatorCommand(program: Command): Command {
  return clusterOptions(program.command('coordinator').description('margin a book on a Redis cluster of workers: shards and ticks out, reports back'))
    .addHelpText('after', '\nExample:\n  margin-core coordinator --redis redis://127.0.0.1:6379 --group risk --book book.json --market market.json --shards 8\ndocs/scale-out.md has the rest.')
    .option('--book <file>', 'book: JSON, or Arrow IPC (.arrow)')
    .option('--market <file>', 'market JSON')
    .addOption(sampleOption())
    .option('--params <file>', 'risk parameters JSON, merged over the defaults')
    .addOption(methodOption())
    .addOption(profileOption())
    .option('--ticks <n>', 'margin the book this many times on the market (a tick each), in flight together', positiveWholeNumber, 1)
    .option('--shards <n>', 'shards the book is cut into (1 to 4096)', shardCount, 8)
    .option('--timeout-ms <ms>', 'a tick whose shards have not all answered by then fails (at least 1)', positiveWholeNumber, 60_000)
    .option('--health', 'print the cluster\'s health (workers, pending tasks) and exit')
    .addOption(formatOption(['table', 'json']))
    .option('--out <file>', 'write the last tick\'s report to a file instead of stdout')
    .option('--lenient', 'unknown fields become warnings')
    .action(async (opts: ClusterFlags & { book?: string | undefined; market?: string | undefined; sample?: boolean | undefined; params?: string | undefined; method: MarginMethod; profile?: string | undefined; ticks: number; shards: number; timeoutMs: number; health?: boolean | undefined; format: string; out?: string | undefined } & ValidationFlags, command: Command) => {
      // the inputs first: a bad file is said before Redis is tried (and retried)
      const files = opts.health ? undefined : inputPaths(opts, command);
      const inputs = files ? await readValidInputs(files.book, files.market, validationOptions(opts)) : undefined;
      const params = opts.params ? await readJson(opts.params, '--params') : undefined;
      const transport = await RedisTransport.connect({ url: opts.redis, group: opts.group, shards: opts.shards, timeoutMs: opts.timeoutMs, maxAttempts: opts.attempts, ...oneReportPerAttempt(retrying, reachable) })
        .catch((error: unknown) => {
          throw new CommandFailed(error instanceof Error ? error.message : String(error));
        });
      try {
        if (!inputs) {
          process.stdout.write(`${JSON.stringify(await transport.health())}\n`);
          return;
        }
        const method = chosenMethod(opts, command) as MarginMethod;
        const engine = await createEngine({ backend: 'auto' });
        const book = await engine.openShardedBook(inputs.book, transport);
        const keepSignals = unloadOnSignal(book, transport);
        const started = performance.now();
        const latencies: number[] = [];
        const ticks = Array.from({ length: Math.max(1, opts.ticks) }, () => {
          const sent = performance.now();
          return book.margin(inputs.market, { method, profile: opts.profile, params, lenient: opts.lenient === true }).then((report) => {
            latencies.push(performance.now() - sent);
            return report;
          });
        });
        let report: MarginReport | undefined;
        try {
          for (const tick of ticks) report = await tick;
        } catch (error) {
          await Promise.allSettled(ticks);
          // the tick's failure is the one to tell; the unload is tried for a second at most (a frozen Redis had held the
          // exit for another --timeout-ms)
          await Promise.race([book.release().catch(() => {}), new Promise((resolve) => setTimeout(resolve, UNLOAD_AFTER_FAILURE_MS).unref())]);
          if (error instanceof InputError) throw error; // said as margin says it: its problems one a line, its files named
          throw new CommandFailed(error instanceof Error ? error.message : String(error));
        }
        keepSignals();
        // every tick answered: a failure to unload the book (Redis gone since) does not throw the report away
        const unloadFailed = await book.release().then(() => null, (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/^margin-core: /, ''));
        const seconds = (performance.now() - started) / 1000;
        const sorted = [...latencies].sort((a, b) => a - b);
        const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
        process.stderr.write(`${JSON.stringify({
          health: 'coordinator', ticks: ticks.length, accounts: accountCountOf(inputs.book), accountsPerSecond: Math.round((ticks.length * accountCountOf(inputs.book)) / seconds),
          tickToResultMs: { p50: pct(0.5), p99: pct(0.99) }, cluster: await transport.health(),
        })}\n`);
        await writeReport(report!, opts.format, opts.out, accountCountOf(inputs.book));
        printWarnings(report!.warnings);
        if (unloadFailed !== null) throw new CommandFailed(`every tick was answered and the report written, but ${unloadFailed}: the book's keys stay in Redis until deleted`);
        checkAccountErrors(report!.accounts);
      } finally {
        await transport.close();
      }
    });
}

/** The last tick's report to `out` (stdout without): its JSON, or the summary with the roll-up's line under a policy. */
async function writeReport(report: MarginReport, format: string, out: string | undefined, accounts: number): Promise<void> {
  const output = await openOutput(out);
  if (format === 'json') {
    for (const chunk of jsonChunks(report, 'accounts')) await output.write(chunk);
    await output.write('\n');
  } else {
    await output.write(`${marginSummary(report)}\n`);
    if (report.subaccounts) await output.write(`${rollupSummary(report.subaccounts)}\n`); // the requirement the policy sets
  }
  await output.end();
  await reportWritten(out, `the last tick's report of ${count(accounts, 'account')}, ${format}`);
}

/**
 * Until the returned function is called: SIGTERM or SIGINT stops the coordinator before its last tick is answered, with
 * no report, its book unloaded from Redis (its keys had stayed there with no expiry), exit 1.
 */
function unloadOnSignal(book: { release(): Promise<void> }, transport: { close(): Promise<void> }): () => void {
  const stopped = (signal: string) => {
    process.stderr.write(`margin-core: ${signal}: the coordinator stopped before its last tick was answered: no report written; its book is unloaded from Redis\n`);
    void book.release().catch(() => {}).finally(() => void transport.close().catch(() => {}).finally(() => process.exit(1)));
  };
  const onTerm = () => stopped('SIGTERM'), onInt = () => stopped('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  return () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  };
}

/** How long a coordinator whose tick failed waits for its book's unload before it exits (ms). */
const UNLOAD_AFTER_FAILURE_MS = 1_000;

/** `--shards N`: 1 to 4096 (transport.ts). */
function shardCount(value: string): number {
  const n = positiveWholeNumber(value);
  if (n > 4096) throw new InvalidArgumentError('expected a whole number from 1 to 4096.');
  return n;
}

/** `count` connections to Redis, or a CommandFailed saying it is unreachable. */
async function connectOrFail(url: string, options: Parameters<typeof connectRedis>[1], count: number) {
  try {
    const clients = [];
    for (let i = 0; i < count; i++) clients.push(await connectRedis(url, options));
    return clients;
  } catch (error) {
    throw new CommandFailed(error instanceof Error ? error.message : String(error));
  }
}
