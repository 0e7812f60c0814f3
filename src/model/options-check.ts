/**
 * A call's options checked for what TypeScript catches at compile time and JavaScript callers meet at run time: a key
 * the call does not take (`methd: 'portfolio'`, which left the default method) and a flag that is not a boolean
 * (`breakdown: 'yes'`, which gave no breakdown). Fail closed: an option silently ignored would change the result with
 * no sign of why. Each options type keeps its kinds beside it ({@link OptionKinds}: the compiler holds the list to the
 * type, every key and no other); the values themselves are checked where they are read.
 */
import { describeValue, InputError, type InputProblem } from '../errors.js';
import { isRecord, keyPath, notObjectMessage, unknownFieldMessage } from './checks.js';

/**
 * What an option's value must be, as far as this check goes: a boolean flag, a function (a callback: one that is not
 * was called mid-run, after the work, and threw a TypeError), or anything (checked where it is read).
 */
export type OptionKind = 'boolean' | 'function' | 'any';

/**
 * Every key of an options type with its kind, read off the type: a flag (boolean alone, or undefined) must be marked
 * `'boolean'`, a callback `'function'`, anything else `'any'`. Annotated with it, a kinds object lists every key of the type and no other, and a
 * key added to the type must be added there.
 */
export type OptionKinds<T> = {
  readonly [K in keyof Required<T>]-?: [Exclude<T[K], undefined>] extends [boolean] ? 'boolean' : [Exclude<T[K], undefined>] extends [(...args: never[]) => unknown] ? 'function' : 'any';
};

/**
 * Throws an InputError listing every key of `options` that `kinds` does not name (with the nearest name), and every
 * flag that is neither a boolean nor undefined. `options` undefined: none given. Not an object: refused at `path`.
 */
export function checkOptions(options: unknown, kinds: Readonly<Record<string, OptionKind>>, path = 'options'): void {
  const problems = optionProblems(options, kinds, path);
  if (problems.length > 0) throw new InputError(problems);
}

/**
 * {@link checkOptions}' problems, for a caller that adds those of its values and throws them all in one InputError
 * (`options` not an object: that problem alone).
 */
export function optionProblems(options: unknown, kinds: Readonly<Record<string, OptionKind>>, path = 'options'): InputProblem[] {
  if (options === undefined) return [];
  if (!isRecord(options)) return [{ path, message: notObjectMessage(options, 'an object of options, or none') }];
  const problems: InputProblem[] = [];
  const names = Object.keys(kinds);
  for (const key of Object.keys(options)) {
    const kind = Object.hasOwn(kinds, key) ? kinds[key] : undefined;
    const value = options[key];
    if (kind === undefined) problems.push({ path: keyPath(path, key), message: unknownFieldMessage(key, names, 'option') });
    else if (kind === 'boolean' && value !== undefined && typeof value !== 'boolean') problems.push({ path: keyPath(path, key), message: `expected true or false, got ${describeValue(value)}` });
    else if (kind === 'function' && value !== undefined && typeof value !== 'function') problems.push({ path: keyPath(path, key), message: `expected a function, got ${describeValue(value)}` });
  }
  return problems;
}
