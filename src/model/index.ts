export type * from './types.js';
export {
  validateBook,
  validateMarket,
  validateInputs,
  validateInstrument,
  validateAccount,
  validatePosition,
  validateBalance,
  isValidatedBook,
  isValidatedMarket,
  type MarketValidationOptions,
} from './validate.js';
export { symmetricEigen, minEigenvalue, isPositiveSemidefinite, nearestCorrelation, semidefiniteFactor, toRowMajor, toRows, PSD_TOLERANCE } from './correlation.js';
export { parseIsoTimestamp, formatIsoTimestamp, yearsBetween, MS_PER_YEAR, MS_PER_DAY } from './time.js';
