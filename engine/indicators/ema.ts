import { assertPeriod } from './assert-period.js';
import type { SeriesIndicator } from './series-indicator.js';

/**
 * Exponential moving average with k = 2 / (period + 1), seeded with the simple mean of the first
 * `period` values and updated as `(x - ema) * k + ema`, exactly as technicalindicators' `EMA`, so the
 * two agree to rounding. NaN until `period` values have been seen.
 */
export class Ema implements SeriesIndicator {
  private readonly k: number;
  private seedSum = 0;
  private count = 0;
  private current = Number.NaN;

  constructor(readonly period: number) {
    assertPeriod('Ema', period);
    this.k = 2 / (period + 1);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  update(x: number): number {
    if (this.count >= this.period) {
      this.current = (x - this.current) * this.k + this.current;
      return this.current;
    }
    this.seedSum += x;
    this.count++;
    if (this.count === this.period) this.current = this.seedSum / this.period;
    return this.current;
  }
}
