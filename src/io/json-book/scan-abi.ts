/**
 * What the accounts scanner (assembly/json/scan-accounts.ts, twin src/io/json-book/scan.ts) reads and writes: one
 * argument block of i32 slots, and fixed-size records per account, position, balance and slow number. The AS side
 * has the same numbers as constants; changing one here means changing it there too.
 */

/** Slots of the argument block (i32). Inputs first, then what the scan writes back. */
export const ARG = {
  /** Byte offsets into the text (the WASM twin: into memory). */
  from: 0, to: 1,
  /** 1: the text ends at `to` (an element cut there is a syntax error, not a request for more bytes). */
  final: 2,
  /** Where the scan starts: STATE_*. Written back: where it stopped. */
  state: 3,
  /** Capacities of the record regions. */
  maxAccounts: 4, maxPositions: 5, maxBalances: 6, maxSlow: 7,
  /** Written back: the byte the next scan starts at, and the records written. */
  next: 8, accounts: 9, positions: 10, balances: 11, slow: 12,
  /** Pointers (WASM) to the text and to the record regions, in this order. */
  text: 13, accountInts: 14, accountCash: 15, positionInts: 16, positionValues: 17, balanceInts: 18, balanceValues: 19, slowInts: 20,
  /** The instruments' ids (scan-keys.ts): hash table slots (mask in `keyMask`), each key's bytes, its row. */
  keyTable: 21, keyMask: 22, keyStart: 23, keyBytes: 24, keyRows: 25,
} as const;
export const ARG_SLOTS = 26;

/** Inside the accounts array: before its first element or `]`, after a `,`, after an element. */
export const STATE_START = 0, STATE_AFTER_COMMA = 1, STATE_AFTER_ELEMENT = 2;

/** Why a scan stopped. */
export const SCAN_MORE = 0, SCAN_END = 1, SCAN_FULL = 2, SCAN_SYNTAX = 3;

/** An account record (i32s): how it was read, its bytes [start, end), its id's bytes, its positions and balances. */
export const ACCOUNT_INTS = 8;
export const A_KIND = 0, A_START = 1, A_END = 2, A_ID_START = 3, A_ID_END = 4, A_POSITIONS = 5, A_BALANCES = 6, A_HAS_CASH = 7;
/** A_KIND: read by the schema (its values are in the records), or to be read by JSON.parse and the validator. */
export const KIND_CLEAN = 0, KIND_GENERAL = 1;

/** A position record: the instrument's row (1 i32, −1: not an instrument of the book), quantity and entry price (2 f64). */
export const POSITION_INTS = 1, POSITION_VALUES = 2;
/** A balance record: the asset's bytes (2 i32), the amount (1 f64). */
export const BALANCE_INTS = 2;
/**
 * A number the scan does not round itself (more than 15 significant digits, or a power of ten beyond 22): NaN in its
 * place and a record (3 i32) of where it goes and its bytes, rounded by the engine's own JSON number parser.
 * The place is `target << 28 | index`.
 */
export const SLOW_INTS = 3;
export const SLOW_CASH = 0, SLOW_QUANTITY = 1, SLOW_ENTRY = 2, SLOW_AMOUNT = 3;
