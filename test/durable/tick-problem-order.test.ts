/**
 * The cluster's POST /tick gathers every shard's problems: they read in partition order, whichever shard answered first.
 */
import { expect, it } from 'vitest';
import { byPartition } from '../../src/durable/gateway-routes.js';

it('the tick\'s own fields first, then accounts by partition and by account in it', () => {
  const gathered = ['partitions[37].accounts[2]', 'partitions[6].accounts[11]', 'tick.assets.BTC.price', 'partitions[6].accounts[3]', 'partitions[11].accounts[0]']
    .map((path) => ({ path, message: 'x' }));
  expect(gathered.sort(byPartition).map((p) => p.path)).toEqual(['tick.assets.BTC.price', 'partitions[6].accounts[3]', 'partitions[6].accounts[11]', 'partitions[11].accounts[0]', 'partitions[37].accounts[2]']);
});
