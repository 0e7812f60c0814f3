/**
 * Small predicates and message builders shared by the validators, so every check words its problem
 * the same way (the messages are documented in docs/book-format.md).
 */

import { describeValue } from '../errors.js';

export type JsonRecord = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Message for a value that should have been a finite number. */
export function notFiniteMessage(value: unknown): string {
  if (value === undefined) return 'missing (expected a finite number)';
  return `not a finite number (got ${describeValue(value)})`;
}

/** Message for a value that should have been an object. */
export function notObjectMessage(value: unknown, what = 'an object'): string {
  return `expected ${what}, got ${describeValue(value)}`;
}

/** Message for a value that should have been a non-empty string. */
export function notStringMessage(value: unknown, what: string): string {
  if (value === undefined) return `missing (expected ${what})`;
  if (value === '') return `empty (expected ${what})`;
  return `expected ${what}, got ${describeValue(value)}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `base.key` for identifier-like keys (`market.assets.BTC`), else `base["key"]` (`market.marks["BTC-PERP"]`). */
export function keyPath(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** Own enumerable keys of a JSON object, as data (never inherited names like `toString`). */
export function ownEntries(record: JsonRecord): Array<[string, unknown]> {
  return Object.keys(record).map((key) => [key, record[key]]);
}

/** Compact number for messages: `-0.0312`, `91000`, `1.2e-7`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  return String(Number(value.toPrecision(3)));
}
