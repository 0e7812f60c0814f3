/**
 * The accounts scanner on each backend: the WASM kernel (assembly/json/scan-accounts.ts, SIMD or scalar build) in an
 * instance of its own, or its JS twin (scan.ts). Both scan a text buffer into record regions sized from it; the WASM
 * one's text and records are views of its memory, so the file is read straight into it.
 */
import type { WasmFlavour } from '../../kernels/wasm/binary.js';
import type { KernelExports } from '../../kernels/wasm/exports.js';
import { kernelImports } from '../../kernels/wasm/memory.js';
import { ACCOUNT_INTS, ARG, ARG_SLOTS, BALANCE_INTS, POSITION_INTS, POSITION_VALUES, SLOW_INTS } from './scan-abi.js';
import { type ScanRecords, scanAccounts } from './scan.js';
import { type ScanKeys, scanKeys } from './scan-keys.js';

/** Which scanner reads a book: `auto` is WASM (SIMD when the runtime has it) when it loads, else the JS twin. */
export type ScannerChoice = 'auto' | 'wasm' | 'js';

export interface AccountScanner {
  readonly backend: 'wasm-simd' | 'wasm-scalar' | 'js';
  /** The text buffer (valid until the next {@link reserve}). */
  readonly text: Uint8Array;
  readonly args: Int32Array;
  readonly records: ScanRecords;
  /** Room for at least `bytes` of text, its first `keep` bytes kept, and records `scale` times the default. */
  reserve(bytes: number, keep: number, scale: number): void;
  /** The book's instrument ids, looked up by the scan. */
  setKeys(keys: ScanKeys): void;
  /** Scans with `args` (ARG slots): SCAN_*. */
  scan(): number;
}

/** Bytes past the text's end the WASM kernel may load (a 16-byte vector at its last byte). */
const PAD = 64;

/** Record capacities for a text of `bytes` (a scan that fills one stops and is called again). */
export function capacities(bytes: number, scale: number): { accounts: number; positions: number; balances: number; slow: number } {
  return {
    accounts: Math.min(65_536, bytes >> 5) * scale + 16, // the smallest account element is about 20 bytes
    positions: (bytes >> 6) * scale + 16,
    balances: (bytes >> 7) * scale + 16,
    slow: 16_384 * scale,
  };
}

function setCapacities(args: Int32Array, c: ReturnType<typeof capacities>): void {
  args[ARG.maxAccounts] = c.accounts;
  args[ARG.maxPositions] = c.positions;
  args[ARG.maxBalances] = c.balances;
  args[ARG.maxSlow] = c.slow;
}

export class JsScanner implements AccountScanner {
  readonly backend = 'js';
  text = new Uint8Array(0);
  readonly args = new Int32Array(ARG_SLOTS);
  records!: ScanRecords;
  private keys = scanKeys(new Map());

  setKeys(keys: ScanKeys): void {
    this.keys = keys;
    if (this.records) this.records.keys = keys;
  }

  reserve(bytes: number, keep: number, scale: number): void {
    if (bytes > this.text.length) {
      const text = new Uint8Array(bytes);
      text.set(this.text.subarray(0, keep));
      this.text = text;
    }
    const c = capacities(this.text.length, scale);
    setCapacities(this.args, c);
    this.records = {
      accountInts: new Int32Array(c.accounts * ACCOUNT_INTS), accountCash: new Float64Array(c.accounts),
      positionInts: new Int32Array(c.positions * POSITION_INTS), positionValues: new Float64Array(c.positions * POSITION_VALUES),
      balanceInts: new Int32Array(c.balances * BALANCE_INTS), balanceValues: new Float64Array(c.balances), slowInts: new Int32Array(c.slow * SLOW_INTS),
      keys: this.keys,
    };
  }

  scan(): number {
    return scanAccounts(this.text, this.args, this.records);
  }
}

/**
 * The WASM scanner in an instance of its own (its memory is the book's text and the scan's records, nothing else):
 * [argument block | text + PAD | records], the records placed after the text each time it grows.
 */
export class WasmScanner implements AccountScanner {
  readonly backend: 'wasm-simd' | 'wasm-scalar';
  text = new Uint8Array(0);
  args!: Int32Array;
  records!: ScanRecords;
  private readonly base: number;
  private textBytes = 0;
  private scale = 1;
  private keys = scanKeys(new Map());

  private constructor(private readonly exports: KernelExports, flavour: WasmFlavour) {
    this.backend = flavour === 'simd' ? 'wasm-simd' : 'wasm-scalar';
    this.base = (exports.heapBase() + 15) & ~15;
  }

