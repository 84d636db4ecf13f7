import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PivotLevels,
  type Pivot,
  type PivotLevelsOptions,
  type PriceLevel,
} from '../../../engine/strategies/level-based-levels.js';
import { AT_SUPPORT, valleySeries } from './level-based-fixtures.js';

const options = (over: Partial<PivotLevelsOptions> = {}): PivotLevelsOptions => ({
  lookback: 50,
  tolerance: 0.002,
  minTouches: 2,
  fixedLevels: [],
  fixedStrength: 1,
  ...over,
});

function fed(rows: readonly (readonly [number, number])[], over: Partial<PivotLevelsOptions> = {}): PivotLevels {
  const levels = new PivotLevels(options(over));
  for (const [high, low] of rows) levels.update(high, low);
  return levels;
}

const flat = (closes: readonly number[]): [number, number][] => closes.map((c) => [c, c]);

/** Levels under the 110 pivot highs of a valley series. */
const valleyLevels = (valleys: readonly number[], over: Partial<PivotLevelsOptions> = {}): PriceLevel[] =>
  fed(flat(valleySeries(valleys)), over)
    .levels()
    .filter((l) => l.price < 109);

describe('PivotLevels: pivots', () => {
  it('finds the pivots of AT_SUPPORT at their exact bars, each known two bars later', () => {
    const levels = new PivotLevels(options());
    const seen: number[] = [];
    for (const close of AT_SUPPORT) {
      levels.update(close, close);
      seen.push(levels.pivotCount);
    }
    expect(levels.pivots()).toEqual([
      { bar: 2, price: 100, kind: 'low' },
      { bar: 6, price: 105, kind: 'high' },
      { bar: 10, price: 100.1, kind: 'low' },
      { bar: 14, price: 105.1, kind: 'high' },
    ]);
    // Pivot counts after each bar: bar 2 is known at bar 4, bar 6 at bar 8, ...
    expect(seen).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]);
  });

  it.each([
    ['a plateau is no pivot (strictly greater)', [100, 101, 102, 102, 101, 100], []],
    ['a plateau low is no pivot', [102, 101, 100, 100, 101, 102], []],
    ['the first two bars are never pivots', [105, 104, 103, 104, 105], [{ bar: 2, price: 103, kind: 'low' }]],
    ['a peak needs two lower bars after it', [100, 101, 102, 101], []],
    ['a neighbour two bars away counts', [100, 102.5, 103, 102, 104], []],
  ] as const)('%s', (_name, closes, pivots) => {
    expect(fed(flat(closes)).pivots()).toEqual(pivots);
  });

  it('an outside bar is both a pivot high and a pivot low', () => {
    const rows: [number, number][] = [
      [101, 99.5],
      [101, 99.5],
      [103, 97],
      [101, 99.5],
      [101, 99.5],
    ];
    expect(fed(rows).pivots()).toEqual([
      { bar: 2, price: 103, kind: 'high' },
      { bar: 2, price: 97, kind: 'low' },
    ]);
  });

  it('pivots leave once their bar is out of the lookback', () => {
    const levels = new PivotLevels(options({ lookback: 20 }));
    for (const close of AT_SUPPORT) levels.update(close, close);
    const tail = [101, 102, 103, 104, 104.5, 104.8, 104.9];
    const counts: number[] = [];
    const supports: number[] = [];
    for (const close of tail) {
      levels.update(close, close);
      counts.push(levels.pivotCount);
      supports.push(levels.levels().filter((l) => l.price < 101).length);
    }
    // n = 21, 22: window starts at bar 1, 2 -> bar 2 counted; n = 23: window [3, 22] -> gone.
    // Bar 19 (100.08) becomes a pivot low at n = 22. Bar 6 leaves at n = 27.
    expect(levels.pivots().map((p) => p.bar)).toEqual([10, 14, 19]);
    expect(counts).toEqual([4, 5, 4, 4, 4, 4, 3]);
    expect(supports).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(levels.levels().map((l) => l.touches)).toEqual([2]);
  });
});

