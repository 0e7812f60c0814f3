/**
 * What every built-in plug-in declares for itself, iterating the registry (a new method is held to it by its line in
 * BUILT_IN_METHODS): the calibration of its defaults with a source, a schema fragment for its params section, and a
 * dynamic-margin hook exactly where the docs say a forecast can drive it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_MANIFESTS, BUILT_IN_METHODS } from '../../src/methods/registry.js';
import { ROOT } from '../support/cli.js';
import { calibrationOf } from '../../src/report/calibration.js';
import { ProblemList } from '../../src/errors.js';

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
    expect(calibrationOf('a-method-of-your-own')).toEqual({ target: 'not recorded (a method of your own)', source: 'its author' });
  });

  it('the methods a forecast can drive are those docs/dynamic-margin.md lists (the `methods` row of its params table)', () => {
    const row = /^\| `methods` \| `\[\]` \| among ([^|]+) \|$/m.exec(readFileSync(join(ROOT, 'docs', 'dynamic-margin.md'), 'utf8'));
    expect(row, 'docs/dynamic-margin.md: the `methods` row').not.toBeNull();
    expect(BUILT_IN_METHODS.filter((m) => m.dynamic).map((m) => m.name).join(', ')).toBe(row![1].trim());
  });

  it('every manifest\'s defaults are what its plug-in validates an absent section to', () => {
    for (const m of BUILT_IN_MANIFESTS) {
      const problems = new ProblemList();
      const validated = m.plugin.validateParams(undefined, problems);
      expect(problems.size, m.plugin.name).toBe(0);
      if (m.plugin.section === null) expect(m.defaults, m.plugin.name).toBeNull();
      else expect(validated, m.plugin.name).toEqual(m.defaults);
    }
  });

  it('every manifest names its plug-in\'s docs page, linked from the README\'s map of the docs, and records its defaults\' fingerprints first', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const m of BUILT_IN_MANIFESTS) {
      expect(() => readFileSync(join(ROOT, m.docs)), `${m.plugin.name}: ${m.docs}`).not.toThrow();
      expect(readme, `${m.plugin.name}: README.md links ${m.docs}`).toContain(`](${m.docs})`);
      expect(m.fingerprints[0]?.name, m.plugin.name).toBe(m.plugin.name);
    }
  });
});
