/** The add-on scan's small sorts: rows of parallel columns ordered by (key, second), allocation-free. */

/** Above this many positions the add-on scan finds its rows by index, not by a scan, and sorts by heapsort. */
export const INDEX_FROM = 16;

/**
 * Rows [0, n) sorted by (key, second), carrying `value`: by insertion for an account's few rows, by heapsort (no
 * allocation, n log n) for a pool's dozens. The rows' keys are distinct (each row is one key: add-ons file a key once,
 * strikes are finite), so every sort gives the one order.
 */
export function sortRows(key: Int32Array, second: Float64Array, value: Float64Array, n: number): void {
  if (n > INDEX_FROM) {
    heapsortRows(key, second, value, n);
    return;
  }
  for (let j = 1; j < n; j++) {
    const k = key[j], s2 = second[j], v = value[j];
    let i = j - 1;
    while (i >= 0 && (key[i] > k || (key[i] === k && second[i] > s2))) {
      key[i + 1] = key[i];
      second[i + 1] = second[i];
      value[i + 1] = value[i];
      i--;
    }
    key[i + 1] = k;
    second[i + 1] = s2;
    value[i + 1] = v;
  }
}

function heapsortRows(key: Int32Array, second: Float64Array, value: Float64Array, n: number): void {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftRows(key, second, value, i, n);
  for (let end = n - 1; end > 0; end--) {
    swapRows(key, second, value, 0, end);
    siftRows(key, second, value, 0, end);
  }
}

/** Row a after row b in (key, second) order. */
function rowAfter(key: Int32Array, second: Float64Array, a: number, b: number): boolean {
  return key[a] > key[b] || (key[a] === key[b] && second[a] > second[b]);
}

function swapRows(key: Int32Array, second: Float64Array, value: Float64Array, a: number, b: number): void {
  const k = key[a], s2 = second[a], v = value[a];
  key[a] = key[b];
  second[a] = second[b];
  value[a] = value[b];
  key[b] = k;
  second[b] = s2;
  value[b] = v;
}

/** Moves row `root` down the max-heap [0, end) to its place. */
function siftRows(key: Int32Array, second: Float64Array, value: Float64Array, root: number, end: number): void {
  for (;;) {
    let child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && rowAfter(key, second, child + 1, child)) child++;
    if (!rowAfter(key, second, child, root)) return;
    swapRows(key, second, value, root, child);
    root = child;
  }
}
