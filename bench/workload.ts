import { nextTradingDay, sessionBounds, tradingDayAtOrAfter } from '../engine/calendar/nyse-calendar.js';
import type { Bar } from '../engine/messages/market.js';

const FIVE_MINUTES = 300_000;

/** mulberry32, bit for bit the generator of the Python peer (`../shared/peers/python-pipeline.py`). */
const rng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1) >>> 0;
    t = (t ^ ((t + (Math.imul(t ^ (t >>> 7), t | 61) >>> 0)) >>> 0)) >>> 0;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const gauss = (r: () => number): number => {
  let u = 0;
  while (u === 0) u = r();
  let v = 0;
  while (v === 0) v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
};

/**
 * Open times of `count` consecutive five-minute bars inside NYSE regular sessions from `startDate`
 * (78 a full day, fewer on early closes), skipping nights, weekends and holidays.
 */
export const sessionSlots = (startDate: string, count: number): Float64Array => {
  const out = new Float64Array(count);
  let day = tradingDayAtOrAfter(startDate);
  let n = 0;
  while (n < count) {
    const bounds = sessionBounds(day);
    if (bounds === undefined) throw new Error(`no session on trading day ${day}`);
    for (let ts = bounds.open; ts < bounds.close && n < count; ts += FIVE_MINUTES) out[n++] = ts;
    day = nextTradingDay(day);
  }
  return out;
};

/**
 * One symbol's seeded five-minute bar generator: the same price path as the Python peer's `make_bars`
 * (log-normal steps of 0.2 %, wicks of 0.1 %), plus the volume draw the peer discards.
 */
const symbolPath = (symbol: string, seed: number, start: number) => {
  const r = rng(seed);
  let prev = start;
  return (ts: number): Bar => {
    const open = prev;
    const close = open * Math.exp(0.002 * gauss(r));
    const high = Math.max(open, close) * (1 + Math.abs(gauss(r)) * 0.001);
    const low = Math.min(open, close) * (1 - Math.abs(gauss(r)) * 0.001);
    const volume = 1_000 + Math.floor(r() * 9_000);
    prev = close;
    return { kind: 'bar', symbol, ts, timeframe: '5m', open, high, low, close, volume };
  };
};

/** Ticker-like names: S0000 ... S0499. */
export const symbolName = (i: number): string => `S${String(i).padStart(4, '0')}`;

/**
 * The workload of research/performance.md: `symbols` x `barsPerSymbol` bars, seeds as the peer's.
 * `bars[t * symbols + s]` is symbol s at slot t: allocated in the order a feed delivers them (time,
 * then symbol), so the run reads memory in order, as it would read freshly received bars.
 */
export const workload = (symbols: number, barsPerSymbol: number, startDate = '2026-01-05') => {
  const slots = sessionSlots(startDate, barsPerSymbol);
  const paths = Array.from({ length: symbols }, (_, i) => symbolPath(symbolName(i), 1000 + i, 50 + (i % 200)));
  const bars: Bar[] = new Array<Bar>(symbols * barsPerSymbol);
  for (let t = 0; t < barsPerSymbol; t++)
    for (let s = 0; s < symbols; s++) bars[t * symbols + s] = (paths[s] as (ts: number) => Bar)(slots[t] as number);
  return { slots, bars };
};
