import { assertPeriod } from './assert-period.js';
import type { SeriesIndicator } from './series-indicator.js';

/**
 * Mean of the last `period` values (a ring buffer plus a running sum). The sum is recomputed from the
 * buffer each time the ring wraps, so rounding drift cannot accumulate over a long run; that keeps the
 * cost O(1) amortised. NaN until `period` values have been seen.
 */
export class RollingMean implements SeriesIndicator {
  private readonly buffer: Float64Array;
  private sum = 0;
  private count = 0;
  private index = 0;
  private current = Number.NaN;

  constructor(readonly period: number) {
    assertPeriod('RollingMean', period);
    this.buffer = new Float64Array(period);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  update(x: number): number {
    const p = this.period;
    if (this.count < p) {
      this.buffer[this.count] = x;
      this.sum += x;
      this.count++;
      if (this.count === p) this.current = this.sum / p;
      return this.current;
    }
    this.sum = this.sum - (this.buffer[this.index] ?? 0) + x;
    this.buffer[this.index] = x;
    this.index = this.index + 1 === p ? 0 : this.index + 1;
    if (this.index === 0) this.resync();
    this.current = this.sum / p;
    return this.current;
  }

  private resync(): void {
    let sum = 0;
    for (const v of this.buffer) sum += v;
    this.sum = sum;
  }
}
