import { describe, expect, it } from 'vitest';
import { SizeGrid } from '../../src/live/size-grid.js';

describe('SizeGrid: order sizes on the quantity step', () => {
  it('gives n steps as the double nearest the decimal n × step', () => {
    const grid = new SizeGrid(0.001);
    expect(51_727 * 0.001).not.toBe(51.727); // the product carries the step's binary error
    expect(grid.size(51_727)).toBe(51.727);
    expect(grid.size(12_258)).toBe(12.258);
    expect(new SizeGrid(0.1).size(3)).toBe(0.3);
    expect(new SizeGrid(0.5).size(7)).toBe(3.5);
    expect(new SizeGrid(25).size(4)).toBe(100);
  });

  it('counts the steps within a size, where the division rounds either way', () => {
    expect(0.57 / 0.01).toBeLessThan(57);
    expect(new SizeGrid(0.01).stepsWithin(0.57)).toBe(57);
    expect(new SizeGrid(0.1).stepsWithin(0.3)).toBe(3);
    expect(new SizeGrid(0.01).stepsWithin(0.579)).toBe(57);
    expect(new SizeGrid(0.001).stepsWithin(0)).toBe(0);
    expect(new SizeGrid(0.001).stepsWithin(0.0009)).toBe(0);
  });

  it('snaps a size within rounding of the grid onto it (a limit less the position held), and leaves others', () => {
    const grid = new SizeGrid(0.01);
    expect(0.3 - 0.1).not.toBe(0.2);
    expect(grid.snap(0.3 - 0.1, 0.3)).toBe(0.2);
    expect(grid.snap(1249.6 - 915.2, 1249.6)).toBe(334.4);
    expect(new SizeGrid(8.8).snap(1249.6 - 915.2, 1249.6)).toBe(334.4); // 38 steps of 8.8
    expect(grid.snap(0.195, 0.3)).toBe(0.195); // between two steps: as it is
  });

  it('falls back to n · step for a step that is not a short decimal', () => {
    const third = new SizeGrid(1 / 3);
    expect(third.size(3)).toBe(3 * (1 / 3));
    expect(third.stepsWithin(1)).toBe(3);
  });
});
