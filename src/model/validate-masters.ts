/**
 * The master/subaccount tree of a book (`accounts[].master`): one level deep. A master is an account of the
 * book without a master of its own; a subaccount names one. Every problem gets the path of the `master` field
 * that causes it: a master not in the book, an account that is its own master, a chain (the named master is
 * itself a subaccount), and a cycle (the chain comes back), which is reported once per account on it.
 */
import { describeValue, type ProblemList } from '../errors.js';
import { isNonEmptyString, isRecord } from './checks.js';

/** Checks the `master` fields of the raw accounts; `indexById`: the first index of each account id. */
export function checkMasters(accounts: readonly unknown[], indexById: Pick<ReadonlyMap<string, number>, 'get'>, problems: ProblemList): void {
  const masterOf = (i: number): unknown => (isRecord(accounts[i]) ? (accounts[i] as Record<string, unknown>).master : undefined);
  for (let i = 0; i < accounts.length; i++) {
    const master = masterOf(i);
    if (!isNonEmptyString(master)) continue; // absent, or reported by readAccount
    const path = `accounts[${i}].master`;
    const m = indexById.get(master);
    const id = isRecord(accounts[i]) ? (accounts[i] as Record<string, unknown>).id : undefined;
    if (m === undefined) problems.add(path, `unknown master ${describeValue(master)}: no account of the book has that id`);
    else if (m === i || master === id) problems.add(path, `account ${JSON.stringify(master)} is its own master`);
    else {
      const grand = masterOf(m);
      if (!isNonEmptyString(grand)) continue;
      // a master that names itself is said once, at its own path: its subaccounts did nothing wrong
      if (grand === master) continue;
      const cycle = cycleThrough(i, masterOf, indexById);
      if (cycle) problems.add(path, `circular masters: ${cycle.join(' → ')}`);
      else problems.add(path, `master ${JSON.stringify(master)} is itself a subaccount (of ${JSON.stringify(grand)}): subaccounts nest one level deep`);
    }
  }
}

/** The ids around a cycle of masters starting at account i (i first and last), or null when the chain ends. */
function cycleThrough(i: number, masterOf: (i: number) => unknown, indexById: Pick<ReadonlyMap<string, number>, 'get'>): string[] | null {
  const seen = new Set<number>([i]);
  const ids: string[] = [];
  let at = i;
  for (;;) {
    const master = masterOf(at);
    if (!isNonEmptyString(master)) return null;
    const next = indexById.get(master);
    if (next === undefined) return null;
    ids.push(master);
    if (next === i) return [ids[ids.length - 1], ...ids];
    if (seen.has(next)) return null; // a cycle further up the chain: reported for its own members
    seen.add(next);
    at = next;
  }
}
