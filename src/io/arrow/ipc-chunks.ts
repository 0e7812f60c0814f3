/**
 * An Arrow IPC file or stream read from a file handle (or bytes in memory) a chunk of record batches at a time, into two buffers used in
 * turn: the caller works on a chunk in one while the next chunk is read into the other (the reads run in Node's thread
 * pool meanwhile). Each chunk is framed as an IPC stream of its own (the schema and dictionary messages, the chunk's
 * record batch messages, the end-of-stream marker) and handed to apache-arrow, whose columns are then views of that
 * buffer: reading a big book touches two chunks' worth of memory, not a fresh buffer per batch. The caller copies what
 * it keeps out of a chunk before asking for the next.
 *
 * Framing (Arrow columnar format, "Encapsulated message format"): a message is an optional 0xFFFFFFFF continuation
 * marker, an int32 metadata length, a flatbuffer `Message` (its header type and `bodyLength`), then the body; a length
 * of 0 ends the stream. A file has the 8-byte magic before its messages and a footer after them.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Schema, Table } from 'apache-arrow';
import { InputError, type InputProblem } from '../../errors.js';
import type { Arrow } from './load.js';

/** What the messages are read from: a file, or its bytes in memory (read the same way: a corrupt file fails alike). */
export type IpcSource = FileHandle | Uint8Array;

/** Header types of a `Message` (Arrow's Schema.fbs `MessageHeader`). */
const SCHEMA = 1, DICTIONARY_BATCH = 2, RECORD_BATCH = 3;
const MAGIC = 'ARROW1';

/** The book is not an Arrow IPC file or stream, or was cut short (a problem at `book`: the CLI names the file). */
export function notArrow(why: string): InputError {
  return new InputError([{ path: 'book', message: `not an Arrow IPC file or stream, or one cut short: ${why}` }]);
}

/**
 * The warning for a stream without its end-of-stream marker ({@link IpcChunks.unended}): pyarrow, apache-arrow and
 * writeArrowBook write the marker when a stream is closed, so its absence is what a crashed writer or a partial copy
 * leaves, cut at a message boundary; but the Arrow format lets a writer end a stream by closing it, and DuckDB's
 * nanoarrow extension (to_arrow_ipc) writes none, so such a stream is read, with this warning.
 */
export function unendedStream(rows: number): InputProblem {
  return { path: 'book', message: `the Arrow IPC stream has no end-of-stream marker: read as the ${rows} accounts it holds, but a stream cut short between record batches looks the same (pyarrow, apache-arrow and writeArrowBook end a stream with the marker)` };
}

/** One message of the file: where it is, its type, and the rows of a record batch. */
interface MessageAt {
  type: number;
  /** The metadata flatbuffer: [metaStart, metaStart + metaLength) of the file. */
  metaStart: number;
  metaLength: number;
  bodyLength: number;
  /** Rows of a record batch (0 for other messages). */
  rows: number;
}

/** A chunk's messages, with the head (schema, then the dictionaries so far) they are read after. */
interface ChunkPlan {
  head: Uint8Array;
  messages: MessageAt[];
  /** Bytes of the chunk framed as a stream: head, messages, end-of-stream marker. */
  length: number;
}

export class IpcChunks {
  /** The two buffers chunks are read into in turn: one holds the chunk in use, the next is read into the other. */
  private readonly buffers = [new Uint8Array(0), new Uint8Array(0)];
  readonly schema: Schema;

  /**
   * A stream whose data ended before its end-of-stream marker. Arrow makes the marker optional (closing the stream
   * ends it too), so this is a warning, not a refusal: see {@link unendedStream}.
   */
  unended = false;

  /** The messages after the schema ({@link scan}): a record batch, or the head that a dictionary batch extends. */
  private readonly entries: { message?: MessageAt | undefined; head?: Uint8Array | undefined }[] = [];
  /** The framed schema message. */
  private readonly first: Uint8Array;

  /** `head`: the framed schema message; `position`: where the messages after it start. */
  private constructor(private readonly A: Arrow, private readonly reader: MessageReader, private head: Uint8Array, private position: number, private readonly end: number) {
    this.schema = A.tableFromIPC(withEndOfStream(head)).schema;
    this.first = head;
  }

