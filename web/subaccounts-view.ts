/**
 * The risk page's master/subaccount tree: per master, its subaccounts with their own status and IM, the group's IM
 * alone and under the policy, what pooling freed, and what the backstop paid. A pure function from the report to HTML.
 * An account's IM and MM are in its currency (a coin-margined account's coin: `marginCurrency`); a group's figures, the
 * totals and the backstop are in USD (a coin account's figures at its coin's index).
 */
import type { AccountMargin, MarginReport } from '../src/margin/report.js';
import { money, moneyIn, percent, ratio } from '../src/report/format.js';
import { leftOut } from '../src/report/subaccount-text.js';
import { esc } from './plots.js';

/** The tree (empty when the report has no masters); `rows` by id come from the same report. */
export function subaccountTreeHtml(report: MarginReport): string {
  const r = report.subaccounts;
  if (!r) return '';
  const byId = new Map(report.accounts.map((a) => [a.id, a]));
  const leaf = (a: AccountMargin | undefined, id: string) =>
    `<li><span class="status status-${esc(a?.status ?? 'error')}">${esc((a?.status ?? 'error').replace('_', ' '))}</span> <b>${esc(id)}</b>` +
    (a ? ` IM ${moneyIn(a.marginCurrency)(a.im)} · MM ${moneyIn(a.marginCurrency)(a.mm)} · health ${ratio(a.health)}${a.method ? ` · ${esc(a.method)}` : ''}${a.backstopUsd ? ` · backstop ${money(a.backstopUsd)}` : ''}` : '') + '</li>';
  const masters = r.masters.map((m) => {
    const head = `<summary><span class="status status-${esc(m.combined.status)}">${esc(m.combined.status.replace('_', ' '))}</span> <b>${esc(m.id)}</b> ` +
      `(${m.subaccounts.length} subaccount${m.subaccounts.length === 1 ? '' : 's'}, ${esc(m.method)}): IM ${money(m.combined.im)} under the policy, ` +
      `${money(m.standalone.im)} alone · freed ${money(m.imFreed)} (${percent(m.imFreedShare)})` +
      (m.backstop ? ` · backstop paid ${money(m.backstop.coveredUsd)} of ${money(m.backstop.freeUsd)} free` : '') + '</summary>';
    return `<details class="master">${head}<ul>${leaf(byId.get(m.id), `${m.id} (master)`)}${m.subaccounts.map((id) => leaf(byId.get(id), id)).join('')}</ul></details>`;
  });
  const t = r.totals;
  return `<h2>Masters and subaccounts <small>policy ${esc(r.policy)}</small></h2>` +
    `<p>${t.masters} master${t.masters === 1 ? '' : 's'}, ${t.subaccounts} subaccounts: IM ${money(t.im)} under the policy against ${money(t.standaloneIm)} with every account alone (freed ${money(t.imFreed)}, ${percent(t.imFreedShare)})${esc(leftOut(r))}.</p>` +
    masters.slice(0, 200).join('') + (masters.length > 200 ? `<p class="hint">showing 200 of ${masters.length} masters</p>` : '');
}
