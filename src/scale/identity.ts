/**
 * What a worker of a sharded run proves about itself, so that a coordinator never merges rows computed by other code
 * or other rules: the package version, a fingerprint of the build (the WASM kernels' bytes, scalar and SIMD, with the
 * version) and a fingerprint of the effective parameters (every built-in method's defaults as its validation fills
 * them in, the rule-based defaults, and the liquidation and stress defaults: what a task's params are merged over).
 * Two processes of one build agree on all three whatever their backend (the kernels and their JS twins give the same
 * bits); a worker whose defaults differ (a portfolio `mmFactor` of 0.7 instead of 0.8, say) differs in `params`.
 *
 * The fingerprints are 64-bit hashes (two FNV-1a passes, src/scale/hash.ts) of canonical text: they tell builds
 * apart, they are not a defence against a forger (a worker in the cluster is trusted to run the code it says).
 */
import { PACKAGE_VERSION } from '../version.js';
import { canonicalJson } from '../model/canonical-json.js';
import { ProblemList } from '../errors.js';
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from '../kernels/wasm/binary.generated.js';
import { DEFAULT_LIQUIDATION_PARAMS } from '../liquidation/params.js';
import { checkRuleBasedParams } from '../margin/validate-params.js';
import { BUILT_IN_METHODS } from '../methods/registry.js';
import { DEFAULT_STRESS_PARAMS } from '../stress/params.js';

export interface BuildIdentity {
  /** The package's version (package.json). */
  version: string;
  /** Fingerprint of the WASM kernels' bytes and the version (16 hex digits). */
  build: string;
  /** Fingerprint of the effective default parameters (16 hex digits). */
  params: string;
}

/** Who computed a shard's rows: the worker's name and backend, and its identity. */
export interface WorkerStamp extends BuildIdentity {
  worker: string;
  backend: string;
}

let own: BuildIdentity | undefined;

/** This process's identity (computed once). */
export function buildIdentity(): BuildIdentity {
  if (own) return own;
  const version = PACKAGE_VERSION;
  const sections = BUILT_IN_METHODS.flatMap((m) => (m.section === null ? [] : [m.section]));
  const defaults = {
    methods: Object.fromEntries(BUILT_IN_METHODS.map((m) => [m.name, m.validateParams(undefined, new ProblemList())])),
    rules: checkRuleBasedParams({}, new ProblemList(), sections),
    liquidation: DEFAULT_LIQUIDATION_PARAMS,
    stress: DEFAULT_STRESS_PARAMS,
  };
  own = {
    version,
    build: fingerprint(`${SCALAR_WASM_BASE64}\u0000${SIMD_WASM_BASE64}\u0000${version}`),
    params: fingerprint(canonicalJson(defaults)),
  };
  return own;
}

/**
 * Why `stamp` (a worker's answer) may not be merged by a coordinator of identity `mine`, or null when it may: the
 * message names the worker and every part that differs.
 */
export function identityMismatch(stamp: WorkerStamp | undefined, mine: BuildIdentity, where: string): string | null {
  if (stamp === undefined) return `margin-core: ${where} was answered by a worker that announced no build or params fingerprint (an older margin-core?); refusing its rows`;
  const differ: string[] = [];
  if (stamp.version !== mine.version) differ.push(`version ${stamp.version} (coordinator ${mine.version})`);
  if (stamp.build !== mine.build) differ.push(`build ${stamp.build} (coordinator ${mine.build})`);
  if (stamp.params !== mine.params) differ.push(`params ${stamp.params} (coordinator ${mine.params}: other default parameters)`);
  if (differ.length === 0) return null;
  return `margin-core: worker ${stamp.worker} runs another build than this coordinator: ${differ.join(', ')}; refusing its rows for ${where} (run every worker and the coordinator from one margin-core build)`;
}

/** 64 bits as 16 hex digits: FNV-1a 32 over the text's UTF-16 code units from two offsets. */
function fingerprint(text: string): string {
  const pass = (offset: number) => {
    let h = offset;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0).toString(16).padStart(8, '0');
  };
  return pass(0x811c9dc5) + pass(0x050c5d1f);
}

export { canonicalJson };