  /** Opens the IPC data of `file` and reads its schema; InputError (path `book`) when it is not Arrow IPC. */
  static async open(A: Arrow, file: IpcSource): Promise<IpcChunks> {
    try {
      const size = file instanceof Uint8Array ? file.length : (await file.stat()).size;
      const lead = await readAt(file, 0, Math.min(8, size));
      if (new TextDecoder().decode(lead.subarray(0, 6)) !== MAGIC) {
        // a stream: its first message is the schema
        const reader = new MessageReader(file, size);
        const schema = await reader.message(0);
        if (schema === null || schema.type !== SCHEMA) throw notArrow('the first message is not a schema');
        const ipc = await new IpcChunks(A, reader, await reader.framed(schema), schema.metaStart + schema.metaLength + schema.bodyLength, size).scan();
        // scan stops at the marker, or where the data ends (fewer than its 4 bytes left)
        ipc.unended = ipc.position + 4 > size;
        return ipc;
      }
      // a file: the schema is in the footer (writers need not repeat it as a message), its messages end where the footer starts
      if (size < 8 + 10) throw notArrow(`a file of ${size} bytes has no footer`);
      const tail = await readAt(file, size - 10, 10);
      if (new TextDecoder().decode(tail.subarray(4)) !== MAGIC) throw notArrow('the file does not end with the Arrow magic (its footer is missing)');
      const footerLength = new DataView(tail.buffer, tail.byteOffset).getInt32(0, true);
      const end = size - 10 - footerLength;
      if (footerLength <= 0 || end < 8) throw notArrow(`footer length ${footerLength} does not fit the file`);
      await checkFooter(file, await readAt(file, end, footerLength), end);
      const footer = file instanceof Uint8Array ? A.RecordBatchReader.from(file) : await A.RecordBatchReader.from(file);
      await footer.open();
      return await new IpcChunks(A, new MessageReader(file, end), frame(A.Message.encode(A.Message.from(footer.schema))), 8, end).scan();
    } catch (error) {
      throw error instanceof InputError ? error : notArrow((error as Error).message);
    }
  }

  /**
   * The record batches as tables of at least `rows` rows each (whole batches; the last may be smaller; a dictionary
   * batch between record batches also ends one). A table's columns are views of a shared buffer, valid until the
   * next one is asked for; `reuse` false gives each table a buffer of its own (to keep them all). The next chunk's
   * bytes are read while the caller works on this one (its reads are all under way when a table is handed out).
   */
  async *tables(rows: number, reuse = true): AsyncGenerator<Table> {
    const plans = this.plan(rows);
    let next = plans.length > 0 ? this.fill(plans[0], 0, reuse) : undefined;
    for (let k = 0; k < plans.length; k++) {
      const bytes = await next!;
      next = k + 1 < plans.length ? this.fill(plans[k + 1], (k + 1) & 1, reuse) : undefined;
      next?.catch(() => {}); // a failed read is thrown where it is awaited, for the next table
      try {
        yield this.A.tableFromIPC(bytes);
      } catch (error) {
        throw notArrow((error as Error).message);
      }
    }
  }

  /** Rows of all the record batches. */
  get rows(): number {
    let rows = 0;
    for (const entry of this.entries) if (entry.message) rows += entry.message.rows;
    return rows;
  }

  /** The messages after the schema, from their headers (the bodies are read by {@link fill}); InputError when one is not Arrow. */
  private async scan(): Promise<this> {
    for (;;) {
      const message = this.position < this.end ? await this.reader.message(this.position) : null;
      if (message === null) return this;
      if (message.type === DICTIONARY_BATCH) {
        const framed = await this.reader.framed(message);
        const head = new Uint8Array(this.head.length + framed.length);
        head.set(this.head);
        head.set(framed, this.head.length);
        this.head = head;
        this.entries.push({ head });
      } else if (message.type === RECORD_BATCH) this.entries.push({ message });
      // (a schema message is a file's copy of its schema: the head has it)
      else if (message.type !== SCHEMA) throw notArrow(`message of type ${message.type} at byte ${message.metaStart} where a record batch was expected`);
      this.position = message.metaStart + message.metaLength + message.bodyLength;
    }
  }

