/**
 * Reading JSON files of any size. V8 cannot hold a string over ~512 MB, so `JSON.parse(readFileSync(…))` fails on a
 * book of a few million positions. The book and market are one top-level object whose big members are arrays
 * (`accounts`, `instruments`), so a file is read in chunks, split at the top level and inside its top-level arrays,
 * and each array element (an account, an instrument) is parsed on its own: memory holds the parsed objects, never the
 * whole text, and a syntax error names the element it is in (`accounts[17]`).
 */
import { type BytesRead, fileChunks } from './file-chunks.js';
import { InputError } from '../errors.js';
import { JsonSyntaxError } from './json-syntax-error.js';
import { givenTwiceMessage, jsonPath, mayHaveStrictProblems, strictJsonProblems } from '../model/json-strict.js';
import { jsonSyntaxProblem } from '../model/json-text.js';

export { JsonSyntaxError } from './json-syntax-error.js';

// byte values of the structural characters
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;

/** What a top-level array member reads as when `onElements` took its elements (ObjectSplitter). */
export const TAKEN: unique symbol = Symbol('margin-core: array elements taken while parsing');

/** Array elements are parsed in batches of about this many bytes. */
const BATCH_BYTES = 1 << 20;
/** Bytes that end a run inside a string (a quote, a backslash), and outside strings inside a piece (a quote, a bracket, a comma). */
const STRING_STOP = new Uint8Array(256), PIECE_STOP = new Uint8Array(256);
STRING_STOP[QUOTE] = STRING_STOP[BACKSLASH] = 1;
for (const b of [QUOTE, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY, COMMA]) PIECE_STOP[b] = 1;
const OPEN_BRACKET = Buffer.from('['), CLOSE_BRACKET = Buffer.from(']'), SEPARATOR = Buffer.from(',');

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Parses a file holding one JSON object (a leading UTF-8 byte-order mark is skipped), streaming: every top-level
 * member that is an array is parsed element by element. The result equals `JSON.parse` of the whole text, but a member
 * name given twice or a number that underflows is an InputError at its path under `base` (src/model/json-strict.ts).
 */
export async function parseJsonObjectFile(path: string, chunkBytes = 1 << 22, onBytes?: BytesRead, base = ''): Promise<Record<string, unknown>> {
  const parser = new ObjectSplitter(undefined, undefined, base);
  for await (const chunk of fileChunks(path, chunkBytes, onBytes)) parser.push(chunk);
  return parser.finish();
}

/**
 * A byte-level state machine over the top-level object: `push` chunks, then `finish`. It only tracks what splitting
 * needs (strings and escapes, nesting depth, the top-level member being read); each member value, or each element
 * of an array member, is handed whole to JSON.parse, which checks the syntax, then to src/model/json-strict.ts: a
 * member name given twice or a number that underflows is an InputError at its path (the first member, or array
 * element, with one: like a syntax error, it stops the reading).
 */
export class ObjectSplitter {
  private readonly result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;

  /**
   * `onElements`, when given, sees each top-level array's elements as they are parsed, a batch at a time, with the
   * index of the first; when it returns true it has taken them, and the array is not kept (its member reads as
   * {@link TAKEN}): a reader that turns elements into something smaller keeps memory flat in their number.
   */
  constructor(
    private readonly onElements?: (key: string, elements: unknown[], first: number, splitter: ObjectSplitter) => boolean,
    /**
     * A top-level array member whose elements another reader takes from the bytes (src/io/json-book/): `push` returns
     * at the byte after its `[`, and the caller pushes again from its `]` on (the member then reads as []).
     */
    private readonly divert?: string,
    /** The path of the object in the input, before its members' paths (`market`: `market.assets.BTC`). */
    private readonly base = '',
  ) {}
  /** Set when the diverted member's `[` was read (push returns there). */
  private diverted = false;
  /** True once the diverted member's `[` was read: its elements are the other reader's until it pushes the `]`. */
  diverting = false;

  /** The members read so far (an array member once its closing bracket was read). */
  member(key: string): unknown {
    return Object.hasOwn(this.result, key) ? this.result[key] : undefined;
  }
  private state: 'start' | 'key' | 'colon' | 'value' | 'afterValue' | 'done' = 'start';
  /** Bytes of the piece being collected (a key, a member value, or an array element), across chunks. */
  private parts: Buffer[] = [];
  private pieceStart = -1;
  private inString = false;
  private escaped = false;
  /** Nesting depth inside the piece being collected. */
  private depth = 0;
  private key = '';
  /** The array member being split, and the index of the next element. */
  private array: unknown[] | null = null;
  private element = 0;
  /** Array elements read but not parsed yet (see flushBatch), and their size. */
  private batch: Buffer[] = [];
  private batchBytes = 0;
  /** After a "," inside an array member: an element must follow. */
  private needElement = false;
  private bom = true;


