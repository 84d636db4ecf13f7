import { ATR, BollingerBands, EMA, MACD, ROC, RSI, SMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { Atr, Bollinger, Ema, Macd, RollingMean, Roc, Rsi, Sma } from '../../../engine/indicators/index.js';
import { REFERENCE_LENGTH, referenceOhlcv, type Stretch } from './seeded-ohlcv.js';

/*
 * The reference suite: every incremental indicator against technicalindicators 3.1's streaming API
 * (`nextValue`, one input at a time, `undefined` while warming up) over one long seeded series with a
 * flat stretch, opening gaps up and down and monotonic runs. At every index both sides must agree on
 * whether a value exists (so warm-up matches exactly), and where both exist, on the value: to 1e-9
 * relative unless a documented difference applies (see engine/indicators/index.ts).
 */

const data = referenceOhlcv();
const { close: closes, high: highs, low: lows, volume: volumes, layout } = data;
const N = REFERENCE_LENGTH;

/** Relative tolerance for values that should agree up to floating-point rounding. */
const REL = 1e-9;

/** Element `i`, or a test failure if the fixture is shorter than expected. */
function at(values: ArrayLike<number>, i: number): number {
  const v = values[i];
  if (v === undefined) throw new Error(`no value at index ${i}`);
  return v;
}

/** Both sides as dense arrays, NaN where a side has no value yet. */
interface Paired {
  readonly ours: number[];
  readonly reference: number[];
}

/** Feeds every index to both sides; `reference` returns undefined while the reference warms up. */
function pair(ours: (i: number) => number, reference: (i: number) => number | undefined): Paired {
  const out: Paired = { ours: [], reference: [] };
  for (let i = 0; i < N; i++) {
    out.ours.push(ours(i));
    out.reference.push(reference(i) ?? Number.NaN);
  }
  return out;
}

/** Both sides first have a value at `firstIndex` and have one at every index from there on. */
function expectWarmUp({ ours, reference }: Paired, firstIndex: number): void {
  expect(
    ours.findIndex((v) => !Number.isNaN(v)),
    'our first value',
  ).toBe(firstIndex);
  expect(
    reference.findIndex((v) => !Number.isNaN(v)),
    'reference first value',
  ).toBe(firstIndex);
  const gaps = ours.flatMap((v, i) =>
    i >= firstIndex && (Number.isNaN(v) || Number.isNaN(at(reference, i))) ? [i] : [],
  );
  expect(gaps, 'indexes after warm-up where a side has no value').toEqual([]);
}

/** Compares every index where both sides have a value; returns how many were compared. */
function expectAgree(
  { ours, reference }: Paired,
  tolerance: (reference: number, i: number) => number,
  label = 'value',
): number {
  const failures: string[] = [];
  let compared = 0;
  ours.forEach((o, i) => {
    const r = at(reference, i);
    if (Number.isNaN(o) || Number.isNaN(r)) return;
    compared++;
    const tol = tolerance(r, i);
    if (!(Math.abs(o - r) <= tol) && failures.length < 5) {
      failures.push(`${label} at ${i}: ours ${o}, reference ${r}, diff ${Math.abs(o - r)} > ${tol}`);
    }
  });
  expect(failures).toEqual([]);
  return compared;
}

const relative = (r: number): number => REL * Math.abs(r);

/** Whether the `period` inputs ending at `i` are all equal (a collapsed window). */
function flatWindow(values: readonly number[], i: number, period: number): boolean {
  if (i < period - 1) return false;
  for (let j = i - period + 1; j < i; j++) if (at(values, j) !== at(values, i)) return false;
  return true;
}

const indexesIn = (s: Stretch): number[] => Array.from({ length: s.end - s.start }, (_, k) => s.start + k);

describe('the reference series', () => {
  it('holds the scripted stretches it promises', () => {
    expect(N).toBeGreaterThanOrEqual(5_000);
    expect(closes).toHaveLength(N);
    const flat = indexesIn(layout.flat);
    expect(flat.every((i) => at(closes, i) === at(closes, layout.flat.start - 1))).toBe(true);
    expect(flat.every((i) => at(highs, i) === at(lows, i) && at(volumes, i) === 0)).toBe(true);
    expect(at(data.open, layout.gapUp) / at(closes, layout.gapUp - 1)).toBeCloseTo(1.1, 12);
    expect(at(data.open, layout.gapDown) / at(closes, layout.gapDown - 1)).toBeCloseTo(0.88, 12);
    const moves = (s: Stretch) => indexesIn(s).map((i) => Math.sign(at(closes, i) - at(closes, i - 1)));
    expect(moves({ start: 1, end: layout.risingStart.end }).every((m) => m === 1)).toBe(true);
    expect(moves(layout.rising).every((m) => m === 1)).toBe(true);
    expect(moves(layout.falling).every((m) => m === -1)).toBe(true);
    expect(closes.every((c) => c > 0 && Number.isFinite(c))).toBe(true);
  });
});

describe('incremental indicators against technicalindicators, index by index', () => {
  it.each([2, 5, 20, 50])('Sma(%i) matches SMA, first value at index period - 1', (period) => {
    const ours = new Sma(period);
    const ti = new SMA({ period, values: [] });
    const p = pair(
      (i) => ours.update(at(closes, i)),
      (i) => ti.nextValue(at(closes, i)),
    );
    expectWarmUp(p, period - 1);
    expect(expectAgree(p, relative)).toBe(N - period + 1);
    expect(ours.value).toBe(p.ours.at(-1));
  });

  it.each([5, 20])('RollingMean(%i) of volumes matches SMA, including the zero-volume halt', (period) => {
    const ours = new RollingMean(period);
    const ti = new SMA({ period, values: [] });
    const p = pair(
      (i) => ours.update(at(volumes, i)),
      (i) => ti.nextValue(at(volumes, i)),
    );
    expectWarmUp(p, period - 1);
    expect(expectAgree(p, relative)).toBe(N - period + 1);
    expect(p.ours[layout.flat.end - 1]).toBe(0);
  });

  it.each([2, 9, 12, 26])('Ema(%i) matches EMA, seeded with the SMA of the first period values', (period) => {
    const ours = new Ema(period);
    const ti = new EMA({ period, values: [] });
    const p = pair(
      (i) => ours.update(at(closes, i)),
      (i): number | undefined => ti.nextValue(at(closes, i)),
    );
    expectWarmUp(p, period - 1);
    expect(expectAgree(p, relative)).toBe(N - period + 1);
    const seed = closes.slice(0, period).reduce((a, b) => a + b) / period;
    expect(at(p.ours, period - 1)).toBeCloseTo(seed, 12);
    expect(at(p.reference, period - 1)).toBeCloseTo(seed, 12);
  });

  it.each([2, 7, 14, 21])('Rsi(%i) is RSI before its rounding to 2 decimals', (period) => {
    const ours = new Rsi(period);
    const ti = new RSI({ period, values: [] });
    const p = pair(
      (i) => ours.update(at(closes, i)),
      (i) => ti.nextValue(at(closes, i)),
    );
    expectWarmUp(p, period);
    // technicalindicators rounds to 2 decimals, so the values may differ by up to half a cent of RSI...
    expect(expectAgree(p, () => 0.005 + 1e-9)).toBe(N - period);
    // ...and more precisely the reference is our value rounded, except within rounding of a tie.
    const roundedDifferently = p.ours.filter((o, i) => {
      const r = at(p.reference, i);
      if (Number.isNaN(o) || Number(o.toFixed(2)) === r) return false;
      return Math.abs(Math.abs(o - r) - 0.005) > 1e-9;
    });
    expect(roundedDifferently).toEqual([]);
    expect(
      p.ours.some((v) => Math.abs(v - Number(v.toFixed(2))) > 1e-6),
      'ours is not rounded',
    ).toBe(true);
    // The series starts with a rising run: zero average loss, 100 on both sides.
    expect([at(p.ours, period), at(p.reference, period)]).toEqual([100, 100]);
    // Momentum zones and both monotonic runs are visited, otherwise the comparison proves little.
    expect(p.ours.some((v) => v > 70) && p.ours.some((v) => v < 30)).toBe(true);
    expect(at(p.ours, layout.falling.end - 1)).toBeLessThan(20);
    expect(at(p.ours, layout.rising.end - 1)).toBeGreaterThan(80);
  });

  it.each([
    [12, 26, 9],
    [5, 35, 5],
    [3, 10, 16],
  ])('Macd(%i, %i, %i) matches MACD with an EMA oscillator and an EMA signal', (fast, slow, signal) => {
    const ours = new Macd(fast, slow, signal);
    const ti = new MACD({
      values: [],
      fastPeriod: fast,
      slowPeriod: slow,
      signalPeriod: signal,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    const line: number[] = [];
    const sig: number[] = [];
    const hist: number[] = [];
    const prev: number[] = [];
    const ref = { line: [] as number[], signal: [] as number[], hist: [] as number[] };
    closes.forEach((c) => {
      expect(ours.update(c)).toBe(ours.macd);
      line.push(ours.macd);
      sig.push(ours.signal);
      hist.push(ours.histogram);
      prev.push(ours.previousHistogram);
      const r = ti.nextValue(c);
      ref.line.push(r?.MACD ?? Number.NaN);
      ref.signal.push(r?.signal ?? Number.NaN);
      ref.hist.push(r?.histogram ?? Number.NaN);
    });
    // A difference of two EMAs is only as precise as the EMAs: the tolerance scales with the price.
    const scaled = (r: number, i: number): number => REL * Math.max(Math.abs(r), at(closes, i));
    const linePair = { ours: line, reference: ref.line };
    const signalPair = { ours: sig, reference: ref.signal };
    const histPair = { ours: hist, reference: ref.hist };
    expectWarmUp(linePair, slow - 1);
    expectWarmUp(signalPair, slow + signal - 2);
    expectWarmUp(histPair, slow + signal - 2);
    expect(expectAgree(linePair, scaled, 'MACD')).toBe(N - slow + 1);
    expect(expectAgree(signalPair, scaled, 'signal')).toBe(N - slow - signal + 2);
    expect(expectAgree(histPair, scaled, 'histogram')).toBe(N - slow - signal + 2);
    // `ready` once all three exist; previousHistogram is the histogram one update earlier.
    expect(ours.ready).toBe(true);
    const firstHist = slow + signal - 2;
    expect(at(prev, firstHist)).toBeNaN();
    for (let i = firstHist + 1; i < N; i++) expect(prev[i]).toBe(hist[i - 1]);
  });

  it.each([1, 10, 12])('Roc(%i) is ROC divided by 100 (a fraction, not percent)', (period) => {
    const ours = new Roc(period);
    const ti = new ROC({ period, values: [] });
    const p = pair(
      (i) => ours.update(at(closes, i)),
      (i) => {
        const percent = ti.nextValue(at(closes, i));
        return percent === undefined ? undefined : percent / 100;
      },
    );
    expectWarmUp(p, period);
    expect(expectAgree(p, relative)).toBe(N - period);
    expect(at(p.ours, layout.gapUp)).toBeGreaterThan(0.05);
    expect(at(p.ours, layout.gapDown)).toBeLessThan(-0.05);
    expect(at(p.ours, layout.flat.end - 1)).toBe(0);
  });

  it.each([1, 5, 14])('Atr(%i) matches ATR (Wilder smoothing, true range from the second bar)', (period) => {
    const ours = new Atr(period);
    const ti = new ATR({ period, high: [], low: [], close: [] });
    const p = pair(
      (i) => ours.update(at(highs, i), at(lows, i), at(closes, i)),
      (i) => ti.nextValue({ high: at(highs, i), low: at(lows, i), close: at(closes, i) }),
    );
    expectWarmUp(p, period);
    expect(expectAgree(p, relative)).toBe(N - period);
    expect(ours.ready).toBe(true);
    // The gaps reach the ATR through the previous close, not through high - low.
    const gapRange = Math.abs(at(highs, layout.gapUp) - at(closes, layout.gapUp - 1));
    expect(gapRange).toBeGreaterThan(at(highs, layout.gapUp) - at(lows, layout.gapUp));
  });

  it.each([
    [20, 2],
    [10, 1.5],
    [5, 3],
  ])('Bollinger(%i, %f) bands and pb match BollingerBands', (period, stdDev) => {
    const ours = new Bollinger(period, stdDev);
    const ti = new BollingerBands({ period, stdDev, values: [] });
    const rows = closes.map((c) => {
      expect(ours.update(c)).toBe(ours.middle);
      const r = ti.nextValue(c);
      return {
        ours: { middle: ours.middle, upper: ours.upper, lower: ours.lower, pb: ours.pb, sd: ours.deviation },
        reference: r ?? { middle: Number.NaN, upper: Number.NaN, lower: Number.NaN, pb: Number.NaN },
      };
    });
    const column = (key: 'middle' | 'upper' | 'lower' | 'pb'): Paired => ({
      ours: rows.map((r) => r.ours[key]),
      reference: rows.map((r) => r.reference[key]),
    });
    for (const key of ['middle', 'upper', 'lower'] as const) {
      expectWarmUp(column(key), period - 1);
      expect(expectAgree(column(key), relative, key)).toBe(N - period + 1);
    }
    // %B: compared wherever the window is not collapsed; a collapsed window is a documented difference.
    const flat = new Set(closes.flatMap((_, i) => (flatWindow(closes, i, period) ? [i] : [])));
    expect(flat.size).toBe(layout.flat.end - layout.flat.start - period + 2);
    const pb = column('pb');
    const compared = expectAgree(
      { ours: pb.ours, reference: pb.reference.map((r, i) => (flat.has(i) ? Number.NaN : r)) },
      (r) => REL * Math.max(1, Math.abs(r)),
      'pb',
    );
    expect(compared).toBe(N - period + 1 - flat.size);
    for (const i of flat) {
      expect(rows[i]?.ours).toEqual({
        middle: at(closes, i),
        upper: at(closes, i),
        lower: at(closes, i),
        pb: 0.5,
        sd: 0,
      });
    }
  });
});

describe('documented differences from technicalindicators, case by case', () => {
  it('Rsi is not rounded: 66.666... where RSI reports 66.67', () => {
    const values = [5, 6, 7, 8, 7];
    const rsi = new Rsi(3);
    values.forEach((v) => rsi.update(v));
    // avg gain (1 + 1 + 0) / 3 = 2/3, avg loss 1/3 after one Wilder step: RS = 2.
    expect(rsi.value).toBeCloseTo(200 / 3, 12);
    expect(RSI.calculate({ period: 3, values })).toEqual([100, 66.67]);
  });

  it('Rsi: zero average loss is 100 and zero average gain is 0, as RSI', () => {
    const rising = Array.from({ length: 20 }, (_, i) => 100 + i);
    const falling = rising.map((v) => 300 - v);
    const run = (values: number[]) => {
      const rsi = new Rsi(14);
      return values.map((v) => rsi.update(v)).slice(14);
    };
    expect(run(rising)).toEqual(Array(6).fill(100));
    expect(RSI.calculate({ period: 14, values: rising })).toEqual(Array(6).fill(100));
    expect(run(falling)).toEqual(Array(6).fill(0));
    expect(RSI.calculate({ period: 14, values: falling })).toEqual(Array(6).fill(0));
  });

  it('Rsi: no gain and no loss (a flat start) is 50 where RSI says 100', () => {
    const flat = Array(20).fill(42) as number[];
    const rsi = new Rsi(14);
    expect(flat.map((v) => rsi.update(v)).slice(14)).toEqual(Array(6).fill(50));
    expect(RSI.calculate({ period: 14, values: flat })).toEqual(Array(6).fill(100));
    // The first move decides it: a rise is then 100 on both sides.
    expect(rsi.update(43)).toBe(100);
  });

  it('Rsi needs period + 1 values', () => {
    const rsi = new Rsi(3);
    expect([1, 2, 3].map((c) => rsi.update(c)).every(Number.isNaN)).toBe(true);
    expect(rsi.ready).toBe(false);
    expect(rsi.update(4)).toBe(100);
    expect(rsi.ready).toBe(true);
  });

  it('Ema seeds with the simple mean of the first period values, exactly as EMA', () => {
    const values = [10, 11, 15, 14, 20];
    const ema = new Ema(3);
    const ours = values.map((v) => ema.update(v));
    expect(ours.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(ours.slice(2)).toEqual([12, 13, 16.5]);
    expect(EMA.calculate({ period: 3, values })).toEqual([12, 13, 16.5]);
  });

  it('Macd is the EMA/EMA variant: MACD needs SimpleMAOscillator and SimpleMASignal false', () => {
    const input = { values: closes.slice(0, 300), fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 };
    const macd = new Macd(12, 26, 9);
    const ours = input.values.map((c) => (macd.update(c), macd.signal)).slice(25);
    const emaEma = MACD.calculate({ ...input, SimpleMAOscillator: false, SimpleMASignal: false });
    const smaSma = MACD.calculate({ ...input, SimpleMAOscillator: true, SimpleMASignal: true });
    const last = (rows: typeof emaEma) => rows.at(-1)?.signal ?? Number.NaN;
    expect(Math.abs(at(ours, ours.length - 1) - last(emaEma))).toBeLessThan(1e-12);
    expect(Math.abs(at(ours, ours.length - 1) - last(smaSma))).toBeGreaterThan(1e-3);
  });

  it('Macd: a signal of exactly 0 (a flat start) is 0 where MACD reports it as missing', () => {
    const values = [...(Array(12).fill(50) as number[]), 51, 53, 52];
    const macd = new Macd(3, 5, 2);
    const ours = values.map((v) => (macd.update(v), { signal: macd.signal, histogram: macd.histogram }));
    const ti = MACD.calculate({
      values,
      fastPeriod: 3,
      slowPeriod: 5,
      signalPeriod: 2,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    // Both seed the signal at index 5 with the mean of two zero MACD values.
    expect(ours[5]).toEqual({ signal: 0, histogram: 0 });
    expect(ti[1]).toEqual({ MACD: 0, signal: undefined, histogram: 0 });
    // Once the price moves, both report the same signal.
    expect(
      at(
        ours.map((o) => o.signal),
        14,
      ),
    ).toBeCloseTo(ti.at(-1)?.signal ?? Number.NaN, 12);
  });

  it('Roc is a fraction: 100 -> 102 is 0.02 where ROC says 2 (percent)', () => {
    const roc = new Roc(1);
    roc.update(100);
    expect(roc.update(102)).toBeCloseTo(0.02, 15);
    expect(ROC.calculate({ period: 1, values: [100, 102] })[0]).toBeCloseTo(2, 12);
  });

  it('Bollinger uses the population standard deviation (divisor period), as BollingerBands', () => {
    const bb = new Bollinger(4, 2);
    [1, 2, 3, 4].forEach((v) => bb.update(v));
    expect(bb.deviation).toBeCloseTo(Math.sqrt(1.25), 15); // the sample deviation would be sqrt(5 / 3)
    expect(bb.upper).toBeCloseTo(2.5 + 2 * Math.sqrt(1.25), 14);
    expect(BollingerBands.calculate({ period: 4, stdDev: 2, values: [1, 2, 3, 4] })[0]?.upper).toBeCloseTo(
      bb.upper,
      14,
    );
  });

  it('Bollinger: collapsed bands give %B 0.5 where BollingerBands gives NaN', () => {
    const bb = new Bollinger(5, 2);
    for (let i = 0; i < 8; i++) bb.update(10);
    expect([bb.middle, bb.deviation, bb.upper, bb.lower, bb.pb]).toEqual([10, 0, 10, 10, 0.5]);
    expect(BollingerBands.calculate({ period: 5, stdDev: 2, values: Array(8).fill(10) as number[] })[0]?.pb).toBeNaN();
  });

  it('Bollinger: a window turning flat after a volatile one has a deviation of exactly 0', () => {
    const bb = new Bollinger(7, 2);
    [3, 900, 1, 250, 77, 5000, 0.5, 7, 42, 42, 42, 42, 42, 42, 42].forEach((v) => bb.update(v));
    expect([bb.middle, bb.deviation, bb.pb]).toEqual([42, 0, 0.5]);
  });

  it('Atr: the first bar only supplies a previous close; the first ATR is the mean of period true ranges', () => {
    const high = [10, 12, 11.5, 15, 14];
    const low = [9, 10.5, 10, 13.5, 13];
    const close = [9.5, 11, 11, 14, 13.2];
    const atr = new Atr(3);
    const ours = close.map((c, i) => atr.update(at(high, i), at(low, i), c));
    // True ranges from bar 1: max(1.5, 2.5, 1) = 2.5, max(1.5, 0.5, 1) = 1.5, gap up max(1.5, 4, 2.5) = 4.
    expect(ours.slice(0, 3).every(Number.isNaN)).toBe(true);
    expect(at(ours, 3)).toBeCloseTo(8 / 3, 14);
    // Then Wilder: atr + (tr - atr) / period, with tr = max(1, 0, 1) = 1.
    expect(at(ours, 4)).toBeCloseTo(8 / 3 + (1 - 8 / 3) / 3, 14);
    const ti = ATR.calculate({ period: 3, high, low, close });
    expect(ti).toHaveLength(2);
    expect(at(ti, 0)).toBeCloseTo(at(ours, 3), 14);
    expect(at(ti, 1)).toBeCloseTo(at(ours, 4), 14);
  });
});

describe('construction and warm-up contract', () => {
  it.each([
    () => new Sma(0),
    () => new Ema(1.5),
    () => new Rsi(-1),
    () => new Macd(12, Number.NaN, 9),
    () => new Roc(0),
    () => new Atr(0),
    () => new Bollinger(20, 0),
    () => new Bollinger(20, Number.POSITIVE_INFINITY),
    () => new RollingMean(Number.POSITIVE_INFINITY),
  ])('rejects a bad period or width with a RangeError (%#)', (make) => {
    expect(make).toThrow(RangeError);
  });

  it('indicators are NaN and not ready before any input', () => {
    const all = [
      new Sma(3),
      new Ema(3),
      new Rsi(3),
      new Macd(3, 5, 2),
      new Roc(3),
      new Bollinger(3, 2),
      new RollingMean(3),
    ];
    for (const ind of all) {
      expect(ind.value).toBeNaN();
      expect(ind.ready).toBe(false);
    }
    const atr = new Atr(3);
    expect([atr.value, atr.ready]).toEqual([Number.NaN, false]);
    const bb = new Bollinger(3, 2);
    bb.update(1);
    expect([bb.middle, bb.deviation, bb.upper, bb.lower, bb.pb].every(Number.isNaN)).toBe(true);
  });
});
