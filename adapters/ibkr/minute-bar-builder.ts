import type { Bar } from '../../engine/messages/market.js';

const MINUTE_MS = 60_000;

/** A validated 5-second bar: `ts` is its start (epoch ms). */
export interface FiveSecondBar {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

interface Building {
  minute: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Builds one symbol's 1-minute bars from IBKR's 5-second real-time bars. A minute is complete when
 * its last 5-second bar (start at :55) arrives, or when a bar of a later minute arrives (a gap: the
 * minute is emitted with what it has). A bar older than the minute being built is ignored, so the
 * output is strictly increasing in time.
 */
export class MinuteBarBuilder {
  private building: Building | undefined;
  private lastEmitted = Number.NEGATIVE_INFINITY;

  constructor(private readonly symbol: string) {}

  /** Bars that never start before this time are emitted (set after warm-up history). */
  skipUntil(ts: number): void {
    this.lastEmitted = Math.max(this.lastEmitted, ts);
  }

  /** Add a 5-second bar; returns the minutes it completed, oldest first. */
  push(bar: FiveSecondBar): Bar[] {
    const minute = Math.floor(bar.ts / MINUTE_MS) * MINUTE_MS;
    const out: Bar[] = [];
    if (minute <= this.lastEmitted) return out;
    if (this.building && minute < this.building.minute) return out;
    if (this.building && minute > this.building.minute) {
      out.push(this.emit(this.building));
      this.building = undefined;
    }
    if (!this.building) {
      this.building = { minute, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
    } else {
      const b = this.building;
      b.high = Math.max(b.high, bar.high);
      b.low = Math.min(b.low, bar.low);
      b.close = bar.close;
      b.volume += bar.volume;
    }
    if (bar.ts - minute >= MINUTE_MS - 5_000) {
      out.push(this.emit(this.building));
      this.building = undefined;
    }
    return out;
  }

  /** Forget a partly built minute (its data was lost, e.g. after 1101). */
  reset(): void {
    this.building = undefined;
  }

  private emit(b: Building): Bar {
    this.lastEmitted = b.minute;
    return {
      kind: 'bar',
      symbol: this.symbol,
      ts: b.minute,
      timeframe: '1m',
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
    };
  }
}
