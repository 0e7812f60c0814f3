/** The margin kernels of each backend with the memory their columns live in: the JS twins, WASM scalar, WASM SIMD. */
import { type MarginKernels, marginKernels } from '../../src/kernels/backend.js';
import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import type { ColumnAllocator } from '../../src/memory/columns.js';

export interface KernelBackend {
  name: 'js' | 'wasm-scalar' | 'wasm-simd';
  kernels: MarginKernels;
  /** Where the kernels' columns (and a layout they read) are allocated. */
  allocator: ColumnAllocator;
}

const noGreeks = (): never => {
  throw new Error('not a Greeks test');
};

export async function kernelBackends(): Promise<KernelBackend[]> {
  const wasm = async (flavour: 'scalar' | 'simd'): Promise<KernelBackend> => {
    const instance = await WasmKernels.create(flavour);
    const kernels = marginKernels({ instance, current: () => true, discard: (error) => { throw error; } }, noGreeks);
    return { name: `wasm-${flavour}`, kernels, allocator: instance.allocator };
  };
  return [{ name: 'js', kernels: marginKernels(undefined, noGreeks), allocator: new HeapAllocator() }, await wasm('scalar'), await wasm('simd')];
}
