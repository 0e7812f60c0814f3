/**
 * What each method's default parameters are calibrated to, with the public source they follow (its plug-in's
 * `calibration`): said in the demo, `margin-core compare` and the page beside every efficiency figure, because at the
 * defaults "capital freed" compares calibrations as much as methods (src/report/coverage.ts compares them at equal
 * coverage).
 */
import type { MarginMethodPlugin, MethodCalibration } from '../methods/method.js';
import { BUILT_IN_METHODS } from '../methods/registry.js';

export type Calibration = MethodCalibration;

/** The calibration of `method`'s defaults among `methods`, or a sentence saying none is recorded (a method of your own). */
export function calibrationOf(method: string, methods: readonly MarginMethodPlugin[] = BUILT_IN_METHODS): Calibration {
  return methods.find((m) => m.name === method)?.calibration ?? { target: 'not recorded (a method of your own)', source: 'its author' };
}
