import type { ProblemListOptions } from '../../../errors.js';
import type { RuleBasedParams } from '../../../margin/params.js';
import { validateRuleBasedParams as validateRules } from '../../../margin/validate-params.js';
import { BUILT_IN_REGISTRY } from '../../registry.js';

/**
 * Checks rule-based margin parameters given as JSON (the whole params object: its `linear`, `options` and
 * `collateral` sections) and merges them over the defaults; the built-in methods' own sections are accepted and
 * left to their validators, any other section is an error. Throws one InputError listing every problem with its path.
 */
export function validateRuleBasedParams(json: unknown = {}, options: ProblemListOptions = {}): RuleBasedParams {
  return validateRules(json, options, BUILT_IN_REGISTRY.sections);
}
