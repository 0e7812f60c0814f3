/**
 * The shared engines this build has, by the capability name a method's plug-in names in `needs.capabilities`: the
 * rule-based kernel's method, trials and what-ifs (./rule-based/) and the scenario-grid run (./scenario-grid/: risk
 * arrays, worst loss per underlying, add-ons) that portfolio and deribit margin on.
 */
export const ENGINE_CAPABILITIES: readonly string[] = ['rule-based', 'scenario-grid'];
