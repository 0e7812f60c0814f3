/** A JSON file that is not valid JSON text (src/io/json-stream.ts, src/io/utf8-check.ts). */

/** Where a syntax error was found: the top-level member (and element) it is in, and what JSON.parse said. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    /** e.g. `accounts[17]`, `valuationTime`, or '' for the top level. */
    readonly at: string,
    message: string,
  ) {
    super(at ? `${message} (in ${at})` : message);
  }
}

