// A portfolio run's per-book preparation: every live account's slots in order of underlying, cut into groups
// (portfolioSlots), and every account's add-on entries (addOnEntries). Twins of src/kernels/js/portfolio/book-slots.ts:
// the same outputs, so the same bits. Both are per-account counting sorts by a small key whose distinct keys are set
// as bits and read back lowest first (no branch on whether a key was met before, no sort); the entries' position loop
// and key loop have no branch on the data either (the twin's comment says how, and why the twin keeps its branches).
// Scratch columns marked "zero" are zero on entry and left zero.

// Argument block of portfolioSlots: u32 column pointers in this order (PORTFOLIO_SLOTS_COLUMNS in the binding).
const S_LIVE = 0, S_POS_START = 1, S_POS_END = 2, S_POS_INSTRUMENT = 3, S_QUANTITY = 4;
const S_COL_START = 5, S_COL_END = 6, S_COL_ASSET = 7, S_AMOUNT = 8;
const S_UNDERLYING = 9, S_MULTIPLIER = 10, S_ASSET_ROW = 11;
const S_SLOT_ROW = 12, S_SLOT_SCALE = 13, S_SLOT_SOURCE = 14;
const S_GROUP_START = 15, S_GROUP_END = 16, S_GROUP_UNDERLYING = 17, S_ACCOUNT_GROUP_START = 18, S_ACCOUNT_GROUP_END = 19;
const S_HELD_ROWS = 20, S_COUNT = 21, S_NEXT = 22, S_HELD = 23, S_BITS = 24;

// Argument block of addOnEntries (ADD_ON_ENTRIES_COLUMNS in the binding).
const E_LIVE = 0, E_POS_START = 1, E_POS_END = 2, E_POS_INSTRUMENT = 3, E_QUANTITY = 4;
const E_MULTIPLIER = 5, E_SETTLEMENT = 6, E_RANK = 7, E_RANK_UNDERLYING = 8;
const E_OPT_START = 9, E_OPT_END = 10, E_LIN_START = 11, E_LIN_END = 12, E_MASK = 13, E_COIN = 14;
const E_OPT_UNDERLYING = 15, E_OPT_UNITS = 16, E_LIN_UNDERLYING = 17, E_LIN_FROM = 18, E_LIN_TO = 19;
const E_LIN_INSTRUMENT = 20, E_LIN_UNITS = 21;
const E_NET = 22, E_COUNT = 23, E_NEXT = 24, E_BITS = 25, E_KEYS = 26, E_LINEAR_POSITIONS = 27;

@inline function col(args: usize, slot: i32): usize {
  return <usize>load<u32>(args + (<usize>slot << 2));
}

@inline function i32At(column: usize, i: i32): i32 {
  return load<i32>(column + (<usize>i << 2));
}

@inline function setI32(column: usize, i: i32, x: i32): void {
  store<i32>(column + (<usize>i << 2), x);
}

@inline function f64At(column: usize, i: i32): f64 {
  return load<f64>(column + (<usize>i << 3));
}

@inline function setF64(column: usize, i: i32, x: f64): void {
  store<f64>(column + (<usize>i << 3), x);
}

/** Adds 1 to column[i] (i32) and returns the value before. */
@inline function postIncrement(column: usize, i: i32): i32 {
  const at = column + (<usize>i << 2);
  const was = load<i32>(at);
  store<i32>(at, was + 1);
  return was;
}

/** Sets bit x in a bit column. */
@inline function setBit(bits: usize, x: i32): void {
  const at = bits + (<usize>(x >> 5) << 2);
  store<i32>(at, load<i32>(at) | (1 << (x & 31)));
}

/** The indices of the set bits of words [lo, hi] in ascending order into `out` (the words cleared); returns how many. */
@inline function readBits(bits: usize, lo: i32, hi: i32, out: usize): i32 {
  let n = 0;
  for (let w = lo; w <= hi; w++) {
    let x = i32At(bits, w);
    setI32(bits, w, 0);
    while (x != 0) {
      const low = x & -x;
      setI32(out, n++, (w << 5) + <i32>ctz<i32>(low));
      x ^= low;
    }
  }
  return n;
}

