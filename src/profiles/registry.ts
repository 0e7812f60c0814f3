/**
 * The built-in methodology profiles. Adding one: a file in this folder exporting a {@link MethodologyProfile}, one
 * line here, and its conformance cases in `test/conformance/<name>/`.
 */
import { DERIBIT_PROFILE } from './deribit.js';
import { DERIBIT_LEGACY_PROFILE } from './deribit-legacy.js';
import { DERIBIT_STANDARD_PROFILE } from './deribit-standard.js';
import { DERIVE_PROFILE } from './derive.js';
import type { MethodologyProfile } from './profile.js';
import { SPAN_PROFILE } from './span.js';
import { deepFreeze } from '../model/deep-freeze.js';

// frozen with everything in them: a caller's edit of an exported profile would change every later run under it
export const BUILT_IN_PROFILES: readonly MethodologyProfile[] = deepFreeze([DERIBIT_PROFILE, DERIBIT_LEGACY_PROFILE, DERIBIT_STANDARD_PROFILE, SPAN_PROFILE, DERIVE_PROFILE]);
