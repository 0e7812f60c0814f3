/**
 * One exit-code table (docs/cli.md, "Exit codes and messages") for every command: each command run with a bad value of
 * each of its options. A bad option value is a usage error, exit 2, one `error:` line naming the option and the value
 * (then one line pointing at --help); a file that cannot be read or written is rejected input, exit 1, with the file
 * named. Every run fails before any work (no output), and without a stack trace. A test below checks that the table
 * leaves no command's option out.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { marginCore, ROOT, SAMPLE } from './support/cli.js';

const BOOK = join(SAMPLE, 'book.json'), MARKET = join(SAMPLE, 'market.json');
const NOPE = '/nonexistent-margin-core/file.json';
const NO_DIR = '/nonexistent-margin-core/out.json';
const INPUT = ['--book', BOOK, '--market', MARKET];

interface Case {
  /** The command's arguments that are right, before the option tried. */
  base: string[];
  /** Option → its bad value; the expected exit code follows from `files`. */
  bad: Record<string, string>;
  /** Options whose bad value is a file that is not there: input rejected (exit 1), the file named. */
  files?: Record<string, string>;
  /** Options tried on another base (one that `base` holds an option against: `backtest --history` with `--days`). */
  baseFor?: Record<string, string[]>;
}

const MARGIN_INPUT: Case['files'] = { '--book': NOPE, '--market': NOPE, '--params': NOPE, '--out': NO_DIR };
const COMMON = { '--method': 'portfolo', '--profile': 'deribit-pm-v0', '--backend': 'gpu' };

// the live cluster: Redis is never reached (every run fails on its input first)
const LIVE_BASE = ['--redis', 'redis://127.0.0.1:1'];
const LIVE_CKPT = join(tmpdir(), 'margin-core-option-values-ckpt');
const LIVE_BAD = { '--redis': 'http://127.0.0.1:1', '--cluster': 'a b', '--port': '70000', '--host': 'not a host', '--attempts': 'x', '--log-level': 'loud' };
const SHARD_BAD = { ...COMMON, '--durability': 'maybe', '--lease-ms': '1', '--checkpoint-every': 'x', '--checkpoint-fills': '0' };
const LIVE_FILES = { '--book': NOPE, '--market': NOPE, '--params': NOPE, '--limits': NOPE, '--token-file': NOPE, '--checkpoint-dir': '/dev/null/dir' };

const CASES: Record<string, Case> = {
  margin: { base: INPUT, bad: { ...COMMON, '--format': 'xml', '--status': 'broke', '--sort': 'size', '--top': 'many', '--chunk-accounts': '0' }, files: MARGIN_INPUT },
  compare: { base: INPUT, bad: { '--methods': 'cross,portfolo', '--top': 'many', '--format': 'xml', '--backend': 'gpu' }, files: MARGIN_INPUT },
  liquidate: { base: INPUT, bad: { ...COMMON, '--format': 'xml' }, files: MARGIN_INPUT },
  optimize: { base: ['distressed-000107', ...INPUT], bad: { ...COMMON, '--target': 'equity', '--buffer': 'x', '--format': 'csv' }, files: { ...MARGIN_INPUT, '--hedges': NOPE } },
  allocate: { base: ['m', ...INPUT], bad: { ...COMMON, '--format': 'csv' }, files: MARGIN_INPUT },
  stress: {
    base: INPUT,
    bad: { ...COMMON, '--paths': '-3', '--seed': 'x', '--horizon-days': '0', '--threshold': 'x', '--format': 'xml', '--workers': '0' },
    files: { ...MARGIN_INPUT, '--shock': NOPE },
  },
  backtest: {
    base: [...INPUT, '--days', '300'],
    bad: { '--method': 'portfolo', '--days': '1e9', '--seed': 'x', '--confidence': '2', '--warmup-days': '0', '--format': 'xml', '--backend': 'gpu' },
    files: { '--book': NOPE, '--market': NOPE, '--history': NOPE, '--save-history': NO_DIR, '--params': NOPE, '--out': NO_DIR },
    baseFor: { '--history': INPUT }, // --days makes the synthetic history: beside --history, a usage error of its own
  },
  explain: { base: ['distressed-000107', ...INPUT], bad: { ...COMMON, '--format': 'csv' }, files: MARGIN_INPUT },
  profiles: { base: [], bad: { '--format': 'xml' }, files: { '--out': NO_DIR } },
  greeks: { base: INPUT, bad: { '--format': 'xml', '--backend': 'gpu' }, files: { '--book': NOPE, '--market': NOPE, '--out': NO_DIR } },
  page: { base: [], bad: { '--port': '70000' } },
  serve: {
    base: [...INPUT, '--port', '0'],
    bad: {
      '--method': 'portfolo', '--profile': 'deribit-pm-v0', '--port': '70000', '--host': 'not a host', '--backend': 'gpu', '--allow-host': 'a b', '--allow-origin': 'not-an-origin',
      '--max-body': '0', '--max-items': 'x', '--max-page': '0', '--max-connections': '-1', '--max-streams': '0', '--max-reports': '0', '--request-timeout': '0',
      '--headers-timeout': 'x', '--keep-alive-timeout': '0', '--idle-timeout': '0', '--shutdown-grace': 'x', '--log-level': 'loud',
    },
    files: { '--book': NOPE, '--market': NOPE, '--params': NOPE, '--limits': NOPE, '--token-file': NOPE },
  },
  coordinator: {
    base: ['--redis', 'redis://127.0.0.1:1', '--group', 'g', ...INPUT],
    bad: { '--redis': 'http://127.0.0.1:1', '--group': 'a b', '--attempts': 'x', '--method': 'portfolo', '--profile': 'deribit-pm-v0', '--ticks': '0', '--shards': '0', '--timeout-ms': '0', '--format': 'csv' },
    files: { '--book': NOPE, '--market': NOPE, '--params': NOPE, '--out': NO_DIR },
  },
  worker: {
    base: ['--redis', 'redis://127.0.0.1:1', '--group', 'g'],
    bad: { '--redis': 'http://127.0.0.1:1', '--group': 'a b', '--attempts': 'x', '--claim-idle-ms': 'x', '--health-every': '-1', '--consumer': 'a b', '--backend': 'gpu' },
  },
  'live-shard': {
    base: [...LIVE_BASE, ...INPUT, '--checkpoint-dir', LIVE_CKPT],
    bad: { ...LIVE_BAD, ...SHARD_BAD, '--shard-id': 'a b' },
    files: LIVE_FILES,
  },
  'live-gateway': {
    base: LIVE_BASE,
    bad: { ...LIVE_BAD, '--allow-host': 'a b', '--allow-origin': 'not-an-origin', '--max-body': '0', '--report-wait': 'x' },
    files: { '--token-file': NOPE },
  },
  'live-local': {
    base: [...LIVE_BASE, ...INPUT, '--checkpoint-dir', LIVE_CKPT],
    bad: { ...LIVE_BAD, ...SHARD_BAD, '--shards': '17', '--allow-host': 'a b', '--allow-origin': 'not-an-origin', '--max-body': '0', '--report-wait': 'x' },
    files: LIVE_FILES,
  },
  generate: {
    base: ['--accounts', '10', '--out', '/nonexistent-margin-core/dir'],
    bad: { '--accounts': '0', '--positions': '101', '--accounts-per-master': '0', '--coin-accounts': '-1', '--seed': 'x', '--valuation-time': 'yesterday', '--format': 'xml' },
    files: { '--out': '/dev/null/dir' },
  },
  import: {
    base: ['deribit', '--in', join(ROOT, 'test/import/fixtures/deribit/coin-account'), '--out', '/nonexistent-margin-core/dir'],
    bad: { '--account': ' ', '--valuation-time': 'yesterday', '--iv-unit': 'permille', '--expiry-hour': '25', '--venue': 'Deri bit', '--balance-total': 'debt' },
    files: { '--in': '/nonexistent-margin-core/dir', '--out': '/dev/null/dir' },
  },
  bench: { base: ['liquidation'], bad: {}, files: { '--out': '/dev/null/dir' } },
};

