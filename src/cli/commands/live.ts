/**
 * `margin-core live-shard` and `margin-core live-gateway`: the live engine on a Redis log (src/durable/,
 * docs/live-cluster.md). A shard owns some of the 64 partitions and serves them; the gateway is the one endpoint with
 * serve's routes. Both run until SIGINT or SIGTERM: a shard then drains, checkpoints and releases its partitions and
 * exits 0. Options, token and exit codes follow `serve` (bad values: exit 2; unreadable files, Redis unreachable at
 * start, Redis not durable, a token other than the cluster's: exit 1). Redis lost once running is waited out; the
 * cluster's token found to be another's while running stops the process as a refused start does (exit 1, one line).
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../../errors.js';
import type { Logger } from 'pino';
import { createEngine, type Engine } from '../../engine.js';
import { SERVICE_DEFAULTS } from '../../service/options.js';
import { CommandFailed, namingOptionFiles, readJson, readValidInputs } from '../io.js';
import { backendOption, bookOption, chosenMethod, inputPaths, marketOption, methodOption, profileOption, sampleOption, wholeNumberUpTo } from '../options.js';
import { checkHostResolves, listenFailure } from '../listen.js';
import { Progress } from '../progress.js';
import { cliBundleFile } from '../read-ahead.js';
import { oneReportPerAttempt } from '../../scale/redis/connect.js';
import { redisUrl } from './cluster.js';
import { allowedHost, allowedOrigin, chooseToken, host, LOG_LEVELS, MIN_TOKEN_LENGTH, port, positive } from './serve.js';
import { makeDirs } from '../../io/make-dirs.js';

/** `--cluster NAME`: the key prefix of one live cluster (1 to 64 letters, digits or _ . : -). */
export function clusterName(value: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(value)) throw new InvalidArgumentError('expected 1 to 64 letters, digits or _ . : -.');
  return value;
}

/** `--shard-id ID`: what the shard is known as in the shards hash and owner keys. */
function shardId(value: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(value)) throw new InvalidArgumentError('expected 1 to 64 letters, digits or _ . : -.');
  return value;
}

export interface ShardFlags {
  redis: string;
  cluster: string;
  book?: string | undefined;
  market?: string | undefined;
  sample?: boolean | undefined;
  params?: string | undefined;
  limits?: string | undefined;
  checkpointDir: string;
  method: string;
  profile?: string | undefined;
  backend: 'auto' | 'wasm' | 'js';
  port: number;
  host: string;
  tokenFile?: string | undefined;
  auth: boolean;
  durability: 'strict' | 'relaxed';
  shardId?: string | undefined;
  leaseMs: number;
  checkpointEvery: number;
  checkpointFills: number;
  trim: boolean;
  attempts: number;
  logLevel: string;
}

const say = (command: string, line: string) => process.stderr.write(`margin-core ${command}: ${line}\n`);

/** The options every command of the live cluster takes: Redis, cluster, token, log. */
export function liveCommonOptions(command: Command, defaultPort: number): Command {
  return command
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379', redisUrl)
    .option('--cluster <name>', 'the live cluster: the keys\' prefix (1 to 64 letters, digits or _ . : -)', clusterName, 'live')
    .option('--port <port>', 'port (0: any free one)', port, defaultPort)
    .option('--host <host>', 'interface to bind', host, SERVICE_DEFAULTS.host)
    .option('--token-file <file>', `bearer token (at least ${MIN_TOKEN_LENGTH} printable characters), the same for the gateway and every shard; default: MARGIN_CORE_TOKEN, else a random one printed once on stderr`)
    .option('--no-auth', 'no token (refused unless --host is a loopback address)')
    .option('--attempts <n>', 'Redis connection attempts at start before giving up (backoff 0.1 s doubling to 5 s); once running, a lost connection is retried for as long as Redis is away', positive, 10)
    .addOption(new Option('--log-level <level>', 'event log on stderr (JSON lines)').choices(LOG_LEVELS).default('info'));
}

/** The gateway's HTTP flags (live-gateway's and live-local's): what it answers, as serve's. */
export interface GatewayFlags {
  allowHost: string[];
  allowOrigin: string[];
  maxBody: number;
  reportWait: number;
}

/**
 * `--allow-host` and `--allow-origin` as serve takes them (the gateway checks Host and Origin; a shard answers its own
 * address), `--max-body` and `--report-wait`: live-gateway's and live-local's.
 */
