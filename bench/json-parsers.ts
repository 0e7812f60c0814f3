/**
 * Streamed JSON parsing of a book (docs/performance.md, "Reading book.json"), alternated in the same run, two tables:
 * - accounts as objects: src/io/json-stream.ts (byte scanning, each ~1 MB of array elements handed to JSON.parse)
 *   against stream-json (a token parser and assembler), a batch at a time. stream-json is not a dependency: this bench
 *   uses it when it is installed (`npm install --no-save stream-json`) and says so when it is not;
 * - the book read and validated into columns, a chunk at a time, as `margin` reads it: the general reader
 *   (src/io/book-stream.ts: json-stream.ts, then the validator per account) against the accounts scanner
 *   (src/io/json-book/: WASM SIMD and scalar builds, and the JS twin).
 * The book is generated (accounts × 20 positions) into the OS temp folder.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ObjectSplitter } from '../src/io/json-stream.js';
import { type BenchTable, fixed } from './harness.js';
import { middle } from './stats.js';

export interface ParserRow {
  parser: string;
  /** What the parser makes: `objects` (accounts as objects) or `columns` (the validated book's columns). */
  into: 'objects' | 'columns';
  accounts: number;
  /** ms, medians over the rounds. */
  wall: number;
  cpu: number;
  /** MB/s of the file, from the wall median. */
  mbPerSecond: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Accounts counted by json-stream.ts's splitter (the elements handed over a batch at a time, then dropped). */
async function splitter(path: string): Promise<number> {
  let accounts = 0;
  const s = new ObjectSplitter((key, elements) => {
    if (key === 'accounts') accounts += elements.length;
    return key === 'accounts';
  });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) s.push(chunk as Buffer);
  s.finish();
  return accounts;
}

/** Accounts read into validated columns, a chunk at a time, by `read` (a book reader's chunks, each dropped). */
async function columns(read: AsyncIterable<{ book: unknown }>): Promise<number> {
  const { accountCountOf } = await import('../src/model/book-columns.js');
  let accounts = 0;
  for await (const { book } of read) accounts += accountCountOf(book as Parameters<typeof accountCountOf>[0]);
  return accounts;
}

async function generalReader(path: string): Promise<number> {
  const { readBookChunks } = await import('../src/io/book-stream.js');
  return columns(readBookChunks(path));
}

/** The accounts scanner on one backend (its instance made once, outside the timing). */
async function scanned(backend: 'simd' | 'scalar' | 'js'): Promise<(path: string) => Promise<number>> {
  const { JsScanner, WasmScanner } = await import('../src/io/json-book/scanners.js');
  const { readJsonBookChunks } = await import('../src/io/json-book/read.js');
  const scanner = backend === 'js' ? new JsScanner() : await WasmScanner.create(backend);
  return (path) => columns(readJsonBookChunks(path, { scanner }));
}

/** An optional package, by a name the bundler does not resolve (stream-json is not a dependency). */
const optional = (name: string): Promise<Record<string, unknown>> => import(name);

/** Accounts counted by stream-json: parser → pick('accounts') → streamArray, one object per element. */
async function streamJson(path: string): Promise<number> {
  const { parser } = await optional('stream-json') as { parser: () => unknown };
  const { pick } = await optional('stream-json/filters/pick.js') as { pick: (o: unknown) => unknown };
  const { streamArray } = await optional('stream-json/streamers/stream-array.js') as { streamArray: () => unknown };
  const chain = (await optional('stream-chain')).default as (fns: unknown[]) => AsyncIterable<unknown>;
  let accounts = 0;
  for await (const item of chain([createReadStream(path, { highWaterMark: 1 << 22 }), parser(), pick({ filter: 'accounts' }), streamArray()])) {
    if (item !== undefined) accounts++;
  }
  return accounts;
}

/** The bench on a generated book of `accounts` × 20 positions. */
export async function jsonParsersOnSample(accounts: number): Promise<{ rows: ParserRow[]; streamJson: string }> {
  const { writeSample } = await import('../src/sample/write.js');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'mc-json-parsers-'));
  try {
    const { book } = await writeSample(dir, accounts, 7, { positionsPerAccount: 20 });
    return await jsonParsersBench(book);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function jsonParsersTables(r: { rows: ParserRow[]; streamJson: string }): BenchTable[] {
  const table = (into: ParserRow['into']) => r.rows.filter((x) => x.into === into).map((x) => ({ parser: x.parser, accounts: x.accounts, 'wall ms': fixed(x.wall, 0), 'CPU ms': fixed(x.cpu, 0), 'MB/s': fixed(x.mbPerSecond, 1) }));
  return [
    { caption: `accounts of book.json as objects, a batch at a time (stream-json ${r.streamJson}); medians of 3, alternated`, rows: table('objects') },
    { caption: 'book.json read and validated into the book\'s columns, a chunk at a time, as margin reads it; medians of 3, alternated', rows: table('columns') },
  ];
}

export async function jsonParsersBench(path: string, rounds = 3): Promise<{ rows: ParserRow[]; streamJson: string }> {
  const bytes = (await stat(path)).size;
  let available = 'installed';
  try {
    await optional('stream-json');
  } catch {
    available = 'not installed (npm install --no-save stream-json to compare)';
  }
  const parsers: [string, ParserRow['into'], (p: string) => Promise<number>][] = [['src/io/json-stream.ts', 'objects', splitter]];
  if (available === 'installed') parsers.push(['stream-json', 'objects', streamJson]);
  parsers.push(['src/io/book-stream.ts (general reader)', 'columns', generalReader]);
  for (const backend of ['simd', 'scalar', 'js'] as const) parsers.push([`src/io/json-book (scanner, ${backend === 'js' ? 'JS twin' : `wasm-${backend}`})`, 'columns', await scanned(backend)]);
  const samples = new Map(parsers.map(([name, into]) => [name, { into, wall: [] as number[], cpu: [] as number[], accounts: 0 }]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, , parse] of parsers) {
      const c = cpuMs(), t = performance.now();
      const accounts = await parse(path);
      const s = samples.get(name)!;
      s.wall.push(performance.now() - t);
      s.cpu.push(cpuMs() - c);
      s.accounts = accounts;
    }
  }
  const rows = [...samples].map(([parser, s]) => ({ parser, into: s.into, accounts: s.accounts, wall: middle(s.wall), cpu: middle(s.cpu), mbPerSecond: bytes / 2 ** 20 / (middle(s.wall) / 1000) }));
  return { rows, streamJson: available };
}
