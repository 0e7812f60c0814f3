/** Derive's standard and portfolio margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { DEFAULT_DERIVE_PARAMS, type DeriveParams } from './params.js';
import './types.js';
import { deriveMethod } from './index.js';

export const deriveManifest: MethodManifest<DeriveParams> = {
  plugin: deriveMethod,
  defaults: DEFAULT_DERIVE_PARAMS,
  docs: 'docs/profiles.md',
  fingerprints: [{ name: 'derive', params: () => ({}), digests: { sample: 'bb84a9c85942eacd680e69d55b776b2a', generated10k: 'bacca938904588e1c691f43b07b5b4bd' } }],
};
