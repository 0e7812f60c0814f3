/**
 * UTF-8, byte by byte (RFC 3629): where a sequence starts and how long it is, and where a text stops being UTF-8. Pure
 * loops, for every reader: a browser has no `isUtf8` (src/io/utf8-check.ts checks Node's files and bodies with it).
 */

/** Bytes of the UTF-8 sequence lead byte `b` starts (1 to 4), or 0 when it starts none (a continuation, 0xC0, 0xF5…). */
export function utf8SequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/**
 * The first byte of bytes[from, to) where UTF-8 goes wrong, or −1 when they are UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no sequence cut by `to`.
 */
export function firstNonUtf8(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const b = bytes[i];
    const n = utf8SequenceLength(b);
    if (n === 1) {
      i++;
      continue;
    }
    if (n === 0 || i + n > to) return i;
    // the second byte's range: E0 above the overlong forms, ED below the surrogates, F0 above, F4 up to U+10FFFF
    const second = bytes[i + 1];
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80, hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < n; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += n;
  }
  return -1;
}