  /** Reads `chunk`; returns how many of its bytes were read: all, or up to the diverted member's `[` (see the constructor). */
  push(chunk: Buffer): number {
    let i = this.afterBom(chunk);
    // the scan's state in locals (written back before anything that reads it): this loop reads every byte of the file
    let inString = this.inString, escaped = this.escaped, depth = this.depth;
    let inPiece = this.pieceStart >= 0 || this.parts.length > 0;
    const n = chunk.length;
    for (; i < n; i++) {
      let b = chunk[i];
      if (inPiece) {
        // inside a key, a value or an element: find where it ends
        if (inString) {
          // a byte ≥ 0x80 (only inside strings: everything else JSON allows is ASCII): the text is UTF-8, not ASCII
          if (escaped) {
            if (b >= 0x80) this.nonAscii = true;
            escaped = false;
            continue;
          }
          // the run of bytes up to a quote or a backslash, in one tight loop
          let high = 0;
          while (STRING_STOP[b] === 0) {
            high |= b;
            if (++i === n) break;
            b = chunk[i];
          }
          if (high >= 0x80) this.nonAscii = true;
          if (i === n) break;
          if (b === BACKSLASH) escaped = true;
          else {
            inString = false;
            if (this.state === 'key') {
              this.escaped = escaped;
              this.inString = inString;
              this.depth = depth;
              this.endPiece(chunk, i + 1);
              inPiece = false;
            }
          }
          continue;
        }
        // the run of bytes that neither nest nor end the piece (numbers, literals, spaces)
        while (PIECE_STOP[b] === 0) {
          if (++i === n) break;
          b = chunk[i];
        }
        if (i === n) break;
        if (b === QUOTE) inString = true;
        else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
        else if (depth > 0 && (b === CLOSE_OBJECT || b === CLOSE_ARRAY)) depth--;
        else if (depth === 0 && (b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY)) {
          this.inString = inString;
          this.escaped = escaped;
          this.depth = depth;
          this.endPiece(chunk, i);
          inPiece = false;
          i--; // the delimiter is read again, outside the piece
        }
        continue;
      }
      if (isSpace(b)) continue;
      this.inString = inString;
      this.escaped = escaped;
      this.depth = depth;
      this.structural(b, chunk, i);
      if (this.diverted) return this.divertedAfter(i);
      ({ inString, escaped, depth } = this);
      inPiece = this.pieceStart >= 0 || this.parts.length > 0;
    }
    this.inString = inString;
    this.escaped = escaped;
    this.depth = depth;
    if (this.pieceStart >= 0) {
      this.parts.push(chunk.subarray(this.pieceStart));
      this.pieceStart = 0;
    }
    return n;
  }

  /** Where the first chunk's text starts: after a UTF-8 byte-order mark, if any. */
  private afterBom(chunk: Buffer): number {
    if (!this.bom) return 0;
    this.bom = false;
    return chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  }

  /** push's answer when the diverted member's `[` is byte i: the bytes read. */
  private divertedAfter(i: number): number {
    this.diverted = false;
    return i + 1;
  }

  /** Whether any byte read so far was ≥ 0x80 (so the text is decoded as UTF-8; ASCII is decoded as Latin-1, a copy). */
  private nonAscii = false;

  finish(): Record<string, unknown> {
    // a file cut short inside an array says which element it was in (accounts[266510] of a big book)
    const at = this.array ? this.where() : '';
    if (this.parts.length > 0 || this.pieceStart >= 0) this.fail(at, 'Unexpected end of JSON input');
    if (this.state !== 'done') this.fail(at, this.state === 'start' ? 'Unexpected end of JSON input (empty file)' : 'Unexpected end of JSON input');
    return this.result;
  }

  /** A structural byte between pieces. */
  private structural(b: number, chunk: Buffer, i: number): void {
    switch (this.state) {
      case 'start':
        if (b !== OPEN_OBJECT) this.fail('', 'expected a JSON object at the top level');
        this.state = 'key';
        return;
      case 'key':
        if (b === CLOSE_OBJECT && Object.keys(this.result).length === 0) return this.close();
        if (b !== QUOTE) this.fail(this.where(), `Unexpected character ${JSON.stringify(String.fromCharCode(b))} where a member name was expected`);
        this.begin(chunk, i, true);
        return;
      case 'colon':
        if (b !== COLON) this.fail(this.where(), `expected ":" after the member name ${JSON.stringify(this.key)}`);
        this.state = 'value';
        return;
      case 'value':
        if (this.array) {
          if (b === CLOSE_ARRAY) {
            if (this.needElement) this.fail(this.where(), 'Unexpected "]" after "," in an array');
            return this.endArray();
          }
          if (b === COMMA) {
            if (this.element === 0 || this.needElement) this.fail(this.where(), 'Unexpected "," in an array');
            this.needElement = true;
            return;
          }
          if (this.element > 0 && !this.needElement) this.fail(this.where(), 'expected "," or "]" between array elements');
          this.needElement = false;
          return this.begin(chunk, i, b === QUOTE);
        }
        if (b === OPEN_ARRAY) {
          this.array = [];
          this.element = 0;
          this.needElement = false;
          this.diverted = this.diverting = this.key === this.divert;
          return;
        }
        return this.begin(chunk, i, b === QUOTE);
      case 'afterValue':
        if (b === COMMA) this.state = 'key';
        else if (b === CLOSE_OBJECT) this.close();
        else this.fail(this.where(), `Unexpected character ${JSON.stringify(String.fromCharCode(b))} after the value of ${JSON.stringify(this.key)}`);
        return;
      case 'done':
        this.fail('', 'Unexpected non-whitespace character after the top-level object');
    }
  }

