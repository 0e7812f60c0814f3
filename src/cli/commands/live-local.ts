/**
 * `margin-core live-local --shards N`: the live cluster on one machine in one command (a laptop, a demo, a test): N
 * `live-shard` processes (this same CLI, each with its own port) and a gateway in this process, all on one Redis and
 * one checkpoint directory. SIGINT or SIGTERM stops the gateway, then every shard (each drains, checkpoints and
 * releases its partitions); the exit code is 0 when they all exited 0. Killed (kill -9), it leaves no shard behind:
 * each stops in order when the pipe on its stdin closes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { SERVICE_DEFAULTS } from '../../service/options.js';
import { CommandFailed } from '../io.js';
import { checkHostResolves, listenFailure } from '../listen.js';
import { chosenMethod, inputPaths, integerText } from '../options.js';
import { gatewayOptions, type GatewayFlags, liveCommonOptions, makeLogger, MISDIRECTED_HINT, PARENT_PIPE_ENV, readShardInputs, type ShardFlags, shardOptions, firstSignal, untilStopped } from './live.js';
import { chooseToken } from './serve.js';

/** How a shard ended, as a shell says it: its exit code, or 128 + the signal's number and the signal (`137 (SIGKILL)`). */
function shardExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === null) return String(code ?? 1);
  const number = constants.signals[signal] as number | undefined;
  return number === undefined ? signal : `${128 + number} (${signal})`;
}

/** `--shards N`: 1 to 16 processes. */
function shardCount(value: string): number {
  const n = integerText(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('expected a whole number from 1 to 16.');
  return n;
}

export function registerLiveLocalCommand(program: Command): Command {
  const command = program.command('live-local').description('the live cluster on this machine: N shard processes and a gateway, stopped together');
  gatewayOptions(liveCommonOptions(command, SERVICE_DEFAULTS.port));
  shardOptions(command)
    .option('--shards <n>', 'shard processes (1 to 16)', shardCount, 2)
    .addHelpText('after', ['', 'Example:', '  margin-core live-local --shards 2 --redis redis://127.0.0.1:6379 --sample --checkpoint-dir ./ckpt --durability relaxed'].join('\n'))
    .action(async (opts: ShardFlags & GatewayFlags & { shards: number }, cmd: Command) => {
      const signalled = firstSignal();
      opts.method = chosenMethod(opts, cmd);
      const files = inputPaths(opts, cmd);
      const token = await chooseToken(opts, cmd);
      await checkHostResolves(opts.host, cmd);
      await readShardInputs(opts, files, 'live-local'); // said here, before any process starts
      const args = [
        'live-shard', '--redis', opts.redis, '--cluster', opts.cluster, '--book', files.book, '--market', files.market, '--checkpoint-dir', opts.checkpointDir,
        '--method', opts.method, '--backend', opts.backend, '--durability', opts.durability, '--lease-ms', String(opts.leaseMs),
        '--checkpoint-every', String(opts.checkpointEvery), '--checkpoint-fills', String(opts.checkpointFills), '--attempts', String(opts.attempts),
        '--log-level', opts.logLevel, '--host', opts.host, '--port', '0',
        ...(opts.profile ? ['--profile', opts.profile] : []), ...(opts.params ? ['--params', opts.params] : []), ...(opts.limits ? ['--limits', opts.limits] : []),
        ...(token.value === null ? ['--no-auth'] : []), ...(opts.trim ? [] : ['--no-trim']),
      ];
      const env = { ...process.env, ...(token.value === null ? {} : { MARGIN_CORE_TOKEN: token.value }), [PARENT_PIPE_ENV]: '1' };
      const children: ChildProcess[] = [];
      let stopping = false, alive = opts.shards;
      const exits: Promise<string>[] = [];
      // every shard gone on its own (none started, or the last one died): nothing serves the partitions, so stop
      let noShardLeft!: (error: Error) => void;
      const allExited = new Promise<Error>((resolve) => (noShardLeft = resolve));
      for (let i = 0; i < opts.shards; i++) {
        // stdin a pipe from this process: its end (this process gone, even by kill -9) stops the shard (live.ts stopWithParent)
        const child = spawn(process.execPath, [process.argv[1], ...args, '--shard-id', `${opts.cluster}-local-${i}`], { env, stdio: ['pipe', 'inherit', 'inherit'] });
        children.push(child);
        exits.push(new Promise((resolve) => child.once('exit', (code, signal) => {
          // a shard that dies on its own is said at once; its partitions go to the others after their lease
          alive--;
          if (!stopping) process.stderr.write(`margin-core live-local: shard ${i} exited (${signal ?? `code ${code}`}); ${alive > 0 ? 'the other shards take its partitions' : 'no shard is left: stopping'}\n`);
          resolve(shardExit(code, signal));
          if (alive === 0 && !stopping) void Promise.all(exits).then((codes) => noShardLeft(new Error(`every shard exited on its own (${namedExits(codes)}): nothing serves the partitions`)));
        })));
      }
      const stopShards = async () => {
        stopping = true;
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return Promise.all(exits);
      };
      const logger = await makeLogger(opts.logLevel);
      const { startGateway } = await import('../../durable/gateway.js');
      let gateway: Awaited<ReturnType<typeof startGateway>>;
      try {
        gateway = await startGateway({
          redisUrl: opts.redis, cluster: opts.cluster, expectShards: opts.shards, reportWaitMs: opts.reportWait,
          http: { port: opts.port, host: opts.host, token: token.value, allowHosts: opts.allowHost, misdirectedHint: MISDIRECTED_HINT.local, allowOrigins: opts.allowOrigin, maxBodyBytes: opts.maxBody, logger },
          connect: { maxAttempts: opts.attempts },
        });
      } catch (error) {
        await stopShards();
        throw new CommandFailed(listenFailure(error, opts.host, opts.port) ?? (error as Error).message);
      }
      if (token.generated) process.stderr.write(`margin-core live-local: this run's token (send Authorization: Bearer <token>): ${token.value}\n`);
      process.stdout.write(`margin-core live-local: ${opts.shards} shards starting, gateway listening on ${gateway.url} (GET /ready says when every partition is served)\n`);
      const ended = await untilStopped(signalled, Promise.race([gateway.fatal, allExited]));
      await gateway.close();
      const codes = await stopShards();
      if (ended instanceof Error) throw new CommandFailed(ended.message); // the token refused (the shards stop likewise), or no shard left
      if (codes.some((c) => c !== '0')) throw new CommandFailed(`a shard did not stop cleanly (${namedExits(codes)})`);
    });
  return command;
}

/** The shards' exits, each by its number: `shard 0 exit 137 (SIGKILL), shard 1 exit 0`. */
function namedExits(codes: readonly string[]): string {
  return codes.map((code, i) => `shard ${i} exit ${code}`).join(', ');
}
