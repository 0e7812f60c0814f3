/** A JSON file that is not valid JSON text (src/io/json-stream.ts, src/io/utf8-check.ts). */

/** Where a syntax error was found: the top-level member (and element) it is in, and what JSON.parse said. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    /** e.g. `accounts[17]`, `valuationTime`, or '' for the top level. */
    readonly at: string,
    message: string,
  ) {
    // JSON.parse counts its position from the start of the text it was given: an element's, not the file's
    super(!at ? message : /at position \d+/.test(message) ? message.replace(/at position (\d+)/, `at position $1 of ${at}`) : `${message} (in ${at})`);
  }
}

