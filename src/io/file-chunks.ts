/**
 * A file read in chunks, telling how far it got: big books are read for tens of seconds, and a progress bar should
 * move with the bytes read rather than sit still until the whole file is in.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Utf8Check } from './utf8-check.js';

/** Told after each chunk: bytes read so far of the file's `total`. */
export type BytesRead = (done: number, total: number) => void;

/**
 * The file's bytes in chunks of `chunkBytes` (the last may be shorter), `onBytes` told after each. The file is a JSON
 * text: a chunk is handed out once its bytes are known to be UTF-8 (InvalidUtf8Error otherwise, src/io/utf8-check.ts).
 */
export async function* fileChunks(path: string, chunkBytes: number, onBytes?: BytesRead): AsyncGenerator<Buffer> {
  const total = onBytes ? (await stat(path)).size : 0;
  const utf8 = new Utf8Check();
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes })) {
    utf8.push(chunk as Buffer);
    done += (chunk as Buffer).length;
    onBytes?.(done, total);
    yield chunk as Buffer;
  }
  utf8.end();
}
