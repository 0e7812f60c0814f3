/** VaR margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { DEFAULT_VAR_PARAMS, type VarParams } from './params.js';
import './types.js';
import { varMethod } from './index.js';

/** 120 days of deterministic returns for the sample's six assets (an LCG; the numbers only need to be fixed). */
function returnsMatrix(): { assets: string[]; matrix: number[][] } {
  const assets = ['AVAX', 'BTC', 'DOGE', 'ETH', 'SOL', 'XRP'];
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.12;
  return { assets, matrix: Array.from({ length: 120 }, () => assets.map(() => next())) };
}

export const varManifest: MethodManifest<VarParams> = {
  plugin: varMethod,
  defaults: DEFAULT_VAR_PARAMS,
  docs: 'docs/var-margin.md',
  fingerprints: [
    { name: 'var', params: () => ({}), digests: { sample: 'c178f6c522c98c827eb967c96b6feaa5', generated10k: 'c3148a9476b87ba2437e852926d0b608' } },
    { name: 'var delta-gamma es', params: () => ({ var: { model: 'delta-gamma', measure: 'es' } }), digests: { sample: '2de7adf2a1219b27c0927b8c81a73c8c', generated10k: 'd76e34d726f7c5204165a4048ec5b3b9' } },
    { name: 'var monte-carlo', params: () => ({ var: { model: 'monte-carlo', scenarios: 500, seed: 11 } }), digests: { sample: '8d5977c24797826b581cc605cbaad14a', generated10k: '7fb26a09408494901666059da648386a' } },
    { name: 'var historical', params: () => ({ var: { model: 'historical', returns: returnsMatrix() } }), digests: { sample: 'd22f6c92f40e9905db7c886db554a912', generated10k: '4ba173a0c5f57a856453d0bcbaf7340e' } },
    { name: 'var ewma', params: () => ({ var: { covariance: 'ewma', returns: returnsMatrix() } }), digests: { sample: '54b7b6fdbb562af4afe466258b0a15d4', generated10k: '8d88c3aef80baa38364da6a1e1cf80a5' } },
  ],
};
