import { describe, expect, it } from 'vitest';
import { doubles } from '../../../engine/indicators/doubles.js';

describe('doubles', () => {
  it('is a plain array of zeros of the length asked for, each one its own', () => {
    expect(doubles(0)).toEqual([]);
    const a = doubles(4);
    expect(Array.isArray(a)).toBe(true);
    expect(a).toEqual([0, 0, 0, 0]);
    expect(Object.is(a[0], 0)).toBe(true); // +0, as a Float64Array starts
    a[1] = 1.25;
    expect(doubles(4)).toEqual([0, 0, 0, 0]);
    expect(a).toEqual([0, 1.25, 0, 0]);
  });
});