export function gatewayOptions(command: Command): Command {
  return command
    .option('--allow-host <host[:port]>', 'a Host header to answer besides the loopback names and the bound address (repeatable)', allowedHost, [])
    .option('--allow-origin <origin>', 'a browser origin allowed to call the gateway, CORS opened to it (repeatable)', allowedOrigin, [])
    .option('--max-body <bytes>', 'largest request body (413 beyond)', positive, SERVICE_DEFAULTS.maxBodyBytes)
    .option('--report-wait <ms>', 'GET /report waits this long for every partition to stand at one tick (503 beyond)', positive, 2_000);
}

/** What a 421 of each live command says to do (serve's names `serve --allow-host`): the option that answers that Host. */
export const MISDIRECTED_HINT = {
  gateway: 'start live-gateway with --allow-host to answer it',
  local: 'start live-local with --allow-host to answer it',
  shard: 'live-shard answers only the loopback names and its --host address; clients call live-gateway',
} as const;

/** The options of a shard (live-shard and live-local take them). */
export function shardOptions(command: Command): Command {
  return command
    .addOption(bookOption())
    .addOption(marketOption())
    .addOption(sampleOption())
    .requiredOption('--checkpoint-dir <dir>', 'checkpoint files (every shard of the cluster must see the same directory)')
    .option('--params <file>', 'risk parameters JSON, merged over the defaults')
    .option('--limits <file>', 'pre-trade limits JSON: { maxPosition, maxNotional, quantityStep }')
    .addOption(methodOption())
    .addOption(profileOption())
    .addOption(backendOption())
    .addOption(new Option('--durability <mode>', 'strict: Redis must have appendonly yes and appendfsync always; relaxed: not checked (everysec may lose up to a second of fills on power loss)').choices(['strict', 'relaxed']).default('strict'))
    // renewed every third: below 300 ms a renewal's round trip and a tick's re-margin would outlast it (the shard thrashes)
    .option('--lease-ms <ms>', 'partition lease, 300 to 3,600,000, renewed every third of it; a shard silent this long loses its partitions', wholeNumberUpTo(300, 3_600_000), 3_000)
    .option('--checkpoint-every <s>', 'checkpoint a changed partition at least this often, seconds', positive, 10)
    .option('--checkpoint-fills <n>', '… or after this many fills', positive, 100_000)
    .option('--no-trim', 'keep each partition\'s whole log (default: trimmed up to the older kept checkpoint)');
}

export function registerLiveShardCommand(program: Command): Command {
  const command = program.command('live-shard').description('a shard of the live cluster: owns partitions of the book, applies their log, serves them to the gateway');
  liveCommonOptions(command, 0);
  shardOptions(command)
    .option('--shard-id <id>', 'the shard\'s name in the cluster (default: host, pid and a random suffix)', shardId)
    .addHelpText('after', [
      '',
      'Example (Redis with appendonly yes, appendfsync always):',
      '  margin-core live-shard --redis redis://127.0.0.1:6379 --cluster risk --book book.json --market market.json --checkpoint-dir /var/lib/margin-core/ckpt',
      'docs/live-cluster.md has the rest.',
    ].join('\n'))
    .action(async (opts: ShardFlags, cmd: Command) => {
      const signalled = firstSignal();
      const parent = stopWithParent();
      opts.method = chosenMethod(opts, cmd);
      const files = inputPaths(opts, cmd);
      const token = await chooseToken(opts, cmd);
      await checkHostResolves(opts.host, cmd);
      // every partition has a checkpoint: the book file is read only if one of them is refused (a restart need not wait for it)
      await checkCheckpointDir(opts.checkpointDir); // before it is read: a bad directory is named as the option
      const lazy = await checkpointsCoverEveryPartition(opts.checkpointDir, opts.cluster);
      const { inputs, params, limits } = await readShardInputs(opts, files, 'live-shard', lazy);
      const logger = await makeLogger(opts.logLevel);
      const [{ Shard }] = await Promise.all([import('../../durable/shard.js')]);
      const engine = await createEngine({ backend: opts.backend });
      const market = await readJson(files.market, '--market'), liveOptions = { method: opts.method, profile: opts.profile, params, limits };
      checkLiveOptions(engine, market, liveOptions, { params: opts.params }); // before any partition: a bad --params is the command's error, not every partition's
      const shard = new Shard({
        redisUrl: opts.redis, cluster: opts.cluster, book: inputs.book ?? (async () => (await readValidInputs(files.book, files.market, {})).book), market, checkpointDir: opts.checkpointDir, engine,
        liveOptions: liveOptions as never,
        http: { port: opts.port, host: opts.host, token: token.value, misdirectedHint: MISDIRECTED_HINT.shard, logger }, shardId: opts.shardId, durability: opts.durability,
        leaseMs: opts.leaseMs, checkpointEveryMs: opts.checkpointEvery * 1_000, checkpointEveryFills: opts.checkpointFills, trim: opts.trim, checkpointWorkerFile: cliBundleFile(),
        // one line per retry for both its connections
        connect: { maxAttempts: opts.attempts, ...oneReportPerAttempt((n, ms, why) => say('live-shard', `Redis unreachable (attempt ${n}: ${why}); retrying in ${ms} ms`), (n) => say('live-shard', `Redis reachable again after ${n} attempt${n === 1 ? '' : 's'}`)) },
        // a partition held refused, or a checkpoint refused on the way to ready, is for the operator: warn
        log: (event) => (/failed|error|dropped|resync|refused/.test(String(event.event)) || (Array.isArray(event.refused) && event.refused.length > 0) ? logger.warn(event, String(event.event)) : logger.info(event, String(event.event))),
      });
      try {
        await shard.start();
      } catch (error) {
        await shard.stop().catch(() => {});
        throw new CommandFailed(listenFailure(error, opts.host, opts.port) ?? (error as Error).message);
      }
      if (token.generated) say('live-shard', `this run's token: ${token.value}`);
      process.stdout.write(`margin-core live-shard: shard ${shard.id} of cluster ${opts.cluster}, ${opts.method} margin, listening on ${shard.url}\n`);
      const ended = await untilStopped(signalled, shard.fatal);
      if (ended instanceof Error) {
        await shard.stop(); // the token refused: nothing is written on the way out
        throw new CommandFailed(ended.message);
      }
      process.stdout.write(`margin-core live-shard: ${parent.stoppedBy ?? ended}: draining, checkpointing, releasing partitions\n`);
      await shard.stop();
      const failed = shard.checkpointFailures;
      if (failed > 0) throw new CommandFailed(`the latest checkpoint of ${failed} partition${failed === 1 ? '' : 's'} failed (the log line says why); they recover from the log and the checkpoint before`);
    });
  return command;
}

