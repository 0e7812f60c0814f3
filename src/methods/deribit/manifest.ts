/** Deribit's 2024 portfolio margin model as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { DEFAULT_DERIBIT_PARAMS, type DeribitParams } from './params.js';
import { deribitMethod } from './index.js';

export const deribitManifest: MethodManifest<DeribitParams> = {
  plugin: deribitMethod,
  defaults: DEFAULT_DERIBIT_PARAMS,
  docs: 'docs/profiles.md',
  fingerprints: [{ name: 'deribit', params: () => ({}), digests: { sample: 'be2efcce34572f10ef78f4b6f7b75087', generated10k: '1f30c6c9f762d7cf866a27832981af6c' } }],
};
