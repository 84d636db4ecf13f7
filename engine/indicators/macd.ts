import { assertPeriod } from './assert-period.js';
import { Ema } from './ema.js';
import type { SeriesIndicator } from './series-indicator.js';

/**
 * MACD on EMAs, matching technicalindicators' `MACD` with `SimpleMAOscillator: false` and
 * `SimpleMASignal: false`: the MACD line (fast EMA - slow EMA) exists from the `slow`-th value, the
 * signal line (EMA of the MACD line, SMA-seeded) from the `slow + signal - 1`-th, and the histogram
 * (MACD - signal) with it. `update` returns the MACD line; `ready` is true once all three exist.
 * `previousHistogram` is kept so callers can tell a rising histogram without their own state.
 */
export class Macd implements SeriesIndicator {
  private readonly fastEma: Ema;
  private readonly slowEma: Ema;
  private readonly signalEma: Ema;
  private line = Number.NaN;
  private hist = Number.NaN;
  private prevHist = Number.NaN;

  constructor(
    readonly fast: number,
    readonly slow: number,
    readonly signalPeriod: number,
  ) {
    assertPeriod('Macd fast', fast);
    assertPeriod('Macd slow', slow);
    assertPeriod('Macd signal', signalPeriod);
    this.fastEma = new Ema(fast);
    this.slowEma = new Ema(slow);
    this.signalEma = new Ema(signalPeriod);
  }

  /** The MACD line, NaN until `max(fast, slow)` values. */
  get value(): number {
    return this.line;
  }

  get macd(): number {
    return this.line;
  }

  /** NaN until the signal EMA has `signalPeriod` MACD values. */
  get signal(): number {
    return this.signalEma.value;
  }

  get histogram(): number {
    return this.hist;
  }

  /** The histogram one update earlier; NaN until two histograms exist. */
  get previousHistogram(): number {
    return this.prevHist;
  }

  get ready(): boolean {
    return this.signalEma.ready;
  }

  update(x: number): number {
    const fast = this.fastEma.update(x);
    const slow = this.slowEma.update(x);
    if (!this.fastEma.ready || !this.slowEma.ready) return this.line;
    this.line = fast - slow;
    const signal = this.signalEma.update(this.line);
    if (this.signalEma.ready) {
      this.prevHist = this.hist;
      this.hist = this.line - signal;
    }
    return this.line;
  }
}
