/**
 * One random change to a JSON value, for property tests of what a service or an importer takes from outside: a
 * number moved nearby (often still valid), a value swapped for one of `values` (any type, extreme numbers), a field
 * or item dropped, a field added (named from `keys`) or an item repeated, or a change deeper in.
 */
export function mutateJson(value: unknown, pick: () => number, values: readonly unknown[], keys: readonly string[]): unknown {
  const any = () => values[Math.floor(pick() * values.length)];
  if (typeof value === 'number' && pick() < 0.5) return value * (0.5 + pick());
  if (value === null || typeof value !== 'object') return any();
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, k) => [k, v]) : Object.entries(value);
  const r = pick();
  if (entries.length === 0 || r < 0.05) return any();
  const copy: any = Array.isArray(value) ? [...value] : { ...value };
  const [key, inner] = entries[Math.floor(pick() * entries.length)];
  if (r < 0.15) Array.isArray(copy) ? copy.splice(key as number, 1) : delete copy[key];
  else if (r < 0.22) Array.isArray(copy) ? copy.push(inner) : (copy[keys[Math.floor(pick() * keys.length)]] = any());
  else copy[key] = mutateJson(inner, pick, values, keys);
  return copy;
}
