/** ByteText (src/io/byte-text.ts) writes the bytes TextEncoder writes, whatever the characters. */
import { describe, expect, it } from 'vitest';
import { ByteText } from '../../src/io/byte-text.js';
import { mulberry32 } from '../support/random.js';

/** Code units at every boundary of UTF-8's byte counts, and surrogates paired and alone. */
const UNITS = [0x00, 0x41, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x2265, 0x6f22, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff];

describe('ByteText', () => {
  it('utf8 and jsonString write TextEncoder\'s bytes for text of one-, two- and three-byte characters and surrogates', () => {
    const rnd = mulberry32(7);
    const encoder = new TextEncoder();
    const texts = ['', 'plain', 'equity for IM 161,184.11 ≥ IM 29,117.12', 'é漢🙂', '\ud800x', 'z\udc00', '\udc00\ud800'];
    for (let k = 0; k < 500; k++) texts.push(String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 12) }, () => UNITS[Math.floor(rnd() * UNITS.length)])));
    for (const text of texts) {
      const out = new ByteText(16);
      out.utf8(text);
      out.ascii('|');
      out.jsonString(text);
      expect([...out.take()]).toEqual([...encoder.encode(`${text}|${JSON.stringify(text)}`)]);
    }
  });
});
