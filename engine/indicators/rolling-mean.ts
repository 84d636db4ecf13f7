import { assertPeriod } from './assert-period.js';
import { doubles } from './doubles.js';
import type { SeriesIndicator } from './series-indicator.js';

/**
 * Mean of the last `period` values, NaN until `period` values have been seen.
 *
 * The window is never updated by subtraction, so there is no running sum to drift or to cancel
 * catastrophically after a level change. It is kept as two parts (a two-stack sliding window): the
 * values left from the last time the ring buffer wrapped, whose suffix sums were computed once at that
 * wrap, and the values added since, summed as they come. Dropping the oldest value just moves to the
 * next suffix. Each wrap rebuilds the suffix sums in one O(period) pass, so updates are O(1)
 * amortised and allocate nothing. Every value reported is a plain sum of the window's values, accurate
 * to `period` roundings at most however long the run (for non-negative inputs such as volumes).
 */
export class RollingMean implements SeriesIndicator {
  private readonly buffer: number[];
  /** `suffix[j]` = sum of `buffer[j..period-1]` as of the last wrap; `suffix[period]` = 0. */
  private readonly suffix: number[];
  /** Sum of the values added since the last wrap (all values during warm-up). */
  private tail = 0;
  private count = 0;
  private index = 0;
  private current = Number.NaN;

  constructor(readonly period: number) {
    assertPeriod('RollingMean', period);
    this.buffer = doubles(period);
    this.suffix = doubles(period + 1);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  update(x: number): number {
    const p = this.period;
    this.buffer[this.index] = x;
    this.tail += x;
    this.index++;
    if (this.count < p) this.count++;
    if (this.index === p) {
      this.index = 0;
      this.current = this.tail / p;
      this.rebuild();
    } else if (this.count === p) {
      this.current = ((this.suffix[this.index] ?? 0) + this.tail) / p;
    }
    return this.current;
  }

  /** The whole window now sits in `buffer` in arrival order: make it the suffix part. */
  private rebuild(): void {
    let sum = 0;
    for (let j = this.period - 1; j >= 0; j--) {
      sum += this.buffer[j] ?? 0;
      this.suffix[j] = sum;
    }
    this.tail = 0;
  }
}
