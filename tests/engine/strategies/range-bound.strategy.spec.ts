import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../engine/messages/market.js';
import {
  rangeBoundStrategy,
  rangeBoundWarmupBars,
  type RangeBoundState,
} from '../../../engine/strategies/range-bound.strategy.js';
import type { RangeBoundConfig } from '../../../engine/strategies/range-bound.config.js';
import {
  ctx,
  explain,
  feed,
  long,
  nyBar,
  rbConfig,
  sessionBars,
  short,
  TS,
  type Position,
} from './range-bound-fixtures.js';

/** Monday 2024-06-03: a full session with PDL 100 and PDH 110 for Tuesday 2024-06-04 (78 bars of volume 1,000). */
const MONDAY = sessionBars('2024-06-03', 100, 110);
const TUESDAY = '2024-06-04';

/** Monday's session, then Tuesday's bars at 09:30, 09:35, ... with these closes and volumes. */
function tuesday(closes: readonly number[], volumes: readonly number[] = []): Bar[] {
  const bars = closes.map((close, i) => {
    const minutes = 30 + 5 * i;
    const time = `${String(9 + Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    return nyBar(TUESDAY, time, { close, volume: volumes[i] ?? 1_000 });
  });
  return [...MONDAY, ...bars];
}

function decide(
  closes: readonly number[],
  volumes: readonly number[],
  config: RangeBoundConfig = rbConfig(),
  opts: { position?: Position; sentiment?: number } = {},
) {
  return explain(feed(tuesday(closes, volumes), config), config, opts);
}

describe('range_bound: entries when flat', () => {
  it.each([
    ['at PDL, volume confirmed', [100.05], [2_000], {}, 'BUY', 'enter', 'close 100.05 within 0.050 % of PDL 100.00'],
    ['at PDL, volume not confirmed', [100.05], [500], {}, 'HOLD', 'none', 'volume_not_confirmed'],
    ['at PDL, no volume confirmation asked', [100.05], [500], { volume_confirmation: false }, 'BUY', 'enter', 'close'],
    ['just under PDL, inside the band', [99.91], [2_000], {}, 'BUY', 'enter', 'close 99.91 within 0.090 % of PDL'],
    ['under PDL, outside the band', [99.89], [2_000], {}, 'HOLD', 'none', 'not_near_level'],
    ['mid-range', [105], [2_000], {}, 'HOLD', 'none', 'not_near_level'],
    [
      'wider band reaches the close',
      [100.4],
      [2_000],
      { proximity: 0.005, stop_loss_pct: 0.01 },
      'BUY',
      'enter',
      'close 100.40 within 0.40 %',
    ],
    ['at PDH, shorts not allowed', [109.95], [2_000], {}, 'HOLD', 'none', 'short_not_allowed'],
    ['at PDH, shorts allowed', [109.95], [2_000], { allow_short: true }, 'SELL', 'enter', 'close 109.95 within'],
    [
      'at PDH, shorts allowed, volume weak',
      [109.95],
      [500],
      { allow_short: true },
      'HOLD',
      'none',
      'volume_not_confirmed',
    ],
  ] as const)('%s', (_name, closes, volumes, cfgInput, side, action, reason) => {
    const signal = decide(closes, volumes, rbConfig(cfgInput));
    expect(signal.side).toBe(side);
    expect(signal.action).toBe(action);
    expect(signal.reason.startsWith(reason)).toBe(true);
    expect(signal.exitReason).toBeUndefined();
    if (action === 'none') expect(signal.confidence).toBe(0);
  });

  it('a BUY entry carries the PDL stop, the PDH target, indicators and a readable reason', () => {
    const signal = decide([100.05], [2_000]);
    expect(signal).toMatchObject({
      kind: 'signal.generated',
      ts: TS,
      strategyId: 'range_bound_AAPL',
      strategyType: 'range_bound',
      symbol: 'AAPL',
      timeframe: '5m',
      side: 'BUY',
      action: 'enter',
      price: 100.05,
      entry: 100.05,
      stopLoss: 100 * (1 - 0.005),
      takeProfit: 110,
      confidence: 1,
    });
    expect(signal.reason).toBe('close 100.05 within 0.050 % of PDL 100.00 (2024-06-03); volume 1.90x its 20-bar mean');
    expect(signal.indicators).toMatchObject({ pdh: 110, pdl: 100, level_strength: 0.9, volume_confirmed: 1 });
    expect(signal.indicators['volume_mean']).toBe(1_050);
    expect(signal.indicators['volume_ratio']).toBeCloseTo(2_000 / 1_050, 12);
    expect(signal.indicators['distance']).toBeCloseTo(0.0005, 12);
    expect(signal.indicators['distance_pdl']).toBeCloseTo(0.0005, 12);
    expect(signal.indicators['distance_pdh']).toBeCloseTo(9.95 / 110, 12);
    expect(signal.indicators['range_pct']).toBeCloseTo(0.1, 12);
  });

  it('a SELL entry mirrors the levels: stop above PDH, target PDL', () => {
    const signal = decide([109.95], [2_000], rbConfig({ allow_short: true, stop_loss_pct: 0.01 }));
    expect(signal.stopLoss).toBe(110 * 1.01);
    expect(signal.takeProfit).toBe(100);
    expect(signal.reason).toBe('close 109.95 within 0.045 % of PDH 110.00 (2024-06-03); volume 1.90x its 20-bar mean');
  });

  it('a zero volume never confirms, even when the whole mean is zero', () => {
    const silent = [
      ...sessionBars('2024-06-03', 100, 110, { volume: 0 }),
      nyBar(TUESDAY, '09:30', { close: 100, volume: 0 }),
    ];
    const cfg = rbConfig();
    expect(explain(feed(silent, cfg), cfg)).toMatchObject({ reason: 'volume_not_confirmed' });
    expect(explain(feed(silent, cfg), cfg).indicators).toMatchObject({
      volume_mean: 0,
      volume_ratio: 0,
      volume_confirmed: 0,
    });
  });

  it('a refused short is HOLD short_not_allowed with the refused short levels', () => {
    const signal = decide([109.95], [2_000]);
    expect(signal.stopLoss).toBe(110 * 1.005);
    expect(signal.takeProfit).toBe(100);
  });

  it('other flat HOLDs carry the would-be long levels', () => {
    const signal = decide([105], [1_000]);
    expect(signal.stopLoss).toBe(100 * 0.995);
    expect(signal.takeProfit).toBe(110);
    expect(signal.indicators['distance']).toBeCloseTo(5 / 110, 12);
  });

  it('a range too narrow to reach a target is refused both ways', () => {
    const narrow = sessionBars('2024-06-03', 100, 100.15);
    const at = (close: number) => nyBar(TUESDAY, '09:30', { close, volume: 2_000 });
    const cfg = rbConfig({ allow_short: true });
    expect(explain(feed([...narrow, at(100.02)], cfg), cfg).reason).toBe('range_too_narrow');
    expect(explain(feed([...narrow, at(100.14)], cfg), cfg).reason).toBe('range_too_narrow');
    // a range just wide enough: the target lies above the close
    const wider = sessionBars('2024-06-03', 100, 100.3);
    expect(explain(feed([...wider, at(100.02)], cfg), cfg).side).toBe('BUY');
  });

  it('the nearer level decides the side when both are in the band', () => {
    const tight = sessionBars('2024-06-03', 100, 100.1);
    const cfg = rbConfig({ allow_short: true, proximity: 0.01, stop_loss_pct: 0.02, target_tolerance: 0 });
    const state = feed([...tight, nyBar(TUESDAY, '09:30', { close: 100.09, volume: 2_000 })], cfg);
    const signal = explain(state, cfg);
    expect(signal.side).toBe('SELL');
    expect(signal.takeProfit).toBe(100);
  });
});

describe('range_bound: confidence', () => {
  const noVolume = rbConfig({ volume_confirmation: false });
  it.each([
    // 0.5 + 0.3 (1 - d / p) + 0.2 volume + 0.2 x 0.9 + 0.05 sentiment, clamped to 0..1
    ['d = 0.8 p, no volume, no sentiment', [100.08], [500], noVolume, undefined, 0.5 + 0.3 * 0.2 + 0.18],
    ['d = 0.8 p, no volume, bullish sentiment', [100.08], [500], noVolume, 0.5, 0.5 + 0.3 * 0.2 + 0.18 + 0.05],
    ['sentiment exactly 0.2 does not count', [100.08], [500], noVolume, 0.2, 0.5 + 0.3 * 0.2 + 0.18],
    ['bearish sentiment does not help a BUY', [100.08], [500], noVolume, -0.9, 0.5 + 0.3 * 0.2 + 0.18],
    ['d = 0.8 p with volume counts 0.2 even when not required', [100.08], [2_000], noVolume, undefined, 0.94],
    ['d = 0.5 p, no volume', [100.05], [500], noVolume, undefined, 0.5 + 0.3 * 0.5 + 0.18],
    ['at the level with volume: clamped to 1', [100], [2_000], rbConfig(), 0.9, 1],
  ] as const)('%s', (_name, closes, volumes, cfg, sentiment, expected) => {
    const signal = decide(closes, volumes, cfg, sentiment === undefined ? {} : { sentiment });
    expect(signal.action).toBe('enter');
    expect(signal.confidence).toBeCloseTo(expected, 10);
  });

  it('bearish sentiment (< -0.2) adds 0.05 to a SELL, bullish does not', () => {
    const cfg = rbConfig({ allow_short: true, volume_confirmation: false });
    const base = 0.5 + 0.3 * (1 - 0.02 / 110 / 0.001) + 0.18;
    expect(decide([109.98], [500], cfg, { sentiment: -0.3 }).confidence).toBeCloseTo(base + 0.05, 10);
    expect(decide([109.98], [500], cfg, { sentiment: 0.9 }).confidence).toBeCloseTo(base, 10);
  });
});

describe('range_bound: exits of a held position', () => {
  it.each([
    ['long at the PDL stop', [99.5], long(100.05), 'SELL', 'stop', 'stop: close 99.50 <= stop 99.50'],
    [
      'long under its own stop',
      [99.8],
      long(100.05, { stopLoss: 99.9 }),
      'SELL',
      'stop',
      'stop: close 99.80 <= stop 99.90',
    ],
    [
      'long within 0.2 % of PDH',
      [109.8],
      long(100.05),
      'SELL',
      'target',
      'target: close 109.80 within 0.20 % of PDH 110.00',
    ],
    ['long above PDH', [111], long(100.05), 'SELL', 'target', 'target: close 111.00'],
    [
      'long, stop before target',
      [109.9],
      long(100, { stopLoss: 200 }),
      'SELL',
      'stop',
      'stop: close 109.90 <= stop 200.00',
    ],
    ['short over the PDH stop', [110.6], short(109.95), 'BUY', 'stop', 'stop: close 110.60 >= stop 110.55'],
    [
      'short within 0.2 % of PDL',
      [100.15],
      short(109.95),
      'BUY',
      'target',
      'target: close 100.15 within 0.20 % of PDL',
    ],
  ] as const)('%s', (_name, closes, position, side, exitReason, reason) => {
    const signal = decide(closes, [1_000], rbConfig(), { position });
    expect(signal.side).toBe(side);
    expect(signal.action).toBe('exit');
    expect(signal.exitReason).toBe(exitReason);
    expect(signal.confidence).toBe(1);
    expect(signal.reason.startsWith(reason)).toBe(true);
  });

  it.each([
    ['long above the stop, under the target zone', [109.7], long(100.05)],
    ['long next to PDL but above the stop', [99.51], long(100.05)],
    ['long at PDL again: no second entry', [100], long(100.05)],
    ['short between the levels', [105], short(109.95)],
  ] as const)('HOLD holding: %s', (_name, closes, position) => {
    const signal = decide(closes, [2_000], rbConfig(), { position });
    expect(signal).toMatchObject({ side: 'HOLD', action: 'none', reason: 'holding', confidence: 0 });
  });

  it('exits and holding carry the position stop and the PDH target', () => {
    const held = decide([105], [1_000], rbConfig(), { position: long(100.05) });
    expect(held.stopLoss).toBe(100 * 0.995);
    expect(held.takeProfit).toBe(110);
    const own = decide([105], [1_000], rbConfig(), { position: long(100.05, { stopLoss: 98, takeProfit: 120 }) });
    expect(own.stopLoss).toBe(98);
    expect(own.takeProfit).toBe(110);
  });

  it('without levels a long still exits at stop_loss_pct below its average price, and only then', () => {
    const cfg = rbConfig();
    const firstDay = [...MONDAY, nyBar('2024-06-03', '16:00', { close: 99.4 })];
    const stop = explain(feed(firstDay, cfg), cfg, { position: long(100) });
    expect(stop).toMatchObject({ side: 'SELL', action: 'exit', exitReason: 'stop', stopLoss: 100 * 0.995 });
    expect(stop.takeProfit).toBe(99.4);
    const above = [...MONDAY, nyBar('2024-06-03', '16:00', { close: 99.6 })];
    expect(explain(feed(above, cfg), cfg, { position: long(100) }).reason).toBe('levels_not_found');
    expect(explain(feed(firstDay, cfg), cfg, { position: short(99) }).reason).toBe('levels_not_found');
    const shortStop = explain(feed([...MONDAY, nyBar('2024-06-03', '16:00', { close: 99.6 })], cfg), cfg, {
      position: short(99, { takeProfit: 90 }),
    });
    expect(shortStop).toMatchObject({ side: 'BUY', exitReason: 'stop', stopLoss: 99 * 1.005, takeProfit: 90 });
  });

  it('a position of quantity 0 counts as flat', () => {
    const signal = decide([100.05], [2_000], rbConfig(), { position: { ...long(100), quantity: 0 } });
    expect(signal.action).toBe('enter');
  });
});

describe('range_bound: warm-up and missing levels', () => {
  it.each([
    [{}, 20],
    [{ volume_period: 50 }, 50],
    [{ volume_confirmation: false }, 1],
    [{ volume_confirmation: false, volume_period: 50 }, 1],
  ])('warm-up bars for %o is %i', (input, bars) => {
    expect(rangeBoundStrategy.warmupBars(rbConfig(input))).toBe(bars);
    expect(rangeBoundWarmupBars(rbConfig(input))).toBe(bars);
  });

  it('HOLDs warming_up until volume_period bars, then signals on the very bar that completes it', () => {
    const cfg = rbConfig({ volume_period: 100 });
    // 78 Monday bars + 21 Tuesday bars = 99; the 100th is at PDL with high volume
    const closes = [...Array<number>(21).fill(105), 100];
    const volumes = [...Array<number>(21).fill(1_000), 5_000];
    const bars = tuesday(closes, volumes);
    expect(bars).toHaveLength(100);
    // not even a stop exit during warm-up (the position's stop is far above the close)
    const before = explain(feed(bars.slice(0, 99), cfg), cfg, { position: long(100, { stopLoss: 200 }) });
    expect(before).toMatchObject({ side: 'HOLD', reason: 'warming_up', stopLoss: 0, takeProfit: 0 });
    expect(before.indicators).toMatchObject({ bars: 99, warmup_bars: 100, pdh: 110, pdl: 100 });
    expect(before.indicators['volume_mean']).toBeUndefined();
    const atPdl = feed(bars, cfg);
    expect(atPdl.bars).toBe(100);
    expect(explain(atPdl, cfg).side).toBe('BUY');
  });

  it('before any bar: HOLD warming_up at price 0 with finite indicators only', () => {
    const cfg = rbConfig();
    const signal = explain(rangeBoundStrategy.init(cfg), cfg);
    expect(signal).toMatchObject({ reason: 'warming_up', price: 0, entry: 0, stopLoss: 0, takeProfit: 0 });
    expect(signal.indicators).toEqual({ bars: 0, warmup_bars: 20 });
  });

  it('on the first day there are no levels: HOLD levels_not_found, even at the would-be level', () => {
    const cfg = rbConfig();
    const signal = explain(feed([...MONDAY, nyBar('2024-06-03', '16:00', { close: 100 })], cfg), cfg);
    expect(signal).toMatchObject({ side: 'HOLD', reason: 'levels_not_found', stopLoss: 0, takeProfit: 0 });
    expect(signal.indicators['pdl']).toBeUndefined();
  });

  it('after a skipped trading day there are no levels (never an older session)', () => {
    const cfg = rbConfig();
    const gap = [...MONDAY, nyBar('2024-06-05', '09:00', { close: 100, volume: 5_000 })];
    expect(explain(feed(gap, cfg), cfg).reason).toBe('levels_not_found');
    const dayAfter = [...gap, ...sessionBars('2024-06-05', 90, 95), nyBar('2024-06-06', '09:30', { close: 90 })];
    const signal = explain(feed(dayAfter, cfg), cfg);
    expect(signal.indicators).toMatchObject({ pdl: 90, pdh: 95 });
  });
});

describe('range_bound: calendar (levels from the previous NYSE trading day)', () => {
  const cfg = rbConfig({ volume_confirmation: false });
  const levelsAt = (bars: readonly Bar[]) => {
    const signal = explain(feed(bars, cfg), cfg);
    return { pdl: signal.indicators['pdl'], pdh: signal.indicators['pdh'], reason: signal.reason };
  };

  it.each([
    [
      'after Independence Day 2024-07-04: the 07-03 early close, bars from 13:00 left out',
      [
        ...sessionBars('2024-07-03', 100, 110, { until: '13:00' }),
        ...sessionBars('2024-07-03', 90, 120).filter((b) => b.ts >= Date.UTC(2024, 6, 3, 17)),
        nyBar('2024-07-05', '09:30', { close: 105 }),
      ],
      100,
      110,
    ],
    [
      'after Thanksgiving 2024-11-28: Wednesday 11-27',
      [...sessionBars('2024-11-27', 100, 110), nyBar('2024-11-29', '09:30', { close: 105 })],
      100,
      110,
    ],
    [
      'the Monday after the 11-29 early close: only bars before 13:00 count',
      [
        ...sessionBars('2024-11-29', 100, 110, { until: '13:00' }),
        nyBar('2024-11-29', '13:00', { close: 130, high: 130, low: 80 }),
        nyBar('2024-11-29', '15:55', { close: 130, high: 130, low: 80 }),
        nyBar('2024-12-02', '09:30', { close: 105 }),
      ],
      100,
      110,
    ],
    [
      'Monday 2024-04-01 after Good Friday 03-29: Thursday 03-28',
      [...sessionBars('2024-03-28', 100, 110), nyBar('2024-04-01', '09:30', { close: 105 })],
      100,
      110,
    ],
    [
      'DST week (clocks forward 2024-03-10): Friday EST session feeds Monday EDT',
      [
        ...sessionBars('2024-03-08', 100, 110),
        // 09:25 EST premarket (14:25 UTC) and 16:00 EST (21:00 UTC): outside
        nyBar('2024-03-08', '09:25', { close: 105, high: 150, low: 50 }),
        nyBar('2024-03-08', '16:00', { close: 105, high: 150, low: 50 }),
        nyBar('2024-03-11', '09:30', { close: 105 }),
      ],
      100,
      110,
    ],
  ] as const)('%s', (_name, bars, pdl, pdh) => {
    const sorted = [...bars].sort((a, b) => a.ts - b.ts);
    expect(levelsAt(sorted)).toEqual({ pdl, pdh, reason: 'not_near_level' });
  });

  it('a missing trading day after a holiday weekend is a gap: no levels', () => {
    const thursday = sessionBars('2024-03-28', 100, 110);
    expect(levelsAt([...thursday, nyBar('2024-04-02', '09:30', { close: 105 })]).reason).toBe('levels_not_found');
  });
});

describe('range_bound: explain=false and state ownership', () => {
  const run = (closes: readonly number[], volumes: readonly number[], position?: Position) => {
    const cfg = rbConfig();
    const state = feed(tuesday(closes, volumes), cfg);
    return {
      quiet: rangeBoundStrategy.evaluate(state, cfg, ctx({ explain: false, ...(position ? { position } : {}) })),
      loud: rangeBoundStrategy.evaluate(state, cfg, ctx({ explain: true, ...(position ? { position } : {}) })),
    };
  };

  it.each([
    ['not near', [105], [1_000], undefined],
    ['volume not confirmed', [100.05], [500], undefined],
    ['short not allowed', [109.95], [2_000], undefined],
    ['holding', [105], [1_000], long(100.05)],
  ] as const)('a HOLD (%s) is undefined without explain', (_name, closes, volumes, position) => {
    const { quiet, loud } = run(closes, volumes, position);
    expect(quiet).toBeUndefined();
    expect(loud?.side).toBe('HOLD');
  });

  it.each([
    ['entry', [100.05], [2_000], undefined],
    ['exit', [109.9], [1_000], long(100.05)],
  ] as const)('an %s is the same signal either way', (_name, closes, volumes, position) => {
    const { quiet, loud } = run(closes, volumes, position);
    expect(quiet).toBeDefined();
    expect(quiet).toEqual(loud);
  });

  it('HOLDs before warm-up and without levels are undefined without explain', () => {
    const cfg = rbConfig();
    const quiet = (state: RangeBoundState) => rangeBoundStrategy.evaluate(state, cfg, ctx({ explain: false }));
    expect(quiet(rangeBoundStrategy.init(cfg))).toBeUndefined();
    expect(quiet(feed(MONDAY, cfg))).toBeUndefined();
  });

  it('onBar returns the same state, updated in place; evaluate does not change it', () => {
    const cfg = rbConfig();
    const state = feed(MONDAY, cfg);
    const bar = nyBar(TUESDAY, '09:30', { close: 100.05, volume: 2_000 });
    expect(rangeBoundStrategy.onBar(state, bar, cfg)).toBe(state);
    expect(state).toMatchObject({ bars: 79, close: 100.05, volume: 2_000 });
    const snapshot = JSON.stringify(state);
    const first = explain(state, cfg);
    explain(state, cfg, { position: long(90) });
    rangeBoundStrategy.evaluate(state, cfg, ctx({ explain: false }));
    expect(JSON.stringify(state)).toBe(snapshot);
    expect(explain(state, cfg)).toEqual(first);
  });

  it('uses the timeframe of its config', () => {
    const cfg = rbConfig({ timeframe: '15m', volume_confirmation: false });
    const bars = [...sessionBars('2024-06-03', 100, 110, { timeframe: '15m' })];
    const at = nyBar(TUESDAY, '09:30', { close: 100, timeframe: '15m' });
    expect(explain(feed([...bars, at], cfg), cfg)).toMatchObject({ timeframe: '15m', side: 'BUY' });
  });
});