/**
 * Accounts [0, accounts)'s slots in order of underlying and their groups (see the twin for the columns); `words`: the
 * bit column's length (assets / 32, rounded up). Returns how many groups.
 */
export function portfolioSlots(accounts: i32, words: i32, args: usize): i32 {
  const live = col(args, S_LIVE), posStart = col(args, S_POS_START), posEnd = col(args, S_POS_END);
  const posInstrument = col(args, S_POS_INSTRUMENT), quantity = col(args, S_QUANTITY);
  const colStart = col(args, S_COL_START), colEnd = col(args, S_COL_END), colAsset = col(args, S_COL_ASSET), amount = col(args, S_AMOUNT);
  const underlying = col(args, S_UNDERLYING), multiplier = col(args, S_MULTIPLIER), assetRow = col(args, S_ASSET_ROW);
  const slotRow = col(args, S_SLOT_ROW), slotScale = col(args, S_SLOT_SCALE), slotSource = col(args, S_SLOT_SOURCE);
  const groupStart = col(args, S_GROUP_START), groupEnd = col(args, S_GROUP_END), groupUnderlying = col(args, S_GROUP_UNDERLYING);
  const accountGroupStart = col(args, S_ACCOUNT_GROUP_START), accountGroupEnd = col(args, S_ACCOUNT_GROUP_END);
  const heldRows = col(args, S_HELD_ROWS), count = col(args, S_COUNT), next = col(args, S_NEXT), held = col(args, S_HELD), bits = col(args, S_BITS);
  let g = 0, top = 0;
  for (let a = 0; a < accounts; a++) {
    setI32(accountGroupStart, a, g);
    if (load<u8>(live + <usize>a) != 0) {
      let lo = words, hi = -1;
      const p0 = i32At(posStart, a), p1 = i32At(posEnd, a), k0 = i32At(colStart, a), k1 = i32At(colEnd, a);
      for (let p = p0; p < p1; p++) {
        const i = i32At(posInstrument, p), u = i32At(underlying, i), w = u >> 5;
        postIncrement(heldRows, i);
        postIncrement(count, u);
        setBit(bits, u);
        lo = min(lo, w);
        hi = max(hi, w);
      }
      for (let k = k0; k < k1; k++) {
        const asset = i32At(colAsset, k), w = asset >> 5;
        if (i32At(assetRow, asset) < 0 || f64At(amount, k) == 0.0) continue;
        postIncrement(count, asset);
        setBit(bits, asset);
        lo = min(lo, w);
        hi = max(hi, w);
      }
      const d = readBits(bits, lo, hi, held);
      for (let j = 0; j < d; j++) {
        const u = i32At(held, j);
        setI32(groupStart, g, top);
        setI32(next, u, top);
        top += i32At(count, u);
        setI32(groupEnd, g, top);
        setI32(groupUnderlying, g, u);
        g++;
        setI32(count, u, 0);
      }
      for (let p = p0; p < p1; p++) {
        const i = i32At(posInstrument, p), s = postIncrement(next, i32At(underlying, i));
        setI32(slotRow, s, i);
        setF64(slotScale, s, f64At(quantity, p) * f64At(multiplier, i));
        setI32(slotSource, s, p);
      }
      for (let k = k0; k < k1; k++) {
        const asset = i32At(colAsset, k), row = i32At(assetRow, asset);
        if (row < 0 || f64At(amount, k) == 0.0) continue;
        const s = postIncrement(next, asset);
        setI32(slotRow, s, row);
        setF64(slotScale, s, f64At(amount, k));
        setI32(slotSource, s, -1 - k);
      }
    }
    setI32(accountGroupEnd, a, g);
  }
  return g;
}

/** The bit of underlying u in an entry's mask: u for u < 31, bit 31 shared by all others. */
@inline function underlyingBit(u: i32): i32 {
  return u < 31 ? 1 << u : 1 << 31;
}

