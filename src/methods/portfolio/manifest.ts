/** Portfolio (scenario-grid) margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { DEFAULT_PORTFOLIO_PARAMS, type PortfolioParams } from '../engines/scenario-grid/params.js';
import { portfolioMethod } from './index.js';
import './types.js';

export const portfolioManifest: MethodManifest<PortfolioParams> = {
  plugin: portfolioMethod,
  defaults: DEFAULT_PORTFOLIO_PARAMS,
  docs: 'docs/portfolio-margin.md',
  fingerprints: [
    { name: 'portfolio', params: () => ({}), digests: { sample: '98f4b10733df951c974304270c9be504', generated10k: '836b438e5a8e2414d7f1514ea834de21' } },
    { name: 'portfolio correlation', params: () => ({ portfolio: { aggregation: 'correlation' } }), digests: { sample: 'f4cc3b8c51fbd47dcfe9e3a33fc8619f', generated10k: '3d760562910cc3c2ed83e2a80925ff84' } },
  ],
};
