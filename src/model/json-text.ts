/**
 * JSON text to a value, with a syntax error reported as `file:line:column` and what was expected there, the same
 * on every Node version and browser (JSON.parse's own messages differ between engines and some give no position).
 * Used by the CLI for every file it reads and by the page for dropped files and the parameters box.
 */
import { InputError, MAX_PROBLEMS } from '../errors.js';
import { strictJsonProblems } from './json-strict.js';

/** Where a JSON text stops being JSON: the offset (UTF-16 units), its line and column (1-based), and why. */
export interface JsonSyntaxProblem {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

/** `text` without a leading UTF-8 byte-order mark (editors on Windows write one; a file or a body may start with it). */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * `JSON.parse(text)` (a leading byte-order mark skipped); malformed text is an InputError at `path` saying
 * `book.json:3:17: not valid JSON (line 3, column 17): expected "," or "}" after a member's value`. A member name given
 * twice or a number that underflows (json-strict.ts) is one at its path under `base` (`market.assets.BTC`), with
 * `book.json:3:17` before it.
 */
export function parseJsonText(text: string, name: string, path = name, base = ''): unknown {
  const body = withoutByteOrderMark(text);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const p = jsonSyntaxProblem(body);
    throw new InputError([{ path, message: `${name}:${p.line}:${p.column}: not valid JSON (line ${p.line}, column ${p.column}): ${p.reason}` }]);
  }
  const place = (offset: number) => {
    const { line, column } = lineColumn(body, offset);
    return `${name}:${line}:${column}`;
  };
  const problems = strictJsonProblems(body, value, { base, whole: path, place, max: MAX_PROBLEMS + 1 });
  if (problems.length > 0) throw new InputError(problems.slice(0, MAX_PROBLEMS), problems.length > MAX_PROBLEMS);
  return value;
}

/** The first syntax error of `text` by RFC 8259 (call it on text JSON.parse rejected). */
export function jsonSyntaxProblem(text: string): JsonSyntaxProblem {
  const at = (offset: number, reason: string): JsonSyntaxProblem => ({ offset, ...lineColumn(text, offset), reason });
  try {
    const end = new Scanner(text).document();
    return at(end, 'not valid JSON');
  } catch (error) {
    if (error instanceof SyntaxAt) return at(error.offset, error.reason);
    throw error;
  }
}

/** Line and column (1-based) of `offset` in `text`; a line ends at \n (a \r before it is part of the line). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

class SyntaxAt {
  constructor(readonly offset: number, readonly reason: string) {}
}

/** A strict JSON recogniser (no values built): finds where the text stops being JSON. Nesting uses an explicit stack. */
class Scanner {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): number {
    this.space();
    if (this.i >= this.s.length) this.fail('the text is empty: expected a JSON value');
    this.value();
    this.space();
    if (this.i < this.s.length) this.fail(`unexpected ${this.shown()} after the end of the JSON value`);
    return this.i;
  }

  private value(): void {
    // containers: 'o' an object, 'a' an array; each entry is the container whose next member or element is read
    const stack: ('o' | 'a')[] = [];
    for (;;) {
      this.space();
      const c = this.s[this.i];
      if (c === '{' || c === '[') {
        this.i++;
        this.space();
        const close = c === '{' ? '}' : ']';
        if (this.s[this.i] === close) this.i++;
        else {
          stack.push(c === '{' ? 'o' : 'a');
          if (c === '{') this.memberName();
          continue;
        }
      } else this.scalar();
      // after a value: close containers or move to the next member or element
      for (;;) {
        const top = stack.at(-1);
        if (top === undefined) return;
        this.space();
        const d = this.s[this.i];
        const close = top === 'o' ? '}' : ']';
        if (d === ',') {
          this.i++;
          this.space();
          if (this.s[this.i] === close) this.fail(`a trailing "," before "${close}" (JSON allows none)`);
          if (top === 'o') this.memberName();
          break;
        }
        if (d === close) {
          this.i++;
          stack.pop();
          continue;
        }
        this.fail(top === 'o' ? `expected "," or "}" after a member's value, found ${this.shown()}` : `expected "," or "]" after an array element, found ${this.shown()}`);
      }
    }
  }

  private memberName(): void {
    this.space();
    if (this.s[this.i] !== '"') this.fail(`expected a member name in double quotes, found ${this.shown()}`);
    this.string();
    this.space();
    if (this.s[this.i] !== ':') this.fail(`expected ":" after the member name, found ${this.shown()}`);
    this.i++;
  }

  private scalar(): void {
    const c = this.s[this.i];
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail(`expected a value, found ${this.shown()}`);
  }

  private string(): void {
    const start = this.i++;
    for (;;) {
      if (this.i >= this.s.length) this.fail('a string is not closed', start);
      const code = this.s.charCodeAt(this.i);
      if (code === 0x22) {
        this.i++;
        return;
      }
      if (code < 0x20) this.fail('a line break or control character inside a string (write it as \\n, \\t, …)');
      if (code === 0x5c) {
        const e = this.s[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) this.fail('\\u must be followed by four hexadecimal digits');
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail(`an invalid escape \\${e ?? ''} in a string`);
        this.i += 2;
        continue;
      }
      this.i++;
    }
  }

  private number(): void {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail(`a malformed number at ${this.shown()}`);
    this.i += m![0].length;
    const next = this.s[this.i];
    if (next !== undefined && /[0-9.eE+\-]/.test(next)) this.fail(`a malformed number (JSON numbers have no leading zeros, "+" or trailing ".")`);
  }

  private space(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else return;
    }
  }

  /** The character at the cursor for a message: `"x"`, or `the end of the text`. */
  private shown(): string {
    if (this.i >= this.s.length) return 'the end of the text';
    const cp = this.s.codePointAt(this.i)!;
    // a character that prints as nothing (JSON.stringify escapes the controls below U+007F) is named by its code point
    if (cp === 0xfeff) return 'U+FEFF (a byte-order mark)';
    if (cp >= 0x7f && INVISIBLE.test(String.fromCodePoint(cp))) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} (a character that prints as nothing or as space)`;
    return JSON.stringify(String.fromCodePoint(cp));
  }

  private fail(reason: string, offset = this.i): never {
    throw new SyntaxAt(offset, reason);
  }
}

/** Control, format, unassigned, private-use and separator characters (no-break and other spaces among them). */
const INVISIBLE = /^[\p{C}\p{Z}]$/u;
