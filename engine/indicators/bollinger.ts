import { assertPeriod } from './assert-period.js';
import { doubles } from './doubles.js';
import type { SeriesIndicator } from './series-indicator.js';

/**
 * Bollinger bands: middle = mean of the last `period` values, bands at `stdDev` population standard
 * deviations (divisor `period`, as technicalindicators' `BollingerBands`). `update` returns the middle
 * band; everything is NaN until `period` values have been seen.
 *
 * The window's mean and sum of squared deviations (M2) are never updated by subtraction: removing a
 * value from a running M2 cancels catastrophically when volatility drops (after a spike, or into a flat
 * stretch), and the square root turns that rounding noise into a visible deviation (1e-7 on a flat
 * window at 100). Instead the window is two parts, as in {@link RollingMean}: the values left from the
 * last ring-buffer wrap, whose suffix (count, mean, M2) were computed once at that wrap, and the values
 * added since, accumulated with Welford's update. The two are combined with the pairwise formula
 * `M2 = M2a + M2b + delta^2 * na * nb / n`, whose terms are all non-negative. O(1) amortised per update
 * (one O(period) pass per wrap), no allocation, and a window of identical values has a deviation of
 * exactly 0 and a middle exactly equal to the value.
 *
 * Difference from technicalindicators: when the bands collapse (all values equal) `pb` is 0.5, where
 * technicalindicators returns the NaN of 0/0 or a ratio of its rounding noise (0.75, 0.17, ...).
 */
export class Bollinger implements SeriesIndicator {
  private readonly buffer: number[];
  /** Mean of `buffer[j..period-1]` as of the last wrap. */
  private readonly suffixMean: number[];
  /** M2 of `buffer[j..period-1]` as of the last wrap. */
  private readonly suffixM2: number[];
  /** Values added since the last wrap (all values during warm-up): Welford accumulators. */
  private tailMean = 0;
  private tailM2 = 0;
  private count = 0;
  private index = 0;
  private mean = Number.NaN;
  private m2 = Number.NaN;
  private last = Number.NaN;

  constructor(
    readonly period: number,
    readonly stdDev: number,
  ) {
    assertPeriod('Bollinger', period);
    if (!Number.isFinite(stdDev) || stdDev <= 0) {
      throw new RangeError(`Bollinger stdDev must be a positive number, got ${stdDev}`);
    }
    this.buffer = doubles(period);
    this.suffixMean = doubles(period);
    this.suffixM2 = doubles(period);
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  get value(): number {
    return this.mean;
  }

  get middle(): number {
    return this.mean;
  }

  /** Population standard deviation of the window. */
  get deviation(): number {
    return Math.sqrt(this.m2 / this.period);
  }

  get upper(): number {
    return this.mean + this.stdDev * this.deviation;
  }

  get lower(): number {
    return this.mean - this.stdDev * this.deviation;
  }

  /** %B: where the last value sits between the bands (0 = lower, 1 = upper); 0.5 when they collapse. */
  get pb(): number {
    const width = this.upper - this.lower;
    if (width === 0) return 0.5;
    return (this.last - this.lower) / width;
  }

  update(x: number): number {
    const p = this.period;
    this.last = x;
    this.buffer[this.index] = x;
    this.index++;
    const added = this.index;
    const delta = x - this.tailMean;
    this.tailMean += delta / added;
    this.tailM2 += delta * (x - this.tailMean);
    if (this.count < p) this.count++;
    if (this.index === p) {
      this.index = 0;
      this.mean = this.tailMean;
      this.m2 = this.tailM2;
      this.rebuild();
    } else if (this.count === p) {
      const kept = p - added;
      const keptMean = this.suffixMean[added] ?? 0;
      const between = this.tailMean - keptMean;
      this.mean = keptMean + (between * added) / p;
      this.m2 = (this.suffixM2[added] ?? 0) + this.tailM2 + (between * between * kept * added) / p;
    }
    return this.mean;
  }

  /** The whole window now sits in `buffer` in arrival order: make it the suffix part. */
  private rebuild(): void {
    let mean = 0;
    let m2 = 0;
    for (let j = this.period - 1; j >= 0; j--) {
      const v = this.buffer[j] ?? 0;
      const delta = v - mean;
      mean += delta / (this.period - j);
      m2 += delta * (v - mean);
      this.suffixMean[j] = mean;
      this.suffixM2[j] = m2;
    }
    this.tailMean = 0;
    this.tailM2 = 0;
  }
}
