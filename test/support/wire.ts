/**
 * A value as a request body brings it: any JSON, unchecked by the types. The live session's requests are typed for
 * callers (a misspelt field does not compile); a body from the wire, or a malformed request a test sends on purpose,
 * is checked at run time, and reaches the call through this.
 */
export function wire(value: unknown): never {
  return value as never;
}