export function registerLiveGatewayCommand(program: Command): Command {
  const command = program.command('live-gateway').description('the live cluster\'s one endpoint: serve\'s routes, each account\'s request answered by its partition\'s shard');
  gatewayOptions(liveCommonOptions(command, SERVICE_DEFAULTS.port))
    .addHelpText('after', ['', 'Example:', '  margin-core live-gateway --redis redis://127.0.0.1:6379 --cluster risk --port 8787', 'docs/live-cluster.md has the rest.'].join('\n'))
    .action(async (opts: GatewayFlags & { redis: string; cluster: string; port: number; host: string; tokenFile?: string | undefined; auth: boolean; attempts: number; logLevel: string }, cmd: Command) => {
      const signalled = firstSignal();
      const token = await chooseToken(opts, cmd);
      await checkHostResolves(opts.host, cmd);
      const logger = await makeLogger(opts.logLevel);
      const { startGateway } = await import('../../durable/gateway.js');
      const gateway = await startGateway({
        redisUrl: opts.redis, cluster: opts.cluster, reportWaitMs: opts.reportWait,
        http: { port: opts.port, host: opts.host, token: token.value, allowHosts: opts.allowHost, misdirectedHint: MISDIRECTED_HINT.gateway, allowOrigins: opts.allowOrigin, maxBodyBytes: opts.maxBody, logger },
        connect: { maxAttempts: opts.attempts, onRetry: (n, ms, why) => say('live-gateway', `Redis unreachable (attempt ${n}: ${why}); retrying in ${ms} ms`) },
      }).catch((error: Error) => {
        throw new CommandFailed(listenFailure(error, opts.host, opts.port) ?? error.message);
      });
      if (token.generated) say('live-gateway', `this run's token: ${token.value}`);
      process.stdout.write(`margin-core live-gateway: cluster ${opts.cluster}, listening on ${gateway.url}\n`);
      const ended = await untilStopped(signalled, gateway.fatal);
      await gateway.close();
      if (ended instanceof Error) throw new CommandFailed(ended.message);
    });
  return command;
}

/** The checkpoint directory, created if missing and writable, or an InputError naming --checkpoint-dir. */
export async function checkCheckpointDir(dir: string): Promise<void> {
  try {
    await makeDirs(dir);
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new InputError([{ path: '--checkpoint-dir', message: `cannot write checkpoints in ${dir}: ${(error as Error).message}` }]);
  }
}

/**
 * What a shard reads before any work, each problem naming its option (exit 1): the checkpoint directory (created,
 * writable), --params, --limits, the book and market (validated).
 */
