import type { Bar, Timeframe } from '../../../engine/messages/market.js';
import { TIMEFRAME_MS } from '../../../engine/messages/market.js';

/** Bars with the given closes (open = high = low = close), evenly spaced from a session open. */
export function barsFromCloses(
  closes: readonly number[],
  opts: { volumes?: readonly number[]; timeframe?: Timeframe; symbol?: string; startTs?: number } = {},
): Bar[] {
  const timeframe = opts.timeframe ?? '5m';
  const start = opts.startTs ?? Date.UTC(2024, 5, 3, 13, 30);
  return closes.map((close, i) => ({
    kind: 'bar',
    symbol: opts.symbol ?? 'AAPL',
    ts: start + i * TIMEFRAME_MS[timeframe],
    timeframe,
    open: close,
    high: close,
    low: close,
    close,
    volume: opts.volumes?.[i] ?? 1_000,
  }));
}

/** `n` closes alternating `price -/+ amp`: no trend, no momentum. */
export const zigzag = (n: number, price: number, amp: number): number[] =>
  Array.from({ length: n }, (_, i) => price + (i % 2 ? amp : -amp));

/** `n` closes walking from `start` by repeating `steps`. */
export function walk(start: number, steps: readonly number[], n: number): number[] {
  const out: number[] = [];
  let price = start;
  for (let i = 0; i < n; i++) {
    price += steps[i % steps.length] ?? 0;
    out.push(price);
  }
  return out;
}

/** 30 quiet bars, then an uptrend with pullbacks: a BUY setup from bar 35 on (RSI ~70, MACD rising, ROC > 2 %). */
export const UPTREND = [...zigzag(30, 100, 0.2), ...walk(100, [1, 1, -0.5], 12)];
/** The mirror of UPTREND: a SELL setup from bar 35 on. */
export const DOWNTREND = [...zigzag(30, 100, 0.2), ...walk(100, [-1, -1, 0.5], 12)];
/** A rally to RSI ~86, then flat closes: RSI stays put while MACD falls under its signal (exhaustion at bars 59-69;
 * from bar 70 the histogram rises again while MACD stays under its signal and RSI over 80). */
export const RALLY_THEN_FLAT = ((): number[] => {
  const rally = walk(100, [1, 1, 1, -0.3], 24);
  return [...zigzag(30, 100, 0.2), ...rally, ...Array<number>(20).fill(rally.at(-1) ?? 0)];
})();
/** The mirror of RALLY_THEN_FLAT: short exhaustion at bars 59-69 (RSI ~14), none from bar 70. */
export const SLIDE_THEN_FLAT = ((): number[] => {
  const slide = walk(100, [-1, -1, -1, 0.3], 24);
  return [...zigzag(30, 100, 0.2), ...slide, ...Array<number>(20).fill(slide.at(-1) ?? 0)];
})();
/** Sideways chop: never a setup. */
export const CHOP = zigzag(60, 100, 0.3);
/** Flat, then strictly rising closes: no loss ever, so the average loss is zero and RSI is 100. */
export const STRAIGHT_UP = [...Array<number>(30).fill(100), ...walk(100, [0.5], 15)];
