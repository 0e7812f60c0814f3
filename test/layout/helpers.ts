import { HeapAllocator, LinearMemoryAllocator } from '../../src/memory/allocators.js';
import type { ColumnAllocator } from '../../src/memory/columns.js';

/** Both backends' allocators: WASM linear memory (1 page to start, so layout must grow it) and heap buffers. */
export const ALLOCATORS: ReadonlyArray<[string, () => ColumnAllocator]> = [
  ['linear memory', () => new LinearMemoryAllocator(new WebAssembly.Memory({ initial: 1 }), 1024)],
  ['heap', () => new HeapAllocator()],
];
