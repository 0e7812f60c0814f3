/** Derive's standard and portfolio margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { DEFAULT_DERIVE_PARAMS, type DeriveParams } from './params.js';
import './types.js';
import { deriveMethod } from './index.js';

export const deriveManifest: MethodManifest<DeriveParams> = {
  plugin: deriveMethod,
  defaults: DEFAULT_DERIVE_PARAMS,
  docs: 'docs/profiles.md',
  fingerprints: [{ name: 'derive', params: () => ({}), digests: { sample: '265a277597d10f321fb2426b02fc4d19', generated10k: 'bacca938904588e1c691f43b07b5b4bd' } }],
};