  static async create(flavour: WasmFlavour): Promise<WasmScanner> {
    const { compileKernels } = await import('../../kernels/wasm/binary.js');
    const instance = await WebAssembly.instantiate(await compileKernels(flavour), kernelImports());
    return new WasmScanner(instance.exports as unknown as KernelExports, flavour);
  }

  setKeys(keys: ScanKeys): void {
    this.keys = keys;
    this.reserve(this.textBytes, this.textBytes, this.scale);
  }

  reserve(bytes: number, _keep: number, scale: number): void {
    // the text stays where it is (grown in place), so its first bytes are kept whatever `keep` is
    this.textBytes = Math.max(this.textBytes, bytes);
    this.scale = scale;
    const c = capacities(this.textBytes, scale);
    const keys = this.keys;
    const textAt = this.base + ARG_SLOTS * 4;
    let at = (textAt + this.textBytes + PAD + 7) & ~7;
    const place = (size: number) => ((at += size), at - size);
    const layout = {
      accountCash: place(c.accounts * 8), positionValues: place(c.positions * POSITION_VALUES * 8), balanceValues: place(c.balances * 8),
      accountInts: place(c.accounts * ACCOUNT_INTS * 4), positionInts: place(c.positions * POSITION_INTS * 4), balanceInts: place(c.balances * BALANCE_INTS * 4),
      slowInts: place(c.slow * SLOW_INTS * 4),
      keyTable: place(keys.table.length * 4), keyStart: place(keys.keyStart.length * 4), keyRows: place(keys.rows.length * 4), keyBytes: place(keys.keyBytes.length),
    };
    const memory = this.exports.memory;
    if (at > memory.buffer.byteLength) memory.grow(Math.ceil((at - memory.buffer.byteLength) / 65_536));
    const buffer = memory.buffer;
    this.args = new Int32Array(buffer, this.base, ARG_SLOTS);
    this.text = new Uint8Array(buffer, textAt, this.textBytes);
    this.records = {
      accountInts: new Int32Array(buffer, layout.accountInts, c.accounts * ACCOUNT_INTS), accountCash: new Float64Array(buffer, layout.accountCash, c.accounts),
      positionInts: new Int32Array(buffer, layout.positionInts, c.positions * POSITION_INTS), positionValues: new Float64Array(buffer, layout.positionValues, c.positions * POSITION_VALUES),
      balanceInts: new Int32Array(buffer, layout.balanceInts, c.balances * BALANCE_INTS), balanceValues: new Float64Array(buffer, layout.balanceValues, c.balances),
      slowInts: new Int32Array(buffer, layout.slowInts, c.slow * SLOW_INTS),
      keys,
    };
    new Int32Array(buffer, layout.keyTable, keys.table.length).set(keys.table);
    new Int32Array(buffer, layout.keyStart, keys.keyStart.length).set(keys.keyStart);
    new Int32Array(buffer, layout.keyRows, keys.rows.length).set(keys.rows);
    new Uint8Array(buffer, layout.keyBytes, keys.keyBytes.length).set(keys.keyBytes);
    setCapacities(this.args, c);
    const args = this.args;
    args[ARG.text] = textAt;
    for (const [slot, name] of [[ARG.accountInts, 'accountInts'], [ARG.accountCash, 'accountCash'], [ARG.positionInts, 'positionInts'], [ARG.positionValues, 'positionValues'],
      [ARG.balanceInts, 'balanceInts'], [ARG.balanceValues, 'balanceValues'], [ARG.slowInts, 'slowInts'],
      [ARG.keyTable, 'keyTable'], [ARG.keyStart, 'keyStart'], [ARG.keyRows, 'keyRows'], [ARG.keyBytes, 'keyBytes']] as const) args[slot] = layout[name];
    args[ARG.keyMask] = keys.mask;
  }

  scan(): number {
    return this.exports.jsonScanAccounts(this.base);
  }
}

/** The scanner `choice` asks for (`auto`: WASM, SIMD when supported, falling back to the JS twin). */
export async function accountScanner(choice: ScannerChoice = 'auto'): Promise<AccountScanner> {
  if (choice === 'js') return new JsScanner();
  const { simdSupported } = await import('../../kernels/wasm/binary.js');
  try {
    if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available in this runtime');
    return await WasmScanner.create(simdSupported() ? 'simd' : 'scalar');
  } catch (error) {
    if (choice === 'wasm') throw error;
    return new JsScanner();
  }
}
