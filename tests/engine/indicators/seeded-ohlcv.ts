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

/**
 * A positive OHLCV random walk with trending stretches (so momentum indicators visit their extremes) and
 * occasional opening gaps (so true range differs from high - low).
 */
export function randomWalkOhlcv(seed: number, length: number, start = 100): Ohlcv {
  const rnd = mulberry32(seed);
  const out: Ohlcv = { open: [], high: [], low: [], close: [], volume: [] };
  let price = start;
  let drift = 0;
  for (let i = 0; i < length; i++) {
    if (i % 50 === 0) drift = (rnd() - 0.5) * 0.004;
    const open = rnd() < 0.05 ? price * (1 + (rnd() - 0.5) * 0.02) : price;
    const close = Math.max(1, open * (1 + drift + (rnd() - 0.5) * 0.01));
    const high = Math.max(open, close) * (1 + rnd() * 0.003);
    const low = Math.min(open, close) * (1 - rnd() * 0.003);
    out.open.push(open);
    out.high.push(high);
    out.low.push(low);
    out.close.push(close);
    out.volume.push(Math.round(1_000 + rnd() * 9_000 * (rnd() < 0.1 ? 3 : 1)));
    price = close;
  }
  return out;
}
