/**
 * A big book read a chunk ahead on a worker thread: `bookChunks` (io.ts) runs in a worker started from the command's
 * own bundle, and hands each chunk over while the command margins and writes the one before, so reading and checking
 * the book (half of a 1,000,000-account run's CPU) takes the second core instead of adding to the run's time.
 *
 * The worker is at most AHEAD chunks in front (memory: a few chunks, not the book). A chunk crosses as its columns
 * (typed arrays copied out of the reader's reused buffers into shared ones, not cloned again) or, for a chunk the general
 * reader made of objects, as its validated objects and instrument rows; either is the book the reader validated, so
 * it is certified as it comes, as a shard's cut of a validated book is. The command is done with a chunk when it asks
 * for the next (margin.ts keeps a chunk's report rows, never its positions): its position columns are let go
 * (releasePositions: a later read through the book is an internal error) and their buffers, shared ones, given back
 * to the reader, which copies a later chunk's positions into them (buffer-pool.ts) instead of into fresh memory.
 * Shared rather than moved back: a move would detach them here, and one detached buffer slows every typed-array loop
 * of this thread's JS kernels (buffer-pool.ts). Problems come back as the errors the reader
 * threw (InputError with its paths, NeedsWholeBook); the bytes read come back for the progress bar.
 * Without a worker file (the sources run by tests, a bundle that is not the CLI) the chunks are read in this thread.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { InputProblem } from '../errors.js';
import type { JsonBookOptions } from '../io/json-book/read.js';
import { certifyBook, instrumentRowsOf } from '../model/brand.js';
import { type BookChunk, type BookColumns, bookColumnsOf, columnarBook, ownIdText, releasePositions } from '../model/book-columns.js';
import type { ValidatedAccount, ValidatedBook, ValidatedInstrument } from '../model/types.js';
import type { BytesRead } from '../io/file-chunks.js';
import { BufferPool, sharedCopy } from './buffer-pool.js';
import { bookChunks } from './io.js';
import { errorOf, type SentError, sentError } from './thread-errors.js';
import { Wakeup } from './wakeup.js';

/** The key of workerData that makes a thread of the CLI bundle a book reader (main.ts checks it). */
export const READ_AHEAD = 'margin-core:read-ahead';
/** Chunks the worker may have read that the command has not taken yet. */
const AHEAD = 2;

interface ReaderData {
  path: string;
  options: Omit<JsonBookOptions, 'onBytes' | 'scanner'> & { scanner?: string | undefined };
  chunkAccounts?: number | undefined;
}

type ChunkMessage =
  | { kind: 'columns'; first: number; columns: BookColumns; warnings: readonly InputProblem[] }
  | { kind: 'objects'; first: number; instruments: readonly ValidatedInstrument[]; accounts: readonly ValidatedAccount[]; rows: Int32Array; warnings: readonly InputProblem[] }
  | { kind: 'bytes'; done: number; total: number }
  | { kind: 'end' }
  | { kind: 'error'; error: SentError };

/** Whether this thread was started as a book reader (then {@link serveBookChunks} is its whole work). */
export function isBookReaderThread(): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | null)?.[READ_AHEAD] !== undefined;
}

/** The CLI bundle's own file (dist/cli.js), which can be a book reader thread; undefined for the sources (tests). */
export function cliBundleFile(): string | undefined {
  const file = import.meta.url.startsWith('file:') ? fileURLToPath(import.meta.url) : '';
  return /(?:^|[\\/])cli\.js$/.test(file) ? file : undefined;
}

/**
 * The file a book reader thread runs: the reader's own bundle beside the CLI's (dist/reader.js: src/cli/reader-thread.ts),
 * else the CLI bundle, which serves a reader too; undefined for the sources (tests).
 */
export function readerBundleFile(): string | undefined {
  const cli = cliBundleFile();
  if (cli === undefined) return undefined;
  const reader = join(dirname(cli), 'reader.js');
  return existsSync(reader) ? reader : cli;
}

/**
 * `chunks` begun now: its first chunk asked for at once, so that a reader thread starts and reads while the caller
 * reads the market and compiles its kernels (about 0.1 s of a big book's run that the command's thread waited for its
 * first chunk), then iterated as before. Give it back (`return()`) on every path: a chunk stream never iterated still
 * holds its reader thread.
 */