export async function readShardInputs(opts: ShardFlags, files: { book: string; market: string }, name: string, lazyBook = false) {
  await checkCheckpointDir(opts.checkpointDir);
  const bar = new Progress(name, 3);
  try {
    bar.note('reading');
    const params = opts.params ? await readJson(opts.params, '--params') : undefined;
    const limits = opts.limits ? await readJson(opts.limits, '--limits') : undefined;
    const inputs = lazyBook ? await bookReadable(files.book) : await readValidInputs(files.book, files.market, {}, () => bar.advance(1, 'validating'), (done, total) => bar.bytes(0, done, total));
    bar.advance(1, 'connecting');
    return { inputs, params, limits };
  } finally {
    bar.finish();
  }
}

/**
 * The live options (method, profile, --params, --limits) checked as every partition will open its session with them,
 * on a book of one master and one subaccount with nothing (what the options say is refused whatever the book holds:
 * a rate out of its domain, the backstop policy, limits): an InputError at their paths, before the shard takes a
 * partition. A problem with the book itself stays its partitions' (named in their recovery's log line).
 */
export function checkLiveOptions(engine: Engine, market: unknown, options: Record<string, unknown>, files: { params?: string | undefined } = {}): void {
  const probe = { instruments: [], accounts: [{ id: 'master', cashUsd: 0 }, { id: 'subaccount', master: 'master', cashUsd: 0 }] };
  try {
    engine.live(probe, market, options as never).release();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // a problem of the options' params is the --params file's: named with it, at the file's own paths
    const problems = error.problems.map((p) => (p.path.startsWith('options.params') ? { ...p, path: p.path.slice('options.'.length) } : p));
    throw namingOptionFiles(new InputError(problems, error.truncated), files);
  }
}

/** A book file read later (lazyBook): only whether it can be read is checked now (exit 1 if not). */
async function bookReadable(book: string): Promise<{ book?: undefined }> {
  try {
    await access(book, constants.R_OK);
  } catch (error) {
    throw new InputError([{ path: '--book', message: `cannot read ${book}: ${(error as Error).message}` }]);
  }
  return {};
}

/** Whether `<dir>/<cluster>/` holds a checkpoint of every partition (then a shard need not read the book file to start). */
async function checkpointsCoverEveryPartition(dir: string, cluster: string): Promise<boolean> {
  const { CheckpointStore } = await import('../../durable/checkpoint-store.js');
  const { PARTITION_COUNT } = await import('../../durable/partitions.js');
  return (await new CheckpointStore(join(dir, cluster)).partitions()).size === PARTITION_COUNT;
}

export async function makeLogger(level: string): Promise<Logger> {
  const { pino } = await import('pino');
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}

/** Set by live-local for its shards: their stdin is a pipe from it, which closes when it exits, killed or not. */
export const PARENT_PIPE_ENV = 'MARGIN_CORE_PARENT_PIPE';

/**
 * A shard live-local started stops in order (as on SIGTERM: drains, checkpoints, releases its partitions) when
 * live-local is gone, even by kill -9, which leaves no chance to stop it: its stdin's end says so. A shard left behind
 * would fight the next live-local's shard of the same id for its partitions.
 */
function stopWithParent(): { stoppedBy: string | null } {
  // what stopped the shard when it was not a signal sent to it, for its last line (not the SIGTERM it sends itself)
  const stopped: { stoppedBy: string | null } = { stoppedBy: null };
  if (process.env[PARENT_PIPE_ENV] !== '1') return stopped;
  const parentGone = () => {
    stopped.stoppedBy = 'live-local gone (its pipe closed)';
    process.kill(process.pid, 'SIGTERM');
  };
  process.stdin.on('end', parentGone);
  process.stdin.on('error', parentGone);
  process.stdin.resume();
  // the pipe alone keeps nothing running: a shard stopped by a signal exits once it is done
  (process.stdin as { unref?: (() => void) | undefined }).unref?.();
  return stopped;
}

/** What ends a running shard or gateway: the first signal (stop in order), or an error that ends it (exit 1). */
export function untilStopped(signalled: Promise<NodeJS.Signals>, fatal: Promise<Error>): Promise<NodeJS.Signals | Error> {
  return Promise.race([signalled, fatal]);
}

/**
 * The first SIGINT or SIGTERM from now on, caught: armed when a command starts, so that a signal that lands while it
 * is still starting (reading the book, recovering) stops it in order once it has started, never kills it half-way
 * (a shard would exit by the signal, and live-local would leave its shards running). A second signal is not caught.
 */
export function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
