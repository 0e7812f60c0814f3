/**
 * The shard's group commit across partitions, against a log stand-in that records each round trip: appends asked for
 * in one turn of the event loop go out as one round trip; those asked while one is in flight go out together next;
 * each settles with its own outcome, and a round trip that failed as a whole fails each of its appends.
 */
import { describe, expect, it } from 'vitest';
import { type AppendPart, GroupCommit } from '../../src/durable/group-commit.js';

type Outcome = 'appended' | 'duplicate';

/** A log whose round trips wait until `finish` is called; each part's outcome is given by `decide`. */
function recordingLog(decide: (part: AppendPart) => Outcome | Error = () => 'appended') {
  const trips: number[][] = [];
  const waiting: (() => void)[] = [];
  return {
    trips,
    finish: () => waiting.splice(0).forEach((go) => go()),
    appendMany(parts: readonly AppendPart[]): Promise<PromiseSettledResult<Outcome>[]> {
      trips.push(parts.map((x) => x.p));
      return new Promise((resolve) => waiting.push(() => resolve(parts.map((x) => {
        const d = decide(x);
        return d instanceof Error ? { status: 'rejected', reason: d } : { status: 'fulfilled', value: d };
      }))));
    },
  };
}

const part = (p: number, firstSeq = 1): AppendPart => ({ p, shard: 's', epoch: 1, firstSeq, entries: [{ kind: 'fills', id: `op${p}`, fills: [] }] });
const turn = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('sends one turn\'s appends in one round trip, and the ones asked meanwhile together in the next', async () => {
    const log = recordingLog();
    const group = new GroupCommit(log);
    const first = [group.append(part(3)), group.append(part(7)), group.append(part(12))];
    await turn();
    expect(log.trips).toEqual([[3, 7, 12]]);
    const second = [group.append(part(4)), group.append(part(3, 2))]; // while the first is in flight
    await turn();
    expect(log.trips).toHaveLength(1); // one round trip at a time
    log.finish();
    expect(await Promise.all(first)).toEqual(['appended', 'appended', 'appended']);
    await turn();
    expect(log.trips).toEqual([[3, 7, 12], [4, 3]]);
    log.finish();
    expect(await Promise.all(second)).toEqual(['appended', 'appended']);
  });

  it('settles each append with its own outcome', async () => {
    const fenced = new Error('fenced');
    const log = recordingLog((x) => (x.p === 2 ? fenced : x.p === 5 ? 'duplicate' : 'appended'));
    const group = new GroupCommit(log);
    const asked = [1, 2, 5].map((p) => group.append(part(p)).catch((e: unknown) => e));
    await turn();
    log.finish();
    expect(await Promise.all(asked)).toEqual(['appended', fenced, 'duplicate']);
  });

  it('fails every append of a round trip that failed as a whole, then sends the next', async () => {
    let calls = 0;
    const lost = new Error('connection lost');
    const group = new GroupCommit({
      appendMany: async (parts) => {
        if (calls++ === 0) throw lost;
        return parts.map(() => ({ status: 'fulfilled', value: 'appended' as const }));
      },
    });
    const asked = [1, 2].map((p) => group.append(part(p)).catch((e: unknown) => e));
    expect(await Promise.all(asked)).toEqual([lost, lost]);
    expect(await group.append(part(1, 2))).toBe('appended');
    expect(calls).toBe(2);
  });
});
