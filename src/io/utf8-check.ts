/**
 * JSON text is UTF-8 (RFC 8259 §8.1). A decoder replaces a byte that is not with U+FFFD, so an account id with a stray
 * byte came back as another id (`acct-\xff1` read as `acct-�1`, and two such ids as one). Every file of the command
 * line and every body of the services is checked before it is decoded, and refused with the byte where it goes wrong.
 * Node's `isUtf8` (node:buffer) checks a block at memory speed; a sequence cut by a block's end is carried over.
 */
import { isUtf8 } from 'node:buffer';
import { JsonSyntaxError } from './json-syntax-error.js';
import { firstNonUtf8, utf8SequenceLength } from './utf8.js';

/** Bytes of a JSON text that are not UTF-8: where (0-based byte offset) and what comes before, for the message. */
export class InvalidUtf8Error extends JsonSyntaxError {
  constructor(readonly offset: number, before: string) {
    super('', `not valid UTF-8 at byte ${offset.toLocaleString('en-US')}${before === '' ? '' : ` (after ${JSON.stringify(before)})`}`);
  }
}

/** Characters of the text before a bad byte quoted in the message. */
const CONTEXT_BYTES = 40;

/** Throws {@link InvalidUtf8Error} when `bytes` (a whole text) are not UTF-8. */
export function checkUtf8(bytes: Uint8Array): void {
  if (isUtf8(bytes)) return;
  const check = new Utf8Check();
  check.push(bytes);
  check.end();
}

/** The blocks of one text, in order: throws {@link InvalidUtf8Error} at the first byte that is not UTF-8. */
export class Utf8Check {
  /** Bytes of the text before the current block. */
  private offset = 0;
  /** A sequence the last block's end cut, its bytes (at most 3). */
  private carried: Uint8Array = new Uint8Array(0);
  /** The last bytes checked (for the message). */
  private recent: Uint8Array = new Uint8Array(0);

  push(block: Uint8Array): void {
    let from = 0;
    if (this.carried.length > 0) {
      // the cut sequence and the bytes that finish it
      const need = utf8SequenceLength(this.carried[0]) - this.carried.length;
      if (block.length < need) {
        this.carried = concat(this.carried, block);
        this.offset += block.length;
        return;
      }
      const whole = concat(this.carried, block.subarray(0, need));
      if (!isUtf8(whole)) this.fail(whole, this.offset - this.carried.length);
      from = need;
      this.carried = new Uint8Array(0);
    }
    const to = cutAt(block, from);
    const body = block.subarray(from, to);
    if (!isUtf8(body)) this.fail(body, this.offset + from);
    this.carried = block.slice(to);
    // the last bytes checked, across blocks however small
    const last = block.subarray(Math.max(from, to - CONTEXT_BYTES), to);
    this.recent = last.length >= CONTEXT_BYTES ? last.slice() : concat(this.recent.subarray(Math.max(0, this.recent.length + last.length - CONTEXT_BYTES)), last);
    this.offset += block.length;
  }

  /** The text ended: a sequence cut by its end is not UTF-8. */
  end(): void {
    if (this.carried.length > 0) throw new InvalidUtf8Error(this.offset - this.carried.length, textBefore(this.recent));
  }

  /** `bytes` (starting at text offset `start`) hold a bad sequence: finds the first and throws. */
  private fail(bytes: Uint8Array, start: number): never {
    const at = Math.max(0, firstNonUtf8(bytes, 0, bytes.length)); // (found: isUtf8 said there is one)
    const before = at >= CONTEXT_BYTES ? bytes.subarray(at - CONTEXT_BYTES, at) : concat(this.recent.subarray(Math.max(0, this.recent.length - (CONTEXT_BYTES - at))), bytes.subarray(0, at));
    throw new InvalidUtf8Error(start + at, textBefore(before));
  }
}

/** Where a sequence the block's end cuts begins (the block's length when none is cut), at or after `from`. */
function cutAt(block: Uint8Array, from: number): number {
  for (let k = 1; k <= 3 && block.length - k >= from; k++) {
    const b = block[block.length - k];
    if (b >= 0x80 && b < 0xc0) continue; // a continuation byte: its lead is further back
    const n = utf8SequenceLength(b);
    return n > k ? block.length - k : block.length;
  }
  return block.length;
}

/** The text of `bytes` (valid UTF-8 but perhaps cut at its start: a partial first character is dropped). */
function textBefore(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length && bytes[start] >= 0x80 && bytes[start] < 0xc0) start++;
  return new TextDecoder().decode(bytes.subarray(start));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
