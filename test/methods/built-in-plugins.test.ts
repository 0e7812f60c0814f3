/**
 * What every built-in plug-in declares for itself, iterating the registry (a new method is held to it by its line in
 * BUILT_IN_METHODS): the calibration of its defaults with a source, a schema fragment for its params section, and a
 * dynamic-margin hook exactly where the docs say a forecast can drive it.
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_METHODS } from '../../src/methods/registry.js';
import { calibrationOf } from '../../src/report/calibration.js';

describe('every built-in method plug-in', () => {
  for (const method of BUILT_IN_METHODS) {
    it(`${method.name}: states its calibration and source, and the schema of its section`, () => {
      expect(method.calibration?.target.length).toBeGreaterThan(20);
      expect(method.calibration?.source.length).toBeGreaterThan(10);
      expect(calibrationOf(method.name)).toBe(method.calibration);
      if (method.section !== null) expect(method.schema?.params, `params.${method.section}`).toMatchObject({ type: 'object', additionalProperties: false });
    });
  }

  it('a method of your own has no recorded calibration unless it states one', () => {
    expect(calibrationOf('flat')).toEqual({ target: 'not recorded (a method of your own)', source: 'its author' });
  });

  it('the methods a forecast can drive are those docs/dynamic-margin.md maps: isolated, cross, portfolio and var', () => {
    expect(BUILT_IN_METHODS.filter((m) => m.dynamic).map((m) => m.name)).toEqual(['isolated', 'cross', 'portfolio', 'var']);
  });
});
