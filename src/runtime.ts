/**
 * What the code runs on, where a choice depends on it (the worker pool's threads, the kernels' first memory size, how
 * Arrow is loaded): one test, so that every such choice agrees.
 */

/** True under Node (or a runtime that says it is Node, as Bun and Deno do): node:* modules and worker threads exist. */
export function inNode(): boolean {
  return typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
}
