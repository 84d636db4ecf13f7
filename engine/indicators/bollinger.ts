import { assertPeriod } from './assert-period.js';
import type { SeriesIndicator } from './series-indicator.js';

/**
 * Bollinger bands: middle = mean of the last `period` values, bands at `stdDev` population standard
 * deviations (divisor `period`, as technicalindicators' `BollingerBands`). The window's mean and sum of
 * squared deviations slide in O(1) with a Welford-style replace update, which avoids the cancellation
 * of a naive sum of squares; both are recomputed exactly from the ring buffer whenever it wraps, so
 * error cannot build up (O(1) amortised). `update` returns the middle band.
 *
 * Difference from technicalindicators: when the bands collapse (all values equal) `pb` is 0.5, not the
 * NaN or +-Infinity of 0/0 and x/0.
 */
export class Bollinger implements SeriesIndicator {
  private readonly buffer: Float64Array;
  private count = 0;
  private index = 0;
  private mean = 0;
  private m2 = 0;
  private last = Number.NaN;

  constructor(
    readonly period: number,
    readonly stdDev: number,
  ) {
    assertPeriod('Bollinger', period);
    if (!Number.isFinite(stdDev) || stdDev <= 0) {
      throw new RangeError(`Bollinger stdDev must be a positive number, got ${stdDev}`);
    }
    this.buffer = new Float64Array(period);
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  get value(): number {
    return this.middle;
  }

  get middle(): number {
    return this.ready ? this.mean : Number.NaN;
  }

  /** Population standard deviation of the window. */
  get deviation(): number {
    return this.ready ? Math.sqrt(this.m2 / this.period) : Number.NaN;
  }

  get upper(): number {
    return this.middle + this.stdDev * this.deviation;
  }

  get lower(): number {
    return this.middle - this.stdDev * this.deviation;
  }

  /** %B: where the last value sits between the bands (0 = lower, 1 = upper). */
  get pb(): number {
    const width = this.upper - this.lower;
    if (width === 0) return 0.5;
    return (this.last - this.lower) / width;
  }

  update(x: number): number {
    this.last = x;
    if (this.count < this.period) {
      this.buffer[this.count] = x;
      this.count++;
      const delta = x - this.mean;
      this.mean += delta / this.count;
      this.m2 += delta * (x - this.mean);
      if (this.count === this.period) this.resync();
      return this.middle;
    }
    this.replace(this.buffer[this.index] ?? 0, x);
    this.buffer[this.index] = x;
    this.index = this.index + 1 === this.period ? 0 : this.index + 1;
    if (this.index === 0) this.resync();
    return this.mean;
  }

  private replace(old: number, x: number): void {
    const oldMean = this.mean;
    this.mean = oldMean + (x - old) / this.period;
    this.m2 += (x - old) * (x - this.mean + old - oldMean);
    if (this.m2 < 0) this.m2 = 0;
  }

  private resync(): void {
    let sum = 0;
    for (const v of this.buffer) sum += v;
    const mean = sum / this.period;
    let m2 = 0;
    for (const v of this.buffer) m2 += (v - mean) * (v - mean);
    this.mean = mean;
    this.m2 = m2;
  }
}
