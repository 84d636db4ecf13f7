import { Subject } from 'rxjs';
import type { Bar } from '../../engine/messages/market.js';
import type { MarketDataPort } from '../../engine/ports/market-data.port.js';
import { EventTimeScheduler } from '../../engine/scheduler/event-time-scheduler.js';

/**
 * A market that plays bars a test scripts, minute by minute: all bars of one minute, then the
 * event-time scheduler advances to the minute's end (as the simulated market does).
 */
export class ScriptedMarket implements MarketDataPort {
  private readonly subject = new Subject<Bar>();
  private readonly last = new Map<string, number>();
  readonly bars$ = this.subject.asObservable();
  readonly scheduler: EventTimeScheduler;
  readonly subscribed = new Set<string>();

  constructor(startTs: number) {
    this.scheduler = new EventTimeScheduler(startTs);
  }

  subscribe(symbols: readonly string[]): void {
    for (const s of symbols) this.subscribed.add(s);
  }

  lastPrice(symbol: string): number | undefined {
    return this.last.get(symbol);
  }

  /** Emits one minute (bars sharing a ts) and advances the clock to its end. */
  playMinute(bars: readonly Bar[]): void {
    for (const b of bars) {
      this.last.set(b.symbol, b.close);
      this.subject.next(b);
    }
    const end = Math.max(...bars.map((b) => b.ts)) + 60_000;
    this.scheduler.advanceTo(end);
  }
}

/** 1-minute bars from a list of closes: open = previous close, high/low around them, constant volume. */
export const barsFromCloses = (symbol: string, startTs: number, closes: readonly number[], volume = 10_000): Bar[] =>
  closes.map((close, i) => {
    const open = i === 0 ? close : (closes[i - 1] as number);
    return {
      kind: 'bar',
      symbol,
      ts: startTs + i * 60_000,
      timeframe: '1m',
      open,
      high: Math.max(open, close) + 0.01,
      low: Math.min(open, close) - 0.01,
      close,
      volume,
    };
  });
