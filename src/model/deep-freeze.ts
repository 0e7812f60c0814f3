/**
 * Freezes a value and every plain object and array inside it, for results that are computed once and shared by every
 * later call (validated default parameters): a caller or method that wrote into one would change every later run, so
 * such a write throws instead (ES modules are strict). Typed arrays cannot be frozen and are left as they are.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}
