import { mulberry32 } from '../../../adapters/paper/price-model.js';

/** The simulated market's PRNG, so test inputs are reproducible without Math.random. */
export { mulberry32 };

export interface Ohlcv {
  readonly open: number[];
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
  readonly volume: number[];
}

/** Half-open index range `[start, end)` of a scripted stretch inside {@link referenceOhlcv}. */
export interface Stretch {
  readonly start: number;
  readonly end: number;
}

/** Where the scripted stretches of {@link referenceOhlcv} sit, so tests can assert they were exercised. */
export interface ReferenceLayout {
  /** Strictly rising closes from the very first bar: RSI starts with a zero average loss. */
  readonly risingStart: Stretch;
  /** Identical OHLC and zero volume (a halt): flat windows for every indicator. */
  readonly flat: Stretch;
  /** Index of a bar opening 10 % above the previous close. */
  readonly gapUp: number;
  /** Index of a bar opening 12 % below the previous close. */
  readonly gapDown: number;
  /** Strictly falling closes. */
  readonly falling: Stretch;
  /** Strictly rising closes. */
  readonly rising: Stretch;
}

export const REFERENCE_LENGTH = 6_000;

/**
 * The shared input of the reference suite: {@link REFERENCE_LENGTH} bars of a positive seeded random walk
 * whose drift changes every 50 bars (so momentum indicators visit their extremes), with occasional small
 * opening gaps (so true range differs from high - low) and the scripted stretches of
 * {@link ReferenceLayout} spliced in. Deterministic: same seed, same bars.
 */
export function referenceOhlcv(seed = 20240611): Ohlcv & { readonly layout: ReferenceLayout } {
  const layout: ReferenceLayout = {
    risingStart: { start: 0, end: 40 },
    flat: { start: 1_500, end: 1_580 },
    gapUp: 2_500,
    gapDown: 3_500,
    falling: { start: 4_200, end: 4_240 },
    rising: { start: 4_800, end: 4_840 },
  };
  const rnd = mulberry32(seed);
  const out: Ohlcv = { open: [], high: [], low: [], close: [], volume: [] };
  const inside = (s: Stretch, i: number): boolean => i >= s.start && i < s.end;
  let price = 100;
  let drift = 0;
  for (let i = 0; i < REFERENCE_LENGTH; i++) {
    if (i % 50 === 0) drift = (rnd() - 0.5) * 0.004;
    let open: number;
    let close: number;
    let high: number;
    let low: number;
    let volume = Math.round(1_000 + rnd() * 9_000 * (rnd() < 0.1 ? 3 : 1));
    if (inside(layout.flat, i)) {
      open = close = high = low = price;
      volume = 0;
    } else if (inside(layout.risingStart, i) || inside(layout.rising, i) || inside(layout.falling, i)) {
      const step = 0.001 + rnd() * 0.004;
      open = price;
      close = inside(layout.falling, i) ? price * (1 - step) : price * (1 + step);
      high = Math.max(open, close);
      low = Math.min(open, close);
    } else {
      if (i === layout.gapUp) open = price * 1.1;
      else if (i === layout.gapDown) open = price * 0.88;
      else open = rnd() < 0.05 ? price * (1 + (rnd() - 0.5) * 0.02) : price;
      close = Math.max(1, open * (1 + drift + (rnd() - 0.5) * 0.01));
      high = Math.max(open, close) * (1 + rnd() * 0.003);
      low = Math.min(open, close) * (1 - rnd() * 0.003);
    }
    out.open.push(open);
    out.high.push(high);
    out.low.push(low);
    out.close.push(close);
    out.volume.push(volume);
    price = close;
  }
  return { ...out, layout };
}