  private begin(chunk: Buffer, i: number, string: boolean): void {
    this.pieceStart = i;
    this.inString = string;
    this.escaped = false;
    this.depth = string ? 0 : chunk[i] === OPEN_OBJECT || chunk[i] === OPEN_ARRAY ? 1 : 0;
  }

  /** The piece ends before byte `end` of `chunk`: parse it (array elements in batches) and store it where it belongs. */
  private endPiece(chunk: Buffer, end: number): void {
    this.parts.push(chunk.subarray(Math.max(this.pieceStart, 0), end));
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.pieceStart = -1;
    if (this.array) {
      this.batch.push(bytes);
      this.batchBytes += bytes.length;
      this.element++;
      if (this.batchBytes >= BATCH_BYTES) this.flushBatch();
      return;
    }
    const text = bytes.toString('utf8');
    const at = this.where();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.fail(at, syntaxMessage(text));
    }
    if (this.state === 'key') {
      this.key = value as string;
      if (Object.hasOwn(this.result, this.key)) this.refuse([{ path: this.memberPath(), message: givenTwiceMessage(this.key, this.base || 'the top-level object') }]);
      this.state = 'colon';
    } else {
      this.refuse(strictJsonProblems(text, value, { base: this.memberPath() }));
      this.result[this.key] = value;
      this.state = 'afterValue';
    }
  }

  /** The path of the member being read (`market.assets`). */
  private memberPath(): string {
    return jsonPath(this.base, [this.key]);
  }

  /** Stops at the problems a text JSON.parse accepted has (src/model/json-strict.ts), if any. */
  private refuse(problems: InputError['problems']): void {
    if (problems.length > 0) throw new InputError(problems);
  }

  /** The problems of the first of an array member's `elements` (parsed as `values`) that has any. */
  private refuseElements(elements: Buffer[], values: unknown[], first: number): void {
    for (let k = 0; k < elements.length; k++) this.refuse(strictJsonProblems(elements[k].toString('utf8'), values[k], { base: `${this.memberPath()}[${first + k}]` }));
  }

  /**
   * Parses the queued array elements as one JSON array (one call per ~1 MB instead of one per element); when that
   * fails, parses them one by one to name the element at fault.
   */
  private flushBatch(): void {
    const elements = this.batch;
    if (elements.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    const pieces: Buffer[] = [OPEN_BRACKET];
    elements.forEach((e, k) => pieces.push(...(k === 0 ? [e] : [SEPARATOR, e])));
    pieces.push(CLOSE_BRACKET);
    let values: unknown[], text: string;
    try {
      text = Buffer.concat(pieces).toString(this.nonAscii ? 'utf8' : 'latin1');
      values = JSON.parse(text) as unknown[];
    } catch {
      const first = this.element - elements.length;
      elements.forEach((e, k) => {
        const element = e.toString('utf8');
        try {
          JSON.parse(element);
        } catch {
          this.fail(`${this.key}[${first + k}]`, syntaxMessage(element));
        }
      });
      this.fail(`${this.key}[${first}]`, 'not a JSON value');
    }
    const first = this.element - elements.length;
    if (mayHaveStrictProblems(text, values)) this.refuseElements(elements, values, first);
    if (this.onElements?.(this.key, values, first, this)) {
      this.taken = true;
      return;
    }
    const array = this.array!;
    for (let k = 0; k < values.length; k++) array.push(values[k]);
  }

  /** Some of the current array member's elements were taken by `onElements` (all of them when none was kept). */
  private taken = false;

  private endArray(): void {
    this.flushBatch();
    // a reader may take some batches and then keep the rest (a streamed run falling back to the whole book)
    this.result[this.key] = this.taken && this.array!.length === 0 ? TAKEN : this.array;
    this.taken = false;
    this.array = null;
    this.state = 'afterValue';
  }

  private close(): void {
    this.state = 'done';
  }

  private where(): string {
    if (this.state === 'key' || this.state === 'start') return '';
    return this.array ? `${this.key}[${this.element}]` : this.key;
  }

  private fail(at: string, message: string): never {
    throw new JsonSyntaxError(at, message);
  }
}

/**
 * Why `text` (one member's or element's JSON, which JSON.parse rejected) is not JSON, and where: the same words on
 * every engine (V8's own message can quote the text, newlines and all, and give no position); JsonSyntaxError names
 * the element the position counts in (`at position 223 of accounts[101551]`).
 */
function syntaxMessage(text: string): string {
  const p = jsonSyntaxProblem(text);
  return p.offset >= text.length && p.reason !== 'not valid JSON' ? 'Unexpected end of JSON input' : `${p.reason} at position ${p.offset}`;
}
