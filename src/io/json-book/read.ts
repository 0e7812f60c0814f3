/**
 * book.json read at the speed of its bytes: the top-level members by the streaming splitter (src/io/json-stream.ts),
 * and the `accounts` array, which is nearly all of the file, by the accounts scanner (scan.ts, or its WASM twin)
 * straight into the book's columns, with no object per account or position (scanned-accounts.ts). The chunks, the
 * book, the problems and their paths are those of the general reader (src/io/book-stream.ts), which reads any file
 * this one does not: accounts before the instruments, no accounts, anything that is not JSON, or an account JSON.parse
 * would read wrong (a member name given twice, a number that underflows: src/model/json-strict.ts). The general reader
 * then reads the file again and names the error as it always has.
 */
import { Buffer } from 'node:buffer';
import { type FileHandle, open } from 'node:fs/promises';
import { accountCountOf, type BookChunk } from '../../model/book-columns.js';
import type { ValidatedBook } from '../../model/types.js';
import { BlockReader } from '../block-reader.js';
import { Utf8Check } from '../utf8-check.js';
import { type ChunkOptions, readBookChunks, StreamedBook } from '../book-stream.js';
import type { BytesRead } from '../file-chunks.js';
import { JsonSyntaxError, ObjectSplitter, TAKEN } from '../json-stream.js';
import { ARG, SCAN_END, SCAN_FULL, SCAN_MORE, SCAN_SYNTAX, STATE_START } from './scan-abi.js';
import { type AccountScanner, accountScanner, type ScannerChoice } from './scanners.js';
import { NotScannable, ScannedAccounts } from './scanned-accounts.js';
import { scanKeys } from './scan-keys.js';

/** Bytes read from the file at a time (the text buffer holds twice this, grown for an account bigger than that). */
const READ_BYTES = 4 << 20;

export interface JsonBookOptions extends ChunkOptions {
  /** The scanner (default `auto`: WASM when it loads, else its JS twin), or one already made (it is reused). */
  scanner?: ScannerChoice | AccountScanner | undefined;
  /** Told as the file's bytes are read (a progress bar): bytes so far of the file's size. */
  onBytes?: BytesRead | undefined;
}

/**
 * The book in `path` a chunk of accounts at a time (chunk k holds `chunkAccounts` accounts, or `chunkAccounts(k)`),
 * exactly as src/io/book-stream.ts `readBookChunks` gives it (see the module comment).
 */
export async function* readJsonBookChunks(path: string, options: JsonBookOptions = {}, chunkAccounts: number | ((chunk: number) => number) = 65_536): AsyncGenerator<BookChunk> {
  const scanner = typeof options.scanner === 'object' ? options.scanner : await accountScanner(options.scanner);
  let yielded = 0;
  try {
    for await (const chunk of scannedChunks(path, options, chunkAccounts, scanner)) {
      yielded++;
      yield chunk;
    }
  } catch (error) {
    if (!(error instanceof NotScannable || error instanceof JsonSyntaxError)) throw error;
    yield* general(path, options, chunkAccounts, yielded);
  }
}

/** The whole book in `path`, as src/io/book-stream.ts `readBookFile` reads it. */
export async function readJsonBookFile(path: string, options: JsonBookOptions = {}): Promise<ValidatedBook> {
  let book: ValidatedBook | undefined;
  for await (const chunk of readJsonBookChunks(path, options, Infinity)) book = chunk.book;
  return book!;
}

/** The general reader from the start, its first `skip` chunks (already handed out) passed over. */
async function* general(path: string, options: JsonBookOptions, chunkAccounts: number | ((chunk: number) => number), skip: number): AsyncGenerator<BookChunk> {
  let k = 0;
  for await (const chunk of readBookChunks(path, options, chunkAccounts, undefined, options.onBytes)) if (k++ >= skip) yield chunk;
}