/**
 * Entries [0, entries)'s add-on entries in scanAddOns' order (see the twin); ranks below `firstLinear` are option keys;
 * `words`: the rank bit column's length.
 */
export function addOnEntries(entries: i32, firstLinear: i32, words: i32, args: usize): void {
  const live = col(args, E_LIVE), posStart = col(args, E_POS_START), posEnd = col(args, E_POS_END);
  const posInstrument = col(args, E_POS_INSTRUMENT), quantity = col(args, E_QUANTITY);
  const multiplier = col(args, E_MULTIPLIER), settlement = col(args, E_SETTLEMENT), rank = col(args, E_RANK), rankUnderlying = col(args, E_RANK_UNDERLYING);
  const optStart = col(args, E_OPT_START), optEnd = col(args, E_OPT_END), linStart = col(args, E_LIN_START), linEnd = col(args, E_LIN_END);
  const masks = col(args, E_MASK), coin = col(args, E_COIN);
  const optUnderlying = col(args, E_OPT_UNDERLYING), optUnits = col(args, E_OPT_UNITS);
  const linUnderlying = col(args, E_LIN_UNDERLYING), linFrom = col(args, E_LIN_FROM), linTo = col(args, E_LIN_TO);
  const linInstrument = col(args, E_LIN_INSTRUMENT), linUnits = col(args, E_LIN_UNITS);
  const net = col(args, E_NET), count = col(args, E_COUNT), next = col(args, E_NEXT), bits = col(args, E_BITS);
  const keys = col(args, E_KEYS), linearPositions = col(args, E_LINEAR_POSITIONS);
  let o = 0, e = 0, l = 0;
  for (let a = 0; a < entries; a++) {
    setI32(optStart, a, o);
    setI32(linStart, a, e);
    const p0 = i32At(posStart, a), p1 = load<u8>(live + <usize>a) != 0 ? i32At(posEnd, a) : p0;
    store<u8>(coin + <usize>a, p1 > p0 && i32At(settlement, i32At(posInstrument, p0)) >= 0 ? 1 : 0);
    let linear = 0, lo = words, hi = -1;
    for (let p = p0; p < p1; p++) {
      const i = i32At(posInstrument, p), r = i32At(rank, i);
      if (r < 0) continue;
      // every position summed and counted whatever its key's kind (what a kind does not use is cleared unread)
      const w = r >> 5;
      setBit(bits, r);
      lo = min(lo, w);
      hi = max(hi, w);
      setF64(net, r, f64At(net, r) + f64At(quantity, p) * f64At(multiplier, i));
      postIncrement(count, r);
      setI32(linearPositions, linear, p);
      linear += <i32>(r >= firstLinear);
    }
    const n = readBits(bits, lo, hi, keys);
    let mask = 0;
    for (let k = 0; k < n; k++) {
      const r = i32At(keys, k), u = i32At(rankUnderlying, r), x = f64At(net, r), c = i32At(count, r);
      setF64(net, r, 0.0);
      setI32(count, r, 0);
      if (r < firstLinear) {
        // an entry when net short: written always, kept by advancing
        const short = x < 0.0;
        setI32(optUnderlying, o, u);
        setF64(optUnits, o, -x);
        o += <i32>short;
        mask |= select<i32>(underlyingBit(u), 0, short);
      } else {
        setI32(linUnderlying, e, u);
        setI32(linFrom, e, l);
        setI32(next, r, l);
        l += c;
        setI32(linTo, e++, l);
        mask |= underlyingBit(u);
      }
    }
    for (let k = 0; k < linear; k++) {
      const p = i32At(linearPositions, k), i = i32At(posInstrument, p), s = postIncrement(next, i32At(rank, i));
      setI32(linInstrument, s, i);
      setF64(linUnits, s, f64At(quantity, p) * f64At(multiplier, i));
    }
    setI32(optEnd, a, o);
    setI32(linEnd, a, e);
    setI32(masks, a, mask);
  }
}
