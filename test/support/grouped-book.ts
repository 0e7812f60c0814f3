/**
 * A generated book in groups (masters and subaccounts) with what the policies must handle besides: some accounts of
 * their own method (masters portfolio, subaccounts VaR: methods every policy accepts) and the coin-margined accounts
 * in groups of their own, four each (one margin currency per pool), or in none.
 */
import { generateSample } from '../../src/sample/generate.js';

export interface GroupedBookOptions {
  accounts: number;
  seed: number;
  accountsPerMaster: number;
  coinAccounts: number;
  /** Every `methodEvery`-th account (from `methodAt`) names its own method. */
  methodEvery: number;
  methodAt: number;
  /** The coin-margined accounts in groups of four (default), or in none (the backstop policy refuses them in one). */
  coinGroups?: boolean;
}

/** The sample (book and market JSON) with its groups, own methods and coin-margined groups. */
export function groupedSample(o: GroupedBookOptions): ReturnType<typeof generateSample> {
  const sample = generateSample({ accounts: o.accounts, seed: o.seed, accountsPerMaster: o.accountsPerMaster, coinAccounts: o.coinAccounts });
  const accounts = sample.book.accounts as { id: string; master?: string; method?: string; marginCurrency?: string }[];
  accounts.forEach((a, k) => {
    if (k % o.methodEvery === o.methodAt) a.method = a.master === undefined ? 'portfolio' : 'var';
  });
  if (o.coinGroups !== false) {
    const coin = accounts.filter((a) => a.marginCurrency !== undefined);
    coin.forEach((a, j) => j % 4 !== 0 && (a.master = coin[j - (j % 4)].id));
  }
  return sample;
}
