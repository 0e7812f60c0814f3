/**
 * Text written straight into UTF-8 bytes, a piece at a time: what the JSON report writer (report-json.ts) fills instead
 * of joining strings. Strings built by concatenation are ropes the encoder must flatten, and one non-Latin-1 character
 * ("≥" in a status reason) makes a whole joined piece two bytes per character: both cost more than the rest of writing
 * a row. perf: lazy-rows (docs/performance.md)
 */

const encoder = new TextEncoder();

export class ByteText {
  private piece: Uint8Array;
  private at = 0;

  /** `pieceBytes`: the size of the pieces handed out by {@link take} (a piece grows only for a longer single write). */
  constructor(private readonly pieceBytes = 1 << 20) {
    this.piece = new Uint8Array(pieceBytes);
  }

  /** Bytes written since the last {@link take}. */
  get length(): number {
    return this.at;
  }

  /** The bytes written so far, handed over (the writer starts a new piece when next written to). */
  take(): Uint8Array {
    const taken = this.piece.subarray(0, this.at);
    this.piece = new Uint8Array(0);
    this.at = 0;
    return taken;
  }

  /**
   * Room for `bytes` more: the piece to write them into, from index {@link length} on; then {@link advanceTo} where
   * they end (a writer that formats bytes itself: src/margin/status-reason.ts writePooledStatusReason).
   */
  open(bytes: number): Uint8Array {
    this.room(bytes);
    return this.piece;
  }

  /** Moves the end of what was written to `end` (after writing up to it in the piece {@link open} returned). */
  advanceTo(end: number): void {
    this.at = end;
  }

  /** Forgets what was written after `length` (a value of {@link length} since the last take). */
  truncate(length: number): void {
    this.at = Math.min(this.at, length);
  }

  /** Bytes as they are (a key's 20: copied by `set`, a sixth less of a JSON row's time than a loop). */
  bytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.piece.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** Text known to be ASCII (keys, numbers, punctuation), one byte per character. */
  ascii(text: string): void {
    this.room(text.length);
    const bytes = this.piece;
    let at = this.at;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    this.at = at;
  }

  /**
   * Any text as UTF-8, as TextEncoder writes it: encoded here character by character (a status reason's "≥" is three
   * bytes like any other), the whole text handed to TextEncoder only when it holds a surrogate (a pair, or a lone one
   * that becomes U+FFFD).
   */
  utf8(text: string): void {
    this.room(3 * text.length);
    const bytes = this.piece, start = this.at;
    let at = start;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) bytes[at++] = c;
      else if (c < 0x800) {
        bytes[at++] = 0xc0 | (c >> 6);
        bytes[at++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        bytes[at++] = 0xe0 | (c >> 12);
        bytes[at++] = 0x80 | ((c >> 6) & 0x3f);
        bytes[at++] = 0x80 | (c & 0x3f);
      } else {
        this.at = start;
        this.text(text);
        return;
      }
    }
    this.at = at;
  }

  /** Any text, as TextEncoder writes it (a lone surrogate becomes U+FFFD). */
  text(text: string): void {
    this.room(3 * text.length);
    this.at += encoder.encodeInto(text, this.piece.subarray(this.at)).written;
  }

  /** A string as JSON.stringify writes it: quoted, escaped where JSON requires (control characters, quotes, backslashes, lone surrogates). */
  jsonString(value: string): void {
    let plain = true, ascii = true;
    for (let i = 0; i < value.length && plain; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) plain = false;
      else if (c >= 0x80) ascii = false;
    }
    if (!plain) {
      this.text(JSON.stringify(value));
      return;
    }
    this.room(1);
    this.piece[this.at++] = 0x22;
    if (ascii) this.ascii(value);
    else this.utf8(value);
    this.room(1);
    this.piece[this.at++] = 0x22;
  }

  /** Room for `bytes` more in the current piece: a bigger piece when one write needs it. */
  private room(bytes: number): void {
    if (this.at + bytes <= this.piece.length) return;
    const grown = new Uint8Array(Math.max(2 * this.piece.length, this.at + bytes, this.pieceBytes));
    grown.set(this.piece.subarray(0, this.at));
    this.piece = grown;
  }
}