  /** The record batches cut into chunks of at least `rows` rows, a dictionary batch ending one (it applies to the batches after it). */
  private plan(rows: number): ChunkPlan[] {
    const plans: ChunkPlan[] = [];
    let head = this.first, pending: MessageAt[] = [], pendingRows = 0;
    const cut = () => {
      if (pending.length === 0) return;
      let length = head.length + 8;
      for (const m of pending) length += framedLength(m);
      plans.push({ head, messages: pending, length });
      pending = [];
      pendingRows = 0;
    };
    for (const entry of this.entries) {
      if (entry.head) {
        cut();
        head = entry.head;
      } else {
        pending.push(entry.message!);
        pendingRows += entry.message!.rows;
        if (pendingRows >= rows) cut();
      }
    }
    cut();
    return plans;
  }

  /**
   * The chunk framed as a stream (its head, its messages, the end-of-stream marker) in buffer `slot` (grown when too
   * small; a new buffer unless `reuse`). Every message's read is started before the first is awaited.
   */
  private async fill(plan: ChunkPlan, slot: number, reuse: boolean): Promise<Uint8Array> {
    let buffer = this.buffers[slot];
    if (!reuse) buffer = new Uint8Array(plan.length);
    else if (buffer.length < plan.length) buffer = this.buffers[slot] = new Uint8Array(Math.max(plan.length, Math.ceil(buffer.length * 1.25)));
    buffer.set(plan.head);
    let at = plan.head.length;
    const reads: Promise<number>[] = [];
    for (const m of plan.messages) {
      reads.push(this.reader.frameInto(m, buffer, at));
      at += framedLength(m);
    }
    await Promise.all(reads);
    buffer.set(END_OF_STREAM, at);
    return buffer.subarray(0, at + 8);
  }
}

const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

function withEndOfStream(head: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + 8);
  out.set(head);
  out.set(END_OF_STREAM, head.length);
  return out;
}

/** A message of metadata `meta` and no body, framed (marker, length padded to 8, metadata, padding). */
function frame(meta: Uint8Array): Uint8Array {
  const padded = ceil8(meta.length), out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, padded, true);
  out.set(meta, 8);
  return out;
}

/** Bytes of a message framed as {@link MessageReader.frameInto} writes it: marker, length, metadata padded to 8, body. */
function framedLength(m: MessageAt): number {
  return 8 + ceil8(m.metaLength) + m.bodyLength;
}

function ceil8(n: number): number {
  return (n + 7) & ~7;
}

/** Reads messages of the file up to byte `end` (where the footer starts, or the file ends). */
class MessageReader {
  constructor(private readonly file: IpcSource, private readonly end: number) {}

  /** The message at `position`, or null at the end-of-stream marker or the end of the messages. */
  async message(position: number): Promise<MessageAt | null> {
    if (position + 4 > this.end) return null;
    const prefix = await readAt(this.file, position, Math.min(8, this.end - position));
    const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    let metaLength = view.getInt32(0, true), metaStart = position + 4;
    if (metaLength === -1) {
      if (prefix.length < 8) throw notArrow(`message at byte ${position} is cut short`);
      metaLength = view.getInt32(4, true);
      metaStart = position + 8;
    }
    if (metaLength === 0) return null;
    if (metaLength < 0 || metaStart + metaLength > this.end) throw notArrow(`message at byte ${position} has metadata of ${metaLength} bytes, past the end of the data`);
    const meta = await readAt(this.file, metaStart, metaLength);
    const { type, bodyLength, rows } = messageHeader(new DataView(meta.buffer, meta.byteOffset, meta.byteLength), position);
    if (metaStart + metaLength + bodyLength > this.end) throw notArrow(`message at byte ${position} has a body of ${bodyLength} bytes, past the end of the data`);
    return { type, metaStart, metaLength, bodyLength, rows };
  }

  /** The message framed on its own (for the head). */
  async framed(m: MessageAt): Promise<Uint8Array> {
    const out = new Uint8Array(framedLength(m));
    await this.frameInto(m, out, 0);
    return out;
  }

