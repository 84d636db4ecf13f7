import { assertPeriod } from './assert-period.js';
import { doubles } from './doubles.js';
import type { SeriesIndicator } from './series-indicator.js';

/**
 * Rate of change over `period` values as a fraction: `(x - x[t - period]) / x[t - period]`, so 2 % is
 * 0.02. technicalindicators' `ROC` gives the same number times 100 (percent). Needs `period + 1`
 * values; inputs are prices, which the Bar contract keeps positive, so the divisor is never 0.
 */
export class Roc implements SeriesIndicator {
  private readonly buffer: number[];
  private count = 0;
  private index = 0;
  private current = Number.NaN;

  constructor(readonly period: number) {
    assertPeriod('Roc', period);
    this.buffer = doubles(period);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count > this.period;
  }

  update(x: number): number {
    const past = this.buffer[this.index] ?? Number.NaN;
    if (this.count >= this.period) this.current = (x - past) / past;
    this.buffer[this.index] = x;
    this.index = this.index + 1 === this.period ? 0 : this.index + 1;
    this.count++;
    return this.current;
  }
}