describe('PivotLevels: grouping', () => {
  it.each([
    ['within 0.2 % -> one level at the mean', [100, 100.19], [{ price: 100.095, touches: 2 }]],
    ['exactly 0.2 % apart -> grouped (the bound is inclusive)', [100, 100.2], [{ price: 100.1, touches: 2 }]],
    ['more than 0.2 % apart -> no level', [100, 100.21], []],
    ['the group is anchored at its lowest price (no chaining)', [100, 100.15, 100.3], [{ price: 100.075, touches: 2 }]],
    ['order of arrival does not matter', [100.3, 100.15, 100], [{ price: 100.075, touches: 2 }]],
    [
      'two separate groups',
      [100, 100.1, 102, 102.1],
      [
        { price: 100.05, touches: 2 },
        { price: 102.05, touches: 2 },
      ],
    ],
    ['equal prices group', [100, 100, 100], [{ price: 100, touches: 3 }]],
  ] as const)('%s', (_name, valleys, expected) => {
    const got = valleyLevels(valleys);
    expect(got).toHaveLength(expected.length);
    got.forEach((level, i) => {
      expect(level.price).toBeCloseTo(expected[i]?.price ?? Number.NaN, 10);
      expect(level.touches).toBe(expected[i]?.touches);
    });
  });

  it('a wider tolerance joins what 0.2 % keeps apart', () => {
    expect(valleyLevels([100, 100.4], { tolerance: 0.005 }).map((l) => l.touches)).toEqual([2]);
  });

  it.each([
    [1, [100, 101], [1, 1]],
    [2, [100, 101], []],
    [3, [100, 100.1], []],
    [3, [100, 100.1, 100.15], [3]],
  ] as const)('min touches %i over %o -> touches %o', (minTouches, valleys, touches) => {
    expect(valleyLevels(valleys, { minTouches }).map((l) => l.touches)).toEqual(touches);
  });

  it.each([
    [1, 0.2],
    [2, 0.4],
    [3, 0.6],
    [4, 0.8],
    [5, 1],
    [6, 1],
  ])('%i touches -> strength %d', (touches, strength) => {
    const got = valleyLevels(Array<number>(touches).fill(100), { minTouches: 1 });
    expect(got).toEqual([{ price: 100, touches, strength, fixed: false }]);
  });

  it('highs and lows feed the same levels', () => {
    // Pivot high 100.1 at bar 2 and pivot low 100 at bar 6.
    const got = fed(flat([99, 99.5, 100.1, 99.5, 100.05, 100.08, 100, 100.5, 101])).levels();
    expect(got).toHaveLength(1);
    expect(got[0]?.touches).toBe(2);
    expect(got[0]?.price).toBeCloseTo(100.05, 10);
  });

  it('fixed levels come first, with their strength and 0 touches, never merged', () => {
    const levels = fed(flat(valleySeries([100, 100.1])), { fixedLevels: [100.05, 90], fixedStrength: 0.7 });
    const got = levels.levels();
    expect(got.slice(0, 2)).toEqual([
      { price: 100.05, touches: 0, strength: 0.7, fixed: true },
      { price: 90, touches: 0, strength: 0.7, fixed: true },
    ]);
    expect(got.filter((l) => !l.fixed && l.price < 109).map((l) => l.touches)).toEqual([2]);
    expect(new PivotLevels(options({ fixedLevels: [90] })).count).toBe(1);
  });
});

describe('PivotLevels: nearest levels', () => {
  const levels = new PivotLevels(options({ fixedLevels: [100, 105, 100, 95], fixedStrength: 0.5 }));

  it.each([
    [102, 0, 1],
    [100, 0, 1],
    [99.99, 3, 0],
    [94, -1, 3],
    [106, 1, -1],
  ])('at %d: nearest at or below #%i, above #%i', (price, below, above) => {
    expect(levels.nearestAtOrBelow(price)).toBe(below);
    expect(levels.nearestAbove(price)).toBe(above);
  });

  it('prefers the stronger of two levels at the same price', () => {
    const computed = fed(flat(valleySeries([100, 100, 100, 100, 100])), { fixedLevels: [100], fixedStrength: 0.5 });
    const i = computed.nearestAtOrBelow(100.01);
    expect(computed.isFixed(i)).toBe(false);
    expect(computed.strengthAt(i)).toBe(1);
  });
});

