/**
 * begunNow (src/cli/read-ahead.ts): a chunk stream begun before it is iterated (the CLI starts its book reader before it
 * reads the market) asks for its first item at once, then yields every item in order; given back before it is iterated,
 * the source's cleanup runs (a reader thread is stopped).
 */
import { describe, expect, it } from 'vitest';
import { begunNow } from '../src/cli/read-ahead.js';

async function* source(log: string[]): AsyncGenerator<number, void> {
  try {
    log.push('started');
    yield 1;
    yield 2;
  } finally {
    log.push('cleaned up');
  }
}

describe('begunNow', () => {
  it('starts the source at once and yields every item in order', async () => {
    const log: string[] = [];
    const chunks = begunNow(source(log));
    expect(log).toEqual(['started']); // before anything iterates it
    const items: number[] = [];
    for await (const x of chunks) items.push(x);
    expect(items).toEqual([1, 2]);
    expect(log).toEqual(['started', 'cleaned up']);
  });

  it('given back before it is iterated, or part way, runs the source\'s cleanup', async () => {
    const never: string[] = [];
    await begunNow(source(never)).return();
    expect(never).toEqual(['started', 'cleaned up']);
    const partWay: string[] = [];
    for await (const x of begunNow(source(partWay))) if (x === 1) break;
    expect(partWay).toEqual(['started', 'cleaned up']);
  });
});
