/**
 * Numeric codes the kernels read from the u8 columns. Values are part of the kernel ABI: append new
 * codes, never renumber (inverse contracts or baskets get new codes without touching these).
 */

import type { InstrumentKind } from '../model/types.js';

export const KIND_SPOT = 0;
export const KIND_FUTURE = 1;
export const KIND_PERPETUAL = 2;
export const KIND_OPTION = 3;

export const KIND_CODE: Readonly<Record<InstrumentKind, number>> = {
  spot: KIND_SPOT,
  future: KIND_FUTURE,
  perpetual: KIND_PERPETUAL,
  option: KIND_OPTION,
};

export const KIND_BY_CODE: readonly InstrumentKind[] = ['spot', 'future', 'perpetual', 'option'];

/** `markSource` column: where `mark` came from. */
export const MARK_NONE = 0; // options without a quote: the pricing kernel values them
export const MARK_QUOTED = 1; // market.marks
export const MARK_DERIVED = 2; // spot and perpetual = S; future = S·e^{(rate−carry)·T}