  /** Writes the message framed at `out[at…]` (marker, metadata length padded to 8, metadata, padding, body); returns its length. */
  async frameInto(m: MessageAt, out: Uint8Array, at: number): Promise<number> {
    const padded = ceil8(m.metaLength);
    const view = new DataView(out.buffer, out.byteOffset + at, 8);
    view.setInt32(0, -1, true);
    view.setInt32(4, padded, true);
    // metadata and body are one read when the metadata needs no padding (as writers pad it)
    if (padded === m.metaLength) await readInto(this.file, out, at + 8, m.metaLength + m.bodyLength, m.metaStart);
    else {
      await readInto(this.file, out, at + 8, m.metaLength, m.metaStart);
      out.fill(0, at + 8 + m.metaLength, at + 8 + padded);
      await readInto(this.file, out, at + 8 + padded, m.bodyLength, m.metaStart + m.metaLength);
    }
    return 8 + padded + m.bodyLength;
  }
}

/**
 * The header type, body length and (for a record batch) row count of a `Message` flatbuffer (Arrow's Message.fbs:
 * fields version, header_type, header, bodyLength; RecordBatch's first field is length).
 */
function messageHeader(view: DataView, position: number): { type: number; bodyLength: number; rows: number } {
  try {
    const message = rootTable(view);
    const type = message.field(1) === 0 ? 0 : view.getUint8(message.at + message.field(1));
    const bodyLength = message.field(3) === 0 ? 0 : Number(view.getBigInt64(message.at + message.field(3), true));
    let rows = 0;
    if (type === SCHEMA && message.field(2) !== 0) checkSchema(view, tableRef(view, message.at + message.field(2)));
    if ((type === RECORD_BATCH || type === DICTIONARY_BATCH) && message.field(2) !== 0) {
      const header = tableRef(view, message.at + message.field(2));
      // a dictionary batch holds its record batch as its field 1 (DictionaryBatch: id, data, isDelta)
      const batch = type === RECORD_BATCH ? header : header.field(1) === 0 ? undefined : tableRef(view, header.at + header.field(1));
      if (batch !== undefined) checkVectors(view, batch);
      if (type === RECORD_BATCH) rows = batch!.field(0) === 0 ? 0 : Number(view.getBigInt64(batch!.at + batch!.field(0), true));
    }
    if (!Number.isSafeInteger(bodyLength) || bodyLength < 0 || !Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`body length ${bodyLength}, rows ${rows}`);
    return { type, bodyLength, rows };
  } catch (error) {
    throw notArrow(`message at byte ${position} is not an Arrow message (${(error as Error).message})`);
  }
}

/**
 * The footer's vectors (Footer: version, schema, dictionaries, recordBatches; Schema: endianness, fields) lie in the
 * footer, and each dictionary block it names is a message whose header passes {@link messageHeader}: apache-arrow
 * decodes both when it opens a file, before {@link IpcChunks} reads a message of its own.
 */
async function checkFooter(file: IpcSource, footer: Uint8Array, end: number): Promise<void> {
  const view = new DataView(footer.buffer, footer.byteOffset, footer.byteLength);
  let root: FlatTable;
  try {
    root = rootTable(view);
    if (root.field(1) !== 0) checkSchema(view, tableRef(view, root.at + root.field(1)));
    vectorAt(view, root, 3, 24);
  } catch (error) {
    throw notArrow(`the footer is not an Arrow footer (${(error as Error).message})`);
  }
  const dictionaries = vectorAt(view, root, 2, 24);
  const reader = new MessageReader(file, end);
  for (let k = 0; k < dictionaries.count; k++) {
    const offset = Number(view.getBigInt64(dictionaries.start + 24 * k, true));
    if (!(offset >= 8 && offset < end)) throw notArrow(`the footer names a dictionary at byte ${offset}, outside the messages`);
    await reader.message(offset);
  }
}

/** The table an offset at `ref` points to. */
function tableRef(view: DataView, ref: number): FlatTable {
  return tableAt(view, ref + view.getUint32(ref, true));
}

