import { JsKernels } from '../../src/kernels/js/kernels.js';
import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import type { MathOpName } from '../../src/kernels/wasm/exports.js';

export interface MathBackend {
  name: string;
  math(op: MathOpName, input: Float64Array): Float64Array;
}

/** The three implementations of the kernels: JS twin, WASM scalar, WASM SIMD. */
export async function mathBackends(): Promise<MathBackend[]> {
  return [
    { name: 'js', math: (op, x) => new JsKernels().math(op, x) },
    { name: 'wasm-scalar', math: bind(await WasmKernels.create('scalar')) },
    { name: 'wasm-simd', math: bind(await WasmKernels.create('simd')) },
  ];
}

function bind(k: WasmKernels): MathBackend['math'] {
  return (op, x) => k.math(op, x);
}