/** `path` opened for reading, with its size when `sized` (0 otherwise); closed again when its size cannot be read. */
async function openSized(path: string, sized: boolean): Promise<{ file: FileHandle; total: number }> {
  const file = await open(path, 'r');
  try {
    return { file, total: sized ? (await file.stat()).size : 0 };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** The scanned read; NotScannable (or the splitter's JsonSyntaxError) when the general reader must read the file. */
async function* scannedChunks(path: string, options: JsonBookOptions, chunkAccounts: number | ((chunk: number) => number), scanner: AccountScanner): AsyncGenerator<BookChunk> {
  const onBytes = options.onBytes;
  const { file, total } = await openSized(path, onBytes !== undefined);
  let done = 0;
  const blocks = new BlockReader(file, READ_BYTES, new Utf8Check()); // (a bad byte: the general reader reads the file again and says where)
  /** The file's next block into the scanner's text at `at` (room for READ_BYTES there), the bytes told to onBytes. */
  const read = async (at: number): Promise<number> => {
    const block = await blocks.next();
    scanner.text.set(block, at);
    if (onBytes && block.length > 0) onBytes((done += block.length), total);
    return block.length;
  };
  try {
    const splitter = new ObjectSplitter(undefined, 'accounts');
    scanner.reserve(2 * READ_BYTES, 0, 1);
    // the members before the accounts (a copy of each read for the splitter, which may keep pieces of it)
    let length = 0, at = -1;
    while (at < 0) {
      const n = await read(0);
      if (n === 0) throw new NotScannable('no accounts array');
      const used = splitter.push(Buffer.from(scanner.text.subarray(0, n)));
      if (splitter.diverting) at = used;
      length = n;
    }
    const instruments = splitter.member('instruments');
    if (instruments === undefined) throw new NotScannable('the accounts come before the instruments');
    const book = new StreamedBook(options, chunkAccounts);
    const terms = book.begin(instruments);
    scanner.setKeys(scanKeys(terms.indexById));
    const scanned = new ScannedAccounts(book, terms);
    // the accounts, scanned a buffer at a time; an account cut by the buffer's end is scanned again with more bytes
    let from = at, state = STATE_START, first = 0, eof = false, scale = 1;
    for (;;) {
      const args = scanner.args;
      args[ARG.from] = from;
      args[ARG.to] = length;
      args[ARG.final] = eof ? 1 : 0;
      args[ARG.state] = state;
      const code = scanner.scan();
      const count = args[ARG.accounts];
      yield* scanned.take(scanner.text, args, scanner.records, first);
      first += count;
      state = args[ARG.state];
      from = args[ARG.next];
      if (code === SCAN_END) break;
      if (code === SCAN_SYNTAX) throw new NotScannable(`not JSON after accounts[${first - 1}]`);
      if (code === SCAN_FULL) {
        if (count === 0) scanner.reserve(length, length, (scale *= 2)); // one account bigger than the records: more room
        continue;
      }
      if (code !== SCAN_MORE) throw new Error(`margin-core: the accounts scanner returned ${code}`);
      // keep the bytes not scanned, read more after them (a bigger buffer when they fill half of it)
      scanner.text.copyWithin(0, from, length);
      length -= from;
      from = 0;
      if (length + READ_BYTES > scanner.text.length) scanner.reserve(2 * scanner.text.length, length, scale);
      const n = await read(length);
      eof = n === 0;
      length += n;
    }
    if (first === 0) throw new NotScannable('an empty accounts array'); // the general reader validates such a book whole
    // the members after the accounts, from the array's `]`
    splitter.push(Buffer.from(scanner.text.subarray(from, length)));
    for (;;) {
      const n = await read(0);
      if (n === 0) break;
      splitter.push(Buffer.from(scanner.text.subarray(0, n)));
    }
    const members = splitter.finish();
    members.accounts = TAKEN;
    const last = book.finish(members);
    yield* book.takeChunks();
    if (book.lastFirst === 0 || accountCountOf(last) > 0) yield { book: last, first: book.lastFirst };
  } finally {
    await blocks.settle();
    await file.close();
  }
}