/**
 * A Schema table (Schema.fbs: endianness, fields, custom_metadata, features) whose every vector, nested field and
 * string lies in the metadata: apache-arrow decodes the schema whole, and a corrupt count or a field nested in itself
 * made it loop or run out of memory. Reads go through the DataView, so a position past the bytes throws.
 */
function checkSchema(view: DataView, schema: FlatTable): void {
  let tables = 0;
  const keyValues = (table: FlatTable, field: number) => {
    const list = vectorAt(view, table, field, 4);
    for (let k = 0; k < list.count; k++) {
      const pair = tableRef(view, list.start + 4 * k);
      checkString(view, pair, 0);
      checkString(view, pair, 1);
    }
  };
  const fieldOf = (field: FlatTable, depth: number): void => {
    // a Field: name, nullable, type_type, type, dictionary, children, custom_metadata
    if (depth > 64 || ++tables > view.byteLength / 4) throw new RangeError('fields nested past the metadata');
    checkString(view, field, 0);
    if (field.field(3) !== 0) tableRef(view, field.at + field.field(3));
    if (field.field(4) !== 0) tableRef(view, field.at + field.field(4));
    const children = vectorAt(view, field, 5, 4);
    for (let k = 0; k < children.count; k++) fieldOf(tableRef(view, children.start + 4 * k), depth + 1);
    keyValues(field, 6);
  };
  const fields = vectorAt(view, schema, 1, 4);
  for (let k = 0; k < fields.count; k++) fieldOf(tableRef(view, fields.start + 4 * k), 0);
  keyValues(schema, 2);
  vectorAt(view, schema, 3, 8);
}

/** String field `field` of `table`: its bytes within the metadata (RangeError otherwise). */
function checkString(view: DataView, table: FlatTable, field: number): void {
  if (table.field(field) === 0) return;
  const ref = table.at + table.field(field);
  const start = ref + view.getUint32(ref, true);
  if (start + 4 + view.getUint32(start, true) > view.byteLength) throw new RangeError('a string past the metadata');
}

/** Vector field `field` of `table` (entries of `size` bytes): where its entries start and how many; RangeError when they leave the buffer. */
function vectorAt(view: DataView, table: FlatTable, field: number, size: number): { start: number; count: number } {
  if (table.field(field) === 0) return { start: 0, count: 0 };
  const ref = table.at + table.field(field);
  const start = ref + view.getUint32(ref, true);
  const count = view.getUint32(start, true);
  if (start + 4 + size * count > view.byteLength) throw new RangeError(`a vector of ${count} entries does not fit the ${view.byteLength} bytes of metadata`);
  return { start: start + 4, count };
}

/**
 * A RecordBatch table's nodes and buffers (fields 1 and 2: vectors of 16-byte structs) must lie in the metadata: a
 * count past it is a corrupt header, which apache-arrow would decode into that many objects (a byte made a count of
 * 900 million: out of memory).
 */
function checkVectors(view: DataView, batch: FlatTable): void {
  vectorAt(view, batch, 1, 16);
  vectorAt(view, batch, 2, 16);
}

/** A flatbuffer table: its position and each field's offset in it (0: absent). */
type FlatTable = { at: number; field(i: number): number };

function tableAt(view: DataView, at: number): FlatTable {
  const vtable = at - view.getInt32(at, true);
  const vtableLength = view.getUint16(vtable, true);
  return { at, field: (i) => (4 + 2 * i < vtableLength ? view.getUint16(vtable + 4 + 2 * i, true) : 0) };
}

function rootTable(view: DataView): FlatTable {
  return tableAt(view, view.getUint32(0, true));
}

async function readAt(file: IpcSource, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  await readInto(file, out, 0, length, position);
  return out;
}

/** Reads `length` bytes at file `position` into `out[at…]`; InputError when the file ends first. */
async function readInto(file: IpcSource, out: Uint8Array, at: number, length: number, position: number): Promise<void> {
  if (file instanceof Uint8Array) {
    if (position + length > file.length) throw notArrow(`the file ends at byte ${file.length}, inside a message`);
    out.set(file.subarray(position, position + length), at);
    return;
  }
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(out, at + done, length - done, position + done);
    if (bytesRead === 0) throw notArrow(`the file ends at byte ${position + done}, inside a message`);
    done += bytesRead;
  }
}
