import { DateTime } from 'luxon';
import type { Bar, Timeframe } from '../../../engine/messages/market.js';
import { TIMEFRAME_MS } from '../../../engine/messages/market.js';
import type { Signal } from '../../../engine/messages/signal.js';
import type { RangeBoundConfig } from '../../../engine/strategies/range-bound.config.js';
import { rangeBoundStrategy, type RangeBoundState } from '../../../engine/strategies/range-bound.strategy.js';
import type { StrategyContext } from '../../../engine/strategies/strategy.js';

export type Position = NonNullable<StrategyContext['position']>;

/**
 * NYSE facts the scenarios rely on (published NYSE holiday and early-close calendar for 2024, nyse.com
 * "Holidays & Trading Hours"): full closures 2024-03-29 (Good Friday), 2024-07-04, 2024-11-28
 * (Thanksgiving); 13:00 early closes 2024-07-03 and 2024-11-29. US DST 2024: clocks go forward on
 * 2024-03-10 and back on 2024-11-03, so the 09:30 open is 14:30 UTC before and 13:30 UTC after.
 */
export const NY_ZONE = 'America/New_York';

/** Epoch ms of a New York wall-clock time, e.g. `nyTs('2024-07-03', '12:55')`. */
export const nyTs = (date: string, time: string): number => {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone: NY_ZONE });
  if (!dt.isValid) throw new Error(`bad test time ${date} ${time}`);
  return dt.toMillis();
};

export interface BarInput {
  readonly close: number;
  readonly high?: number;
  readonly low?: number;
  readonly volume?: number;
  readonly timeframe?: Timeframe;
}

/** One bar opening at `ts`; high/low default to the close. */
export function barAt(ts: number, input: BarInput): Bar {
  return {
    kind: 'bar',
    symbol: 'AAPL',
    ts,
    timeframe: input.timeframe ?? '5m',
    open: input.close,
    high: input.high ?? input.close,
    low: input.low ?? input.close,
    close: input.close,
    volume: input.volume ?? 1_000,
  };
}

/** One bar opening at a New York wall-clock time. */
export const nyBar = (date: string, time: string, input: BarInput): Bar => barAt(nyTs(date, time), input);

/**
 * The bars of one regular session on `date` from 09:30 New York until `until` (exclusive, default
 * 16:00), every `timeframe`. Closes sit mid-range; the first bar reaches `high` and the last bar `low`,
 * every other bar stays strictly inside, so the session's high and low are exactly `high` and `low`.
 */
export function sessionBars(
  date: string,
  low: number,
  high: number,
  opts: { until?: string; timeframe?: Timeframe; volume?: number } = {},
): Bar[] {
  const timeframe = opts.timeframe ?? '5m';
  const step = TIMEFRAME_MS[timeframe];
  const start = nyTs(date, '09:30');
  const end = nyTs(date, opts.until ?? '16:00');
  const mid = (low + high) / 2;
  const inside = (high - low) / 4;
  const bars: Bar[] = [];
  for (let ts = start; ts < end; ts += step) {
    bars.push(
      barAt(ts, { close: mid, high: mid + inside, low: mid - inside, volume: opts.volume ?? 1_000, timeframe }),
    );
  }
  const first = bars[0];
  const last = bars.at(-1);
  if (first === undefined || last === undefined) throw new Error(`no session bars on ${date}`);
  bars[0] = { ...first, high };
  bars[bars.length - 1] = { ...last, low };
  return bars;
}

/** A parsed config with test overrides. */
export const rbConfig = (input: Record<string, unknown> = {}): RangeBoundConfig =>
  rangeBoundStrategy.configSchema.parse({ symbol: 'AAPL', ...input });

/** Folds `bars` into a fresh state. */
export function feed(bars: readonly Bar[], config: RangeBoundConfig): RangeBoundState {
  const state = rangeBoundStrategy.init(config);
  for (const bar of bars) rangeBoundStrategy.onBar(state, bar, config);
  return state;
}

export const TS = 1_720_000_000_000;

export const ctx = (
  opts: { position?: Position; sentiment?: number; explain?: boolean; ts?: number } = {},
): StrategyContext => ({
  strategyId: 'range_bound_AAPL',
  ts: opts.ts ?? TS,
  position: opts.position,
  sentiment: opts.sentiment,
  explain: opts.explain ?? true,
});

/** Evaluates with `explain: true`, which always yields a Signal. */
export function explain(
  state: RangeBoundState,
  config: RangeBoundConfig,
  opts: { position?: Position; sentiment?: number } = {},
): Signal {
  const signal = rangeBoundStrategy.evaluate(state, config, ctx({ ...opts, explain: true }));
  if (signal === undefined) throw new Error('evaluate with explain: true returned undefined');
  return signal;
}

export const long = (avgPrice: number, levels: Partial<Position> = {}): Position => ({
  quantity: 10,
  avgPrice,
  strategyId: 'range_bound_AAPL',
  stopLoss: null,
  takeProfit: null,
  ...levels,
});

export const short = (avgPrice: number, levels: Partial<Position> = {}): Position => ({
  ...long(avgPrice, levels),
  quantity: -10,
});
