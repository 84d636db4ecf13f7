import { ATR, BollingerBands, EMA, MACD, ROC, RSI, SMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { Atr, Bollinger, Ema, Macd, RollingMean, Roc, Rsi, Sma } from '../../../engine/indicators/index.js';
import { randomWalkOhlcv } from './seeded-ohlcv.js';

const N = 3_000;
const data = randomWalkOhlcv(20240611, N);
const closes = data.close;

/** Element `i`, or a test failure if the fixture is shorter than expected. */
function at(values: readonly number[], i: number): number {
  const v = values[i];
  if (v === undefined) throw new Error(`no value at index ${i}`);
  return v;
}

/** Relative tolerance for values that should agree up to floating-point rounding. */
const REL = 1e-9;

function expectClose(actual: number, expected: number, tolerance: number, at: number): void {
  const diff = Math.abs(actual - expected);
  if (!(diff <= tolerance)) {
    throw new Error(`index ${at}: got ${actual}, reference ${expected} (diff ${diff} > ${tolerance})`);
  }
}

/** Runs an incremental indicator and checks warm-up NaNs and index-aligned values against a reference. */
function compareSeries(
  ours: readonly number[],
  reference: readonly number[],
  tolerance: (ref: number) => number,
): void {
  const offset = ours.length - reference.length;
  expect(offset).toBeGreaterThan(0);
  for (let i = 0; i < offset; i++) expect(ours[i], `warm-up index ${i}`).toBeNaN();
  reference.forEach((ref, j) => expectClose(ours[j + offset] ?? Number.NaN, ref, tolerance(ref), j + offset));
}

const relative = (ref: number): number => REL * Math.max(1, Math.abs(ref));

describe('incremental indicators against technicalindicators, value by value', () => {
  it.each([5, 14, 20, 50])('Sma(%i)', (period) => {
    const sma = new Sma(period);
    const ours = closes.map((c) => sma.update(c));
    const reference = SMA.calculate({ period, values: closes });
    expect(ours.length - reference.length).toBe(period - 1);
    compareSeries(ours, reference, relative);
    expect(sma.ready).toBe(true);
    expect(sma.value).toBe(ours.at(-1));
  });

  it.each([9, 12, 26])('Ema(%i), seeded with the SMA of the first period values', (period) => {
    const ema = new Ema(period);
    const ours = closes.map((c) => ema.update(c));
    const reference = EMA.calculate({ period, values: closes });
    expect(ours.length - reference.length).toBe(period - 1);
    expectClose(ours[period - 1] ?? Number.NaN, closes.slice(0, period).reduce((a, b) => a + b) / period, 1e-9, 0);
    compareSeries(ours, reference, relative);
  });

  it.each([7, 14, 21])('Rsi(%i) within the reference rounding of 2 decimals', (period) => {
    const rsi = new Rsi(period);
    const ours = closes.map((c) => rsi.update(c));
    const reference = RSI.calculate({ period, values: closes });
    expect(ours.length - reference.length).toBe(period);
    compareSeries(ours, reference, () => 0.005 + 1e-9);
    // Our values are not rounded: at least some differ from their 2-decimal rounding.
    expect(ours.slice(period).some((v) => Math.abs(v - Number(v.toFixed(2))) > 1e-6)).toBe(true);
    // The walk must actually visit the momentum zones, otherwise the comparison proves little.
    expect(ours.some((v) => v > 70)).toBe(true);
    expect(ours.some((v) => v < 30)).toBe(true);
  });

  it('Macd(12, 26, 9) matches MACD with EMA oscillator and EMA signal', () => {
    const macd = new Macd(12, 26, 9);
    const line: number[] = [];
    const signal: number[] = [];
    const hist: number[] = [];
    const prevHist: number[] = [];
    for (const c of closes) {
      expect(macd.update(c)).toBe(macd.macd);
      line.push(macd.macd);
      signal.push(macd.signal);
      hist.push(macd.histogram);
      prevHist.push(macd.previousHistogram);
    }
    const reference = MACD.calculate({
      values: closes,
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    const offset = N - reference.length;
    expect(offset).toBe(25);
    line.slice(0, offset).forEach((v) => expect(v).toBeNaN());
    reference.forEach((ref, j) => {
      const i = j + offset;
      expectClose(line[i] ?? Number.NaN, ref.MACD ?? Number.NaN, 1e-9, i);
      if (ref.signal === undefined) {
        expect(signal[i]).toBeNaN();
        expect(hist[i]).toBeNaN();
      } else {
        expectClose(signal[i] ?? Number.NaN, ref.signal, 1e-9, i);
        expectClose(hist[i] ?? Number.NaN, ref.histogram ?? Number.NaN, 1e-9, i);
      }
    });
    expect(reference.findIndex((r) => r.signal !== undefined) + offset).toBe(26 + 9 - 2);
    // previousHistogram is the histogram one update earlier.
    for (let i = 34; i < N; i++) expect(prevHist[i]).toBe(hist[i - 1]);
    expect(prevHist[33]).toBeNaN();
  });

  it('Macd is ready exactly when the signal line exists', () => {
    const macd = new Macd(3, 5, 2);
    const readiness = closes.slice(0, 8).map((c) => (macd.update(c), macd.ready));
    expect(readiness).toEqual([false, false, false, false, false, true, true, true]);
  });

  it.each([1, 10, 12])('Roc(%i) is the technicalindicators ROC as a fraction (theirs is percent)', (period) => {
    const roc = new Roc(period);
    const ours = closes.map((c) => roc.update(c));
    const reference = ROC.calculate({ period, values: closes });
    expect(ours.length - reference.length).toBe(period);
    compareSeries(
      ours.map((v) => v * 100),
      reference,
      () => 1e-9,
    );
    expect(ours[period]).toBeCloseTo((at(closes, period) - at(closes, 0)) / at(closes, 0), 15);
  });

  it.each([5, 14])('Atr(%i) with Wilder smoothing', (period) => {
    const atr = new Atr(period);
    const ours = closes.map((c, i) => atr.update(at(data.high, i), at(data.low, i), c));
    const reference = ATR.calculate({ period, high: data.high, low: data.low, close: closes });
    expect(ours.length - reference.length).toBe(period);
    compareSeries(ours, reference, relative);
    expect(atr.ready).toBe(true);
  });

  it.each([
    [20, 2],
    [10, 1.5],
  ])('Bollinger(%i, %f) bands and %%B', (period, stdDev) => {
    const bb = new Bollinger(period, stdDev);
    const rows = closes.map((c) => {
      bb.update(c);
      return { middle: bb.middle, upper: bb.upper, lower: bb.lower, pb: bb.pb };
    });
    const reference = BollingerBands.calculate({ period, stdDev, values: closes });
    const offset = N - reference.length;
    expect(offset).toBe(period - 1);
    rows.slice(0, offset).forEach((r) => expect(r.middle).toBeNaN());
    reference.forEach((ref, j) => {
      const i = j + offset;
      const row = rows[i];
      if (row === undefined) throw new Error(`no row at index ${i}`);
      expectClose(row.middle, ref.middle, 1e-9, i);
      expectClose(row.upper, ref.upper, 1e-9, i);
      expectClose(row.lower, ref.lower, 1e-9, i);
      expectClose(row.pb, ref.pb, 1e-6, i);
    });
  });

  it('RollingMean(20) of volumes equals the arithmetic mean of the last 20', () => {
    const mean = new RollingMean(20);
    data.volume.forEach((v, i) => {
      const got = mean.update(v);
      if (i < 19) expect(got).toBeNaN();
      else expectClose(got, data.volume.slice(i - 19, i + 1).reduce((a, b) => a + b) / 20, 1e-9, i);
    });
  });
});

describe('documented differences and edge cases', () => {
  it('Rsi: zero average loss is 100, like the reference', () => {
    const rising = Array.from({ length: 20 }, (_, i) => 100 + i);
    const rsi = new Rsi(14);
    const ours = rising.map((c) => rsi.update(c));
    expect(ours.slice(14)).toEqual(Array(6).fill(100));
    expect(RSI.calculate({ period: 14, values: rising })).toEqual(Array(6).fill(100));
  });

  it('Rsi: zero average gain is 0', () => {
    const rsi = new Rsi(3);
    [10, 9, 8, 7, 6].forEach((c) => rsi.update(c));
    expect(rsi.value).toBe(0);
  });

  it('Rsi: a flat window (no gain, no loss) is 50 where technicalindicators says 100', () => {
    const flat = Array(20).fill(42) as number[];
    const rsi = new Rsi(14);
    flat.forEach((c) => rsi.update(c));
    expect(rsi.value).toBe(50);
    expect(RSI.calculate({ period: 14, values: flat }).at(-1)).toBe(100);
  });

  it('Rsi needs period + 1 values', () => {
    const rsi = new Rsi(3);
    expect([1, 2, 3].map((c) => rsi.update(c)).every(Number.isNaN)).toBe(true);
    expect(rsi.ready).toBe(false);
    expect(rsi.update(4)).toBe(100);
    expect(rsi.ready).toBe(true);
  });

  it('Bollinger: collapsed bands give %B 0.5 instead of NaN', () => {
    const bb = new Bollinger(5, 2);
    for (let i = 0; i < 8; i++) bb.update(10);
    expect(bb.deviation).toBe(0);
    expect(bb.upper).toBe(10);
    expect(bb.pb).toBe(0.5);
  });

  it('Bollinger keeps its precision on a long series at a large price level', () => {
    const bb = new Bollinger(20, 2);
    const values = closes.map((c) => c + 1e6);
    values.forEach((v) => bb.update(v));
    const window = values.slice(-20);
    const mean = window.reduce((a, b) => a + b) / 20;
    const sd = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / 20);
    expectClose(bb.deviation, sd, 1e-6, values.length - 1);
  });

  it.each([
    () => new Sma(0),
    () => new Ema(1.5),
    () => new Rsi(-1),
    () => new Macd(12, Number.NaN, 9),
    () => new Roc(0),
    () => new Atr(0),
    () => new Bollinger(20, 0),
    () => new RollingMean(Number.POSITIVE_INFINITY),
  ])('rejects a bad period or width with a RangeError (%#)', (make) => {
    expect(make).toThrow(RangeError);
  });

  it('indicators are NaN and not ready before any input', () => {
    for (const ind of [new Sma(3), new Ema(3), new Rsi(3), new Macd(3, 5, 2), new Roc(3), new Bollinger(3, 2)]) {
      expect(ind.value).toBeNaN();
      expect(ind.ready).toBe(false);
    }
  });
});
