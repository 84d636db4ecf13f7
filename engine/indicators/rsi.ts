import { assertPeriod } from './assert-period.js';
import type { SeriesIndicator } from './series-indicator.js';

/**
 * Relative strength index with Wilder smoothing: the first average gain/loss is the mean of the first
 * `period` changes, then `avg = (avg * (period - 1) + change) / period` (the technicalindicators
 * formula, so values agree except for its rounding to 2 decimals). Needs `period + 1` values.
 *
 * Degenerate windows: zero average loss with some gain is 100 and zero gain with some loss is 0 (as
 * technicalindicators); a window with neither gain nor loss (flat prices) is 50, where
 * technicalindicators says 100. A flat market has no momentum either way, and 100 would read as
 * "overbought" and could trigger exhaustion exits on a halted or illiquid symbol.
 */
export class Rsi implements SeriesIndicator {
  private previous = Number.NaN;
  private changes = 0;
  private gainSum = 0;
  private lossSum = 0;
  private avgGain = Number.NaN;
  private avgLoss = Number.NaN;
  private current = Number.NaN;

  constructor(readonly period: number) {
    assertPeriod('Rsi', period);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.changes >= this.period;
  }

  update(x: number): number {
    const previous = this.previous;
    this.previous = x;
    if (Number.isNaN(previous)) return this.current;
    const change = x - previous;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    const p = this.period;
    this.changes++;
    if (this.changes < p) {
      this.gainSum += gain;
      this.lossSum += loss;
      return this.current;
    }
    if (this.changes === p) {
      this.avgGain = (this.gainSum + gain) / p;
      this.avgLoss = (this.lossSum + loss) / p;
    } else {
      this.avgGain = (this.avgGain * (p - 1) + gain) / p;
      this.avgLoss = (this.avgLoss * (p - 1) + loss) / p;
    }
    this.current = rsiOf(this.avgGain, this.avgLoss);
    return this.current;
  }
}

function rsiOf(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return avgGain === 0 ? 50 : 100;
  if (avgGain === 0) return 0;
  return 100 - 100 / (1 + avgGain / avgLoss);
}