export function begunNow<T>(chunks: AsyncGenerator<T, void>): AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T, void>> } {
  let first: Promise<IteratorResult<T, void>> | undefined = chunks.next();
  first.catch(() => undefined); // its failure is thrown where the chunks are iterated (or dropped by return)
  return {
    next: () => {
      const taken = first;
      first = undefined;
      return taken ?? chunks.next();
    },
    return: () => {
      first = undefined;
      return chunks.return(undefined);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * `bookChunks(path, options, onBytes, chunkAccounts)` read on a worker thread running `workerFile` (the CLI bundle,
 * which serves it when {@link isBookReaderThread}), or in this thread when `workerFile` is undefined.
 */
export async function* bookChunksAhead(path: string, options: JsonBookOptions, onBytes: BytesRead | undefined, chunkAccounts: number | undefined, workerFile: string | undefined): AsyncGenerator<BookChunk> {
  if (workerFile === undefined || typeof options.scanner === 'object') {
    yield* bookChunks(path, options, onBytes, chunkAccounts);
    return;
  }
  const { onBytes: _ignored, scanner, ...rest } = options;
  const data: ReaderData = { path, options: { ...rest, ...(scanner !== undefined ? { scanner } : {}) }, chunkAccounts };
  const worker = new Worker(workerFile, { workerData: { [READ_AHEAD]: data }, argv: [], stdout: false, stderr: false });
  const inbox: ChunkMessage[] = [];
  const arrivals = new Wakeup();
  let failure: Error | undefined;
  worker.on('message', (m: ChunkMessage) => {
    if (m.kind === 'bytes') onBytes?.(m.done, m.total);
    else inbox.push(m);
    arrivals.notify();
  });
  worker.on('error', (error) => {
    failure = error;
    arrivals.notify();
  });
  worker.on('exit', (code) => {
    failure ??= code === 0 ? undefined : new Error(`the book reader thread stopped (exit code ${code})`);
    arrivals.notify();
  });
  try {
    worker.postMessage(AHEAD);
    for (;;) {
      while (inbox.length === 0 && failure === undefined) await arrivals.next();
      const m = inbox.shift();
      if (m === undefined) throw failure!;
      if (m.kind === 'end') return;
      if (m.kind === 'error') throw errorOf(m.error);
      worker.postMessage(1); // one taken: the worker may read one more while this one is margined
      if (m.kind === 'columns') {
        const book = columnarBook(m.columns, m.warnings);
        yield { book, first: m.first };
        // asked for the next chunk: this one is done with; its positions go back to the reader when they can be let go
        if (releasePositions(book)) {
          if (CHECK_RELEASED) poison(m.columns);
          worker.postMessage({ given: positionBuffers(m.columns) } satisfies ReaderMessage);
        }
      } else if (m.kind === 'objects') yield { book: objectBook(m), first: m.first };
    }
  } finally {
    await worker.terminate();
  }
}

/** The worker's side: reads the chunks and posts each when the command has room for it (its credits). */
export async function serveBookChunks(): Promise<void> {
  const port = parentPort!;
  const data = (workerData as Record<string, ReaderData>)[READ_AHEAD];
  let credits = 0;
  const arrivals = new Wakeup();
  const pool = new BufferPool();
  port.on('message', (m: ReaderMessage) => {
    if (typeof m === 'number') {
      credits += m;
      arrivals.notify();
    } else pool.give(m.given);
  });
  const onBytes: BytesRead = (done, total) => port.postMessage({ kind: 'bytes', done, total } satisfies ChunkMessage);
  try {
    for await (const chunk of bookChunks(data.path, data.options as JsonBookOptions, onBytes, data.chunkAccounts)) {
      while (credits === 0) await arrivals.next();
      credits--;
      port.postMessage(chunkMessage(chunk, pool));
    }
    port.postMessage({ kind: 'end' } satisfies ChunkMessage);
  } catch (error) {
    port.postMessage({ kind: 'error', error: sentError(error) } satisfies ChunkMessage);
  }
  port.close();
}

/**
 * A check for tests (MARGIN_CORE_CHECK_RELEASED=1): a chunk's position columns are overwritten (NaN, row −1) as they
 * are given back, so that anything reading a chunk after it was let go shows in its report, at once and every run,
 * instead of reading whatever later chunk the reader has copied in by then.
 */
const CHECK_RELEASED = process.env.MARGIN_CORE_CHECK_RELEASED === '1';

function poison(c: BookColumns): void {
  (c.positionInstrument as Int32Array).fill(-1);
  for (const column of [c.quantity, c.entryPrice, c.isolatedMargin]) (column as Float64Array | undefined)?.fill(Number.NaN);
}

/** What the command sends the reader: credits (chunks it may read ahead), or position buffers given back. */
type ReaderMessage = number | { given: SharedArrayBuffer[] };

/** The shared buffers of a chunk's position columns (each its own: chunkMessage's copies). */
function positionBuffers(c: BookColumns): SharedArrayBuffer[] {
  const views = c.isolatedMargin ? [c.positionInstrument, c.quantity, c.entryPrice, c.isolatedMargin] : [c.positionInstrument, c.quantity, c.entryPrice];
  return views.map((view) => view.buffer as SharedArrayBuffer);
}

/**
 * A chunk as a message (its own copies: the reader reuses its buffers for later chunks), every copy in a shared
 * buffer, so nothing is moved and no buffer is detached on either thread (docs/performance.md, no-detach: a detach
 * slows the thread's typed-array loops, here the JS scanner's); the position columns, most of a chunk's bytes, in
 * buffers of `pool` (given back by the command).
 */
function chunkMessage({ book, first }: BookChunk, pool: BufferPool): ChunkMessage {
  const warnings = book.warnings ?? [];
  const columns = bookColumnsOf(book);
  if (!columns) return { kind: 'objects', first, instruments: book.instruments, accounts: book.accounts, rows: sharedCopy(instrumentRowsOf(book)), warnings };
  const c = columns;
  const copied: BookColumns = {
    ...c,
    cashUsd: sharedCopy(c.cashUsd), positionStart: sharedCopy(c.positionStart), positionInstrument: pool.copy(c.positionInstrument), quantity: pool.copy(c.quantity),
    entryPrice: pool.copy(c.entryPrice), balanceStart: sharedCopy(c.balanceStart), balanceAsset: sharedCopy(c.balanceAsset), amount: sharedCopy(c.amount),
    ...(c.isolatedMargin ? { isolatedMargin: pool.copy(c.isolatedMargin) } : {}),
    ...(c.idText ? { idText: ownIdText(c.idText, (n) => new SharedArrayBuffer(n)) } : {}),
  };
  return { kind: 'columns', first, columns: copied, warnings };
}

/** A chunk of validated objects made a validated book again (the reader validated it; the brand does not cross threads). */
function objectBook(m: Extract<ChunkMessage, { kind: 'objects' }>): ValidatedBook {
  const book = { instruments: m.instruments, accounts: m.accounts };
  Object.defineProperty(book, 'warnings', { value: m.warnings, enumerable: false });
  return certifyBook(book, m.rows);
}
