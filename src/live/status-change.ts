import type { Status } from '../margin/status.js';

/**
 * One account's status change. `health`: equityMm / MM after it (±Infinity at MM = 0, signed as equityMm). `pool`:
 * under the `cross` subaccount policy, the change of a group's pool (the account liquidation acts on, under its
 * master's id), beside the members' own (src/live/pool-trial.ts).
 */
export interface StatusChange {
  account: string;
  from: Status;
  to: Status;
  health: number;
  pool?: true | undefined;
}
