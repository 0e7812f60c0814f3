/**
 * The memory a kernels instance is made with. The kernels import their memory (asconfig.json `importMemory`) so the
 * host chooses its first size: growing a WebAssembly memory detaches its old buffer, and the first detach in a V8
 * isolate makes every typed-array access of the thread's optimised code check for detachment from then on
 * (docs/performance.md, no-detach): the JS around the kernels (a liquidation's steps, the layout, the report) ran
 * 7–10 % slower once a book had grown the memory. Under Node an instance starts with 1 GiB of address space, which
 * the operating system commits page by page as it is written (RSS grows with what is used, as before), so books up
 * to that size never grow it. A browser starts at the module's minimum: a page asking for 1 GiB up front may be
 * refused on a phone. The module is built assuming its memory is zeroed (asconfig.json `zeroFilledMemory`: its static
 * data then carries no zeros, 24 KB less per flavour), so an instance is always given a new memory, never a used one.
 */

import { inNode } from '../../runtime.js';

/** The kernels module's own minimum (asconfig.json `initialMemory`, in 64 KiB pages). */
export const KERNEL_MIN_PAGES = 16;
/** The first size under Node: 1 GiB, in 64 KiB pages. */
export const NODE_INITIAL_PAGES = 16_384;

/**
 * A new memory for one kernels instance: {@link NODE_INITIAL_PAGES} under Node (the module's minimum if that much
 * address space is refused), else {@link KERNEL_MIN_PAGES}. It grows as before when a book needs more. `node`: whether
 * to take the Node size (default: whether this is Node).
 */
export function kernelMemory(node = inNode()): WebAssembly.Memory {
  if (node) {
    try {
      return new WebAssembly.Memory({ initial: NODE_INITIAL_PAGES });
    } catch {
      // an address-space limit (ulimit -v, a 32-bit host): start small and grow as a browser does
    }
  }
  return new WebAssembly.Memory({ initial: KERNEL_MIN_PAGES });
}

/** The imports a kernels instance is made with: its memory ({@link kernelMemory}). */
export function kernelImports(): WebAssembly.Imports {
  return { env: { memory: kernelMemory() } };
}
