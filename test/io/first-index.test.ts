/** FirstIndexById answers as a Map of each id's first account does, on ids with repeats, long runs and non-ASCII. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FirstIndexById } from '../../src/io/first-index.js';
import { propertyRuns } from '../support/property-runs.js';

it('firstOrAdd and get are a Map\'s first index of each id, through the table\'s growth', () => {
  const id = fc.oneof(fc.constantFrom('a', 'b', 'acct-1', 'é', '🦀', ''), fc.string({ maxLength: 6 }), fc.nat(5000).map((k) => `acct-${k}`));
  fc.assert(fc.property(fc.array(id, { maxLength: 12_000 }), (ids) => {
    const table = new FirstIndexById(), map = new Map<string, number>();
    ids.forEach((x, a) => {
      const expected = map.get(x);
      if (expected === undefined) map.set(x, a);
      expect(table.firstOrAdd(x, a)).toBe(expected ?? -1);
    });
    for (const x of [...ids, 'never-seen']) expect(table.get(x)).toBe(map.get(x));
  }), propertyRuns(40));
});
