import { expect } from 'vitest';
import { InputError, type InputProblem } from '../../src/errors.js';

/** Runs `fn`, expects an InputError, returns its problems. */
export function problemsOf(fn: () => unknown): readonly InputProblem[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

/** Expects exactly one problem, at `path`, whose message matches `message`. */
export function expectOneProblem(fn: () => unknown, path: string, message: RegExp): void {
  const problems = problemsOf(fn);
  expect(problems.map((p) => p.path)).toEqual([path]);
  expect(problems[0].message).toMatch(message);
}

/** Runs `fn`, expects an InputError, returns its problems as `path: message` lines. */
export function problemLines(fn: () => unknown): string[] {
  return problemsOf(fn).map((p) => `${p.path}: ${p.message}`);
}

/** Expects `sharded` to reject with an InputError whose problems are those `single` throws (the single-process engine's). */
export async function expectSameProblems(single: () => unknown, sharded: Promise<unknown>): Promise<void> {
  const expected = problemsOf(single);
  const error = await sharded.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).problems).toEqual(expected);
}
