import { assertPeriod } from './assert-period.js';

/**
 * Average true range with Wilder smoothing, matching technicalindicators' `ATR`: the first bar only
 * supplies a previous close; true ranges start with the second bar; the first ATR is the mean of the
 * first `period` true ranges and later ones `atr + (tr - atr) / period`. Needs `period + 1` bars.
 */
export class Atr {
  private readonly alpha: number;
  private prevClose = Number.NaN;
  private ranges = 0;
  private seedSum = 0;
  private current = Number.NaN;

  constructor(readonly period: number) {
    assertPeriod('Atr', period);
    this.alpha = 1 / period;
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.ranges >= this.period;
  }

  update(high: number, low: number, close: number): number {
    const prevClose = this.prevClose;
    this.prevClose = close;
    if (Number.isNaN(prevClose)) return this.current;
    const tr = Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
    this.ranges++;
    if (this.ranges > this.period) {
      this.current = (tr - this.current) * this.alpha + this.current;
    } else {
      this.seedSum += tr;
      if (this.ranges === this.period) this.current = this.seedSum / this.period;
    }
    return this.current;
  }
}
