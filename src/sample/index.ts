export { generateSample, sampleJson, DEFAULT_VALUATION_TIME, type SampleOptions, type Sample } from './generate.js';
export { ARCHETYPES, type Archetype } from './archetypes.js';
export { Random } from './random.js';
export { writeSample } from './write.js';