describe('PivotLevels: bad options', () => {
  it.each([
    [{ lookback: 4 }, /lookback period must be a whole number >= 5/],
    [{ lookback: 20.5 }, /lookback/],
    [{ minTouches: 0 }, /minTouches/],
    [{ tolerance: -0.1 }, /tolerance/],
    [{ tolerance: Number.NaN }, /tolerance/],
    [{ fixedStrength: 2 }, /fixedStrength/],
    [{ fixedLevels: [0] }, /fixed levels must be finite prices > 0, got 0/],
    [{ fixedLevels: [Number.POSITIVE_INFINITY] }, /fixed levels/],
  ])('%o is refused', (over, message) => {
    expect(() => new PivotLevels(options(over))).toThrow(message);
  });
});

/** The reference: everything recomputed from the whole history, the obvious O(n^2) way. */
function reference(
  highs: readonly number[],
  lows: readonly number[],
  o: PivotLevelsOptions,
): { pivots: Pivot[]; levels: PriceLevel[] } {
  const n = highs.length;
  const at = (xs: readonly number[], i: number): number => xs[i] ?? Number.NaN;
  const pivots: Pivot[] = [];
  for (let i = Math.max(2, n - o.lookback); i <= n - 3; i++) {
    const others = [i - 2, i - 1, i + 1, i + 2];
    if (others.every((j) => at(highs, i) > at(highs, j))) pivots.push({ bar: i, price: at(highs, i), kind: 'high' });
    if (others.every((j) => at(lows, i) < at(lows, j))) pivots.push({ bar: i, price: at(lows, i), kind: 'low' });
  }
  const prices = pivots.map((p) => p.price).sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const price of prices) {
    const group = groups.at(-1);
    if (group !== undefined && price <= (group[0] ?? Number.NaN) * (1 + o.tolerance)) group.push(price);
    else groups.push([price]);
  }
  const levels: PriceLevel[] = o.fixedLevels.map((price) => ({
    price,
    touches: 0,
    strength: o.fixedStrength,
    fixed: true,
  }));
  for (const group of groups) {
    if (group.length < o.minTouches) continue;
    const sum = group.reduce((a, b) => a + b, 0);
    levels.push({
      price: sum / group.length,
      touches: group.length,
      strength: Math.min(1, group.length / 5),
      fixed: false,
    });
  }
  return { pivots, levels };
}

/** Prices on a 0.05 grid around 100, so pivots often repeat and group. */
const seriesArb = fc
  .array(fc.record({ mid: fc.integer({ min: -40, max: 40 }), range: fc.integer({ min: 0, max: 6 }) }), {
    minLength: 1,
    maxLength: 150,
    size: 'max',
  })
  .map((rows) => rows.map(({ mid, range }) => [100 + mid * 0.05 + range * 0.05, 100 + mid * 0.05] as const));

const optionsArb: fc.Arbitrary<PivotLevelsOptions> = fc.record({
  lookback: fc.integer({ min: 5, max: 40 }),
  tolerance: fc.constantFrom(0, 0.0005, 0.001, 0.002, 0.005, 0.02),
  minTouches: fc.integer({ min: 1, max: 4 }),
  fixedLevels: fc.array(
    fc.integer({ min: 9_800, max: 10_200 }).map((c) => c / 100),
    { maxLength: 3 },
  ),
  fixedStrength: fc.constantFrom(0, 0.5, 1),
});

describe('PivotLevels against a from-scratch reference', () => {
  it('has the same pivots, levels and nearest levels as recomputing everything after every bar', () => {
    fc.assert(
      fc.property(seriesArb, optionsArb, (rows, o) => {
        const kernel = new PivotLevels(o);
        const highs: number[] = [];
        const lows: number[] = [];
        for (const [high, low] of rows) {
          kernel.update(high, low);
          highs.push(high);
          lows.push(low);
          const want = reference(highs, lows, o);
          expect(kernel.pivots()).toEqual(want.pivots);
          expect(kernel.levels()).toEqual(want.levels);
          expect(kernel.count).toBe(want.levels.length);
          const close = (high + low) / 2;
          const below = want.levels.filter((l) => l.price <= close).map((l) => l.price);
          const above = want.levels.filter((l) => l.price > close).map((l) => l.price);
          const s = kernel.nearestAtOrBelow(close);
          const r = kernel.nearestAbove(close);
          expect(s === -1 ? undefined : kernel.priceAt(s)).toBe(below.length ? Math.max(...below) : undefined);
          expect(r === -1 ? undefined : kernel.priceAt(r)).toBe(above.length ? Math.min(...above) : undefined);
        }
      }),
      { numRuns: 300 },
    );
  });
});