/** Options that take no value, or only say what to print: nothing to get wrong. */
const NO_VALUE = new Set(['--sample', '--lenient', '--repair-correlation', '--breakdown', '--reverse', '--no-circuit-breaker', '--allow-gaps', '--no-auth', '--no-trim', '--health', '--strict', '--modes', '--help']);

describe('every command, a bad value of every option', () => {
  test('the table covers every option that takes a value', () => {
    const missing: string[] = [];
    for (const command of buildProgram().commands) {
      const known = CASES[command.name()];
      for (const option of command.options) {
        const name = option.long!;
        if (NO_VALUE.has(name) || (command.name() === 'demo')) continue;
        if (!known || !(name in known.bad || name in (known.files ?? {}))) missing.push(`${command.name()} ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  const runs: [string, string, string, number][] = [];
  for (const [command, c] of Object.entries(CASES)) {
    for (const [option, value] of Object.entries(c.bad)) runs.push([command, option, value, 2]);
    for (const [option, value] of Object.entries(c.files ?? {})) runs.push([command, option, value, 1]);
  }

  test.each(runs)('%s %s %s: exit %i, one line', async (command, option, value, exit) => {
    const c = CASES[command];
    // the option given last replaces the base's value of it (commander keeps the last)
    const { code, stdout, stderr } = await marginCore(command, ...(c.baseFor?.[option] ?? c.base), option, value);
    expect({ code, stdout }).toEqual({ code: exit, stdout: '' });
    expect(stderr).not.toMatch(/\n\s+at .+:\d+/);
    const lines = stderr.trimEnd().split('\n');
    if (exit === 2) {
      // commander's line for the value (`error: option '--top <n>' argument 'many' is invalid. …`), or the command's own
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toContain(option.replace(/^--no-/, '--'));
      expect(lines[0]).toContain(value);
      expect(lines.slice(1)).toEqual([`(margin-core ${command} --help shows its options)`]);
    } else {
      expect(stderr).toContain(value.replace(/\/[^/]*$/, '')); // the file, or its folder
      expect(stderr).toContain(option);
    }
  });
});

describe('a whole number is written in decimal digits', () => {
  test.each([['0x10'], ['1e3'], ['0b11'], ['1.0e1']])('--top %s: exit 2 ("a whole number" does not admit it)', async (value) => {
    const { code, stderr } = await marginCore('margin', ...INPUT, '--top', value);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toContain(`'${value}' is invalid. expected a whole number`);
  });

  test('--top 16 and a seed of −3 are read', async () => {
    expect((await marginCore('margin', ...INPUT, '--top', ' 16 ', '--format', 'csv')).stdout.trimEnd().split('\n')).toHaveLength(17);
    expect((await marginCore('generate', '--accounts', '3', '--seed', '-3', '--out', join(tmpdir(), 'margin-core-seed-minus-3'))).code).toBe(0);
  });
});
