import { describe, expect, it } from 'vitest';
import { Bollinger, RollingMean } from '../../../engine/indicators/index.js';
import { mulberry32 } from './seeded-ohlcv.js';

/*
 * Long runs: a sliding window kept by running sums drifts, and after a level change it cancels
 * catastrophically. Over 1e6 updates through level changes of up to nine orders of magnitude and flat
 * stretches, the windowed mean and deviation must still match a fresh two-pass computation over the
 * window to 1e-9 relative.
 */

const UPDATES = 1_000_000;
const REL = 1e-9;
const BLOCK = 50_000;

/** Positive values in blocks of 50,000 at levels from 1e-2 to 1e9, with some flat blocks. */
function longRun(seed: number): Float64Array {
  const rnd = mulberry32(seed);
  const levels = [1e9, 1, 1e4, 0.01, 3e7, 250];
  const values = new Float64Array(UPDATES);
  for (let i = 0; i < UPDATES; i++) {
    const block = Math.floor(i / BLOCK);
    const level = levels[block % levels.length] ?? 1;
    values[i] = block % 7 === 3 ? level : level * (1 + (rnd() - 0.5) * 0.02);
  }
  return values;
}

/** Mean and population deviation of `values[end - period .. end - 1]`, two-pass (exact when all equal). */
function fresh(values: Float64Array, end: number, period: number): { mean: number; sd: number } {
  const window = values.subarray(end - period, end);
  if (window.every((v) => v === window[0])) return { mean: window[0] ?? Number.NaN, sd: 0 };
  const mean = window.reduce((a, b) => a + b) / period;
  const m2 = window.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(m2 / period) };
}

const relDiff = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

/**
 * Window ends at which to check: every 9,973 updates (never aligned with a ring-buffer wrap), just after
 * each level change has left the window (where a running sum is left holding the old level's rounding
 * error), and the last update.
 */
function checkpoints(period: number): number[] {
  const regular = Array.from({ length: 100 }, (_, k) => (k + 1) * 9_973);
  const afterShift = Array.from({ length: UPDATES / BLOCK - 1 }, (_, k) => (k + 1) * BLOCK + period + 3);
  return [...new Set([...regular, ...afterShift, UPDATES])].sort((a, b) => a - b);
}

describe('numeric stability over 1e6 updates', () => {
  const values = longRun(7);

  it.each([20, 390])('RollingMean(%i) matches a fresh mean of the window', (period) => {
    const mean = new RollingMean(period);
    let naiveSum = 0;
    let worst = 0;
    let worstNaive = 0;
    const ends = checkpoints(period);
    let next = 0;
    for (let i = 0; i < UPDATES; i++) {
      const x = values[i] ?? Number.NaN;
      mean.update(x);
      naiveSum += x - (i >= period ? (values[i - period] ?? Number.NaN) : 0);
      if (i + 1 === ends[next]) {
        next++;
        const expected = fresh(values, i + 1, period).mean;
        worst = Math.max(worst, relDiff(mean.value, expected));
        worstNaive = Math.max(worstNaive, relDiff(naiveSum / period, expected));
      }
    }
    expect(next).toBe(ends.length);
    expect(worst).toBeLessThanOrEqual(REL);
    // The input is hard enough: a plain running sum fails the same check.
    expect(worstNaive).toBeGreaterThan(REL);
  });

  it.each([20, 390])('Bollinger(%i, 2) middle and deviation match a fresh two-pass computation', (period) => {
    const bb = new Bollinger(period, 2);
    let worstMean = 0;
    let worstSd = 0;
    let flatChecked = 0;
    const ends = checkpoints(period);
    let next = 0;
    for (let i = 0; i < UPDATES; i++) {
      bb.update(values[i] ?? Number.NaN);
      if (i + 1 === ends[next]) {
        next++;
        const expected = fresh(values, i + 1, period);
        worstMean = Math.max(worstMean, relDiff(bb.middle, expected.mean));
        if (expected.sd === 0) {
          flatChecked++;
          expect(bb.deviation).toBe(0);
          expect(bb.pb).toBe(0.5);
        } else {
          worstSd = Math.max(worstSd, relDiff(bb.deviation, expected.sd));
        }
      }
    }
    expect(next).toBe(ends.length);
    expect(flatChecked).toBeGreaterThan(0);
    expect(worstMean).toBeLessThanOrEqual(REL);
    expect(worstSd).toBeLessThanOrEqual(REL);
  });
});
