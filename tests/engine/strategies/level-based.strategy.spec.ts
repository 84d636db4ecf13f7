import { describe, expect, it } from 'vitest';
import type { Signal } from '../../../engine/messages/signal.js';
import type { LevelBasedConfig } from '../../../engine/strategies/level-based.config.js';
import {
  levelBasedStrategy,
  levelBasedWarmupBars,
  type LevelBasedState,
} from '../../../engine/strategies/level-based.strategy.js';
import type { StrategyContext } from '../../../engine/strategies/strategy.js';
import {
  AT_RESISTANCE,
  AT_SUPPORT,
  closeBars,
  config,
  ctx,
  FALLING,
  long,
  MID_RANGE,
  NO_RESISTANCE,
  RESISTANCE_LEVEL,
  short,
  SUPPORT_LEVEL,
  type Position,
} from './level-based-fixtures.js';

function feed(closes: readonly number[], cfg: LevelBasedConfig, volumes?: readonly number[]): LevelBasedState {
  const state = levelBasedStrategy.init(cfg);
  for (const bar of closeBars(closes, volumes)) levelBasedStrategy.onBar(state, bar, cfg);
  return state;
}

/** Evaluates (explained) after the closes; fails the test on `undefined`. */
function evaluateAfter(
  closes: readonly number[],
  cfg = config(),
  position?: Position,
  over: Partial<Omit<StrategyContext, 'position'>> = {},
  volumes?: readonly number[],
): Signal {
  const signal = levelBasedStrategy.evaluate(feed(closes, cfg, volumes), cfg, ctx(position, over));
  if (signal === undefined) throw new Error('an explained evaluation returned undefined');
  return signal;
}

/** SPEC section 3 (range_bound formula, used by level_based with the level's strength). */
const formula = (d: number, proximity: number, volume: boolean, strength: number, sentiment: boolean): number =>
  Math.min(
    1,
    Math.max(0, 0.5 + 0.3 * (1 - d / proximity) + (volume ? 0.2 : 0) + 0.2 * strength + (sentiment ? 0.05 : 0)),
  );

const dSupport = (100.08 - SUPPORT_LEVEL) / SUPPORT_LEVEL;
const dResistance = (RESISTANCE_LEVEL - 105) / RESISTANCE_LEVEL;

describe('level_based: entries when flat', () => {
  it('close 0.03 % above a 2-touch support, volume at its mean -> BUY with levels from the support', () => {
    const signal = evaluateAfter(AT_SUPPORT);
    expect(signal).toMatchObject({
      kind: 'signal.generated',
      ts: 1_717_430_000_000,
      strategyId: 'level_based_AAPL',
      strategyType: 'level_based',
      symbol: 'AAPL',
      timeframe: '5m',
      side: 'BUY',
      action: 'enter',
      price: 100.08,
      entry: 100.08,
      takeProfit: RESISTANCE_LEVEL,
    });
    expect(signal.stopLoss).toBeCloseTo(SUPPORT_LEVEL * (1 - 0.005), 10);
    expect(signal.confidence).toBeCloseTo(formula(dSupport, 0.001, true, 0.4, false), 12);
    expect(signal.confidence).toBeCloseTo(0.990045, 6);
    expect(signal.exitReason).toBeUndefined();
    expect(signal.reason).toBe(
      'close 100.08 within 0.03 % of support 100.05 (2 touches, strength 0.40); volume 1.00x its 20-bar mean; ' +
        'target resistance 105.05 (2 touches, strength 0.40)',
    );
    expect(signal.indicators).toEqual({
      levels: 2,
      volume_ratio: 1,
      level: signal.indicators['support'],
      level_strength: 0.4,
      touches: 2,
      distance: signal.indicators['distance'],
      support: signal.indicators['support'],
      resistance: signal.indicators['resistance'],
    });
    expect(signal.indicators['support']).toBeCloseTo(SUPPORT_LEVEL, 10);
    expect(signal.indicators['resistance']).toBeCloseTo(RESISTANCE_LEVEL, 10);
    expect(signal.indicators['distance']).toBeCloseTo(dSupport, 12);
  });

  it.each([
    ['volume under its mean -> HOLD volume_not_confirmed', {}, 500, 'HOLD', 'volume_not_confirmed', 0],
    [
      'volume under its mean, no confirmation -> BUY without the volume term',
      { volume_confirmation: false },
      500,
      'BUY',
      undefined,
      formula(dSupport, 0.001, false, 0.4, false),
    ],
    ['volume over its mean -> BUY', {}, 2_000, 'BUY', undefined, formula(dSupport, 0.001, true, 0.4, false)],
    [
      'volume 1.5x, multiple 2 -> HOLD volume_not_confirmed',
      { min_volume_multiple: 2 },
      1_500,
      'HOLD',
      'volume_not_confirmed',
      0,
    ],
    [
      'volume 2.2x, multiple 2 -> BUY',
      { min_volume_multiple: 2 },
      2_200,
      'BUY',
      undefined,
      formula(dSupport, 0.001, true, 0.4, false),
    ],
  ] as const)('%s', (_name, input, lastVolume, side, reason, confidence) => {
    const volumes = AT_SUPPORT.map((_, i) => (i === AT_SUPPORT.length - 1 ? lastVolume : 1_000));
    const signal = evaluateAfter(AT_SUPPORT, config(input), undefined, {}, volumes);
    expect(signal.side).toBe(side);
    if (reason !== undefined) expect(signal.reason).toBe(reason);
    expect(signal.confidence).toBeCloseTo(confidence, 12);
  });

  it('reports the volume ratio of the last bar against a mean that includes it', () => {
    const volumes = AT_SUPPORT.map((_, i) => (i === AT_SUPPORT.length - 1 ? 500 : 1_000));
    const signal = evaluateAfter(AT_SUPPORT, config(), undefined, {}, volumes);
    expect(signal.indicators['volume_ratio']).toBeCloseTo(500 / 975, 12);
  });

  it.each([
    ['sentiment 0.3 adds 0.05 to a BUY', 0.3, true],
    ['sentiment 0.2 adds nothing', 0.2, false],
    ['negative sentiment adds nothing to a BUY', -0.5, false],
  ])('%s', (_name, sentiment, bonus) => {
    const cfg = config({ volume_confirmation: false });
    const signal = evaluateAfter(AT_SUPPORT, cfg, undefined, { sentiment });
    expect(signal.confidence).toBeCloseTo(formula(dSupport, 0.001, true, 0.4, bonus), 12);
  });

  it('close far from every level -> HOLD no_setup about the nearer level, with the would-be long levels', () => {
    const signal = evaluateAfter(MID_RANGE);
    expect(signal).toMatchObject({ side: 'HOLD', action: 'none', confidence: 0, reason: 'no_setup', price: 101 });
    expect(signal.indicators['level']).toBeCloseTo(SUPPORT_LEVEL, 10);
    expect(signal.indicators['distance']).toBeCloseTo((101 - SUPPORT_LEVEL) / SUPPORT_LEVEL, 12);
    expect(signal.stopLoss).toBeCloseTo(SUPPORT_LEVEL * 0.995, 10);
    expect(signal.takeProfit).toBeCloseTo(RESISTANCE_LEVEL, 10);
  });

  it('a wider proximity turns the same close into a BUY', () => {
    const signal = evaluateAfter(MID_RANGE, config({ proximity: 0.01 }));
    const d = (101 - SUPPORT_LEVEL) / SUPPORT_LEVEL;
    expect(signal.side).toBe('BUY');
    expect(signal.confidence).toBeCloseTo(formula(d, 0.01, true, 0.4, false), 12);
  });

  it('support without any resistance above -> HOLD no_target (no invented target)', () => {
    const signal = evaluateAfter(NO_RESISTANCE);
    expect(signal).toMatchObject({ side: 'HOLD', reason: 'no_target', takeProfit: 100.08 });
    expect(signal.indicators['resistance']).toBeUndefined();
    expect(signal.indicators['level']).toBeCloseTo(SUPPORT_LEVEL, 10);
  });

  it('a fixed level above gives the missing target', () => {
    const signal = evaluateAfter(NO_RESISTANCE, config({ levels: [110] }));
    expect(signal).toMatchObject({ side: 'BUY', action: 'enter', takeProfit: 110 });
    expect(signal.reason).toContain('target fixed resistance 110.00 (strength 1.00)');
  });

  it.each([
    ['shorts allowed -> SELL entry', { allow_short: true }, 'SELL', 'enter'],
    ['shorts not allowed -> HOLD short_not_allowed', {}, 'HOLD', 'none'],
  ] as const)('close 0.05 %% under a 2-touch resistance, %s', (_name, input, side, action) => {
    const signal = evaluateAfter(AT_RESISTANCE, config(input));
    expect(signal.side).toBe(side);
    expect(signal.action).toBe(action);
    // The refused short carries the levels it would have had.
    expect(signal.stopLoss).toBeCloseTo(RESISTANCE_LEVEL * 1.005, 10);
    expect(signal.takeProfit).toBeCloseTo(SUPPORT_LEVEL, 10);
    if (side === 'SELL') {
      expect(signal.confidence).toBeCloseTo(formula(dResistance, 0.001, true, 0.4, false), 12);
      expect(signal.reason).toBe(
        'close 105.00 within 0.05 % of resistance 105.05 (2 touches, strength 0.40); volume 1.00x its 20-bar mean; ' +
          'target support 100.05 (2 touches, strength 0.40)',
      );
    } else {
      expect(signal.reason).toBe('short_not_allowed');
      expect(signal.confidence).toBe(0);
    }
  });

  it.each([
    ['sentiment -0.3 adds 0.05 to a SELL', -0.3, true],
    ['sentiment 0.3 adds nothing to a SELL', 0.3, false],
  ])('%s', (_name, sentiment, bonus) => {
    const signal = evaluateAfter(AT_RESISTANCE, config({ allow_short: true }), undefined, { sentiment });
    expect(signal.confidence).toBeCloseTo(formula(dResistance, 0.001, true, 0.4, bonus), 12);
  });

  it('a short without a support below -> HOLD no_target', () => {
    const signal = evaluateAfter(
      FALLING.map((c) => c + 10),
      config({ allow_short: true, levels: [105.1] }),
    );
    expect(signal).toMatchObject({ side: 'HOLD', reason: 'no_target' });
  });

  it.each([
    ['fixed support of strength 1 (confidence clamped to 1)', {}, 1],
    ['fixed support of strength 0', { fixed_level_strength: 0 }, formula(0.05 / 95, 0.001, true, 0, false)],
    ['fixed support of strength 0.5', { fixed_level_strength: 0.5 }, formula(0.05 / 95, 0.001, true, 0.5, false)],
  ])('fixed levels alone make a setup: %s', (_name, input, confidence) => {
    const signal = evaluateAfter(FALLING, config({ levels: [110, 95], ...input }));
    expect(signal).toMatchObject({ side: 'BUY', action: 'enter', takeProfit: 110 });
    expect(signal.stopLoss).toBeCloseTo(95 * 0.995, 10);
    expect(signal.confidence).toBeCloseTo(confidence, 12);
    expect(signal.indicators).toMatchObject({ levels: 2, level: 95, touches: 0, support: 95, resistance: 110 });
    expect(signal.reason).toContain('within 0.05 % of fixed support 95.00');
  });

  it('no pivots and no fixed levels -> HOLD no_levels with the close as both levels', () => {
    const signal = evaluateAfter(FALLING);
    expect(signal).toMatchObject({ side: 'HOLD', reason: 'no_levels', stopLoss: 95.05, takeProfit: 95.05 });
    expect(signal.indicators).toEqual({ levels: 0, volume_ratio: 1 });
  });

  it('when support and resistance are both near, the nearer decides (here the resistance)', () => {
    const cfg = config({ levels: [94.95, 95.1], proximity: 0.002 });
    expect(evaluateAfter(FALLING, cfg).reason).toBe('short_not_allowed');
    expect(evaluateAfter(FALLING, config({ levels: [95.0, 95.12], proximity: 0.002 })).side).toBe('BUY');
  });

  it('at exactly equal distances the support decides', () => {
    // 63.984375 is 1/64 (relative) from both 63 and 65, exactly in binary floating point.
    const closes = [...Array.from({ length: 19 }, (_, i) => 74 - i * 0.5), 63.984375];
    const signal = evaluateAfter(closes, config({ levels: [63, 65], proximity: 0.02 }));
    expect(signal).toMatchObject({ side: 'BUY', takeProfit: 65 });
    expect(signal.indicators['distance']).toBe(1 / 64);
  });

  it('a close exactly on a level treats it as support', () => {
    const signal = evaluateAfter(FALLING, config({ levels: [95.05, 96] }));
    expect(signal).toMatchObject({ side: 'BUY', takeProfit: 96 });
    expect(signal.indicators['distance']).toBe(0);
  });

  it('pivots that leave the lookback stop counting (bar 2 is in an 18-bar window, not in a 17-bar one)', () => {
    expect(evaluateAfter(AT_SUPPORT, config({ lookback: 18 })).side).toBe('BUY');
    const signal = evaluateAfter(AT_SUPPORT, config({ lookback: 17 }));
    expect(signal.reason).toBe('no_setup');
    expect(signal.indicators['support']).toBeUndefined();
    expect(signal.indicators['levels']).toBe(1);
  });

  it('min_touches 3 drops the 2-touch levels', () => {
    expect(evaluateAfter(AT_SUPPORT, config({ min_touches: 3 })).reason).toBe('no_levels');
  });
});

describe('level_based: exits of a held position', () => {
  const near105 = formula(dResistance, 0.001, true, 0.4, false);
  const near100 = formula(dSupport, 0.001, true, 0.4, false);
  it.each([
    ['long, close under its own stop', AT_SUPPORT, long(101, { stopLoss: 100.1 }), 'SELL', 'stop', 1],
    ['long, close under the rule stop from avgPrice (100.6 x 0.995)', AT_SUPPORT, long(100.6), 'SELL', 'stop', 1],
    ['long, close at its target', AT_RESISTANCE, long(101, { takeProfit: 104.9 }), 'SELL', 'target', 1],
    ['long, close exactly at its target', AT_RESISTANCE, long(101, { takeProfit: 105 }), 'SELL', 'target', 1],
    ['short, close exactly at its target', AT_SUPPORT, short(104, { takeProfit: 100.08 }), 'BUY', 'target', 1],
    ['long, close near resistance', AT_RESISTANCE, long(101), 'SELL', 'opposite_level', near105],
    ['short, close over its own stop', AT_RESISTANCE, short(104, { stopLoss: 104.9 }), 'BUY', 'stop', 1],
    ['short, close over the rule stop from avgPrice (99.5 x 1.005)', AT_SUPPORT, short(99.5), 'BUY', 'stop', 1],
    ['short, close at its target', AT_SUPPORT, short(104, { takeProfit: 100.1 }), 'BUY', 'target', 1],
    ['short, close near support', AT_SUPPORT, short(104), 'BUY', 'opposite_level', near100],
  ] as const)('%s', (_name, closes, position, side, exitReason, confidence) => {
    const signal = evaluateAfter(closes, config(), position);
    expect(signal.side).toBe(side);
    expect(signal.action).toBe('exit');
    expect(signal.exitReason).toBe(exitReason);
    expect(signal.confidence).toBeCloseTo(confidence, 12);
    expect(signal.reason.startsWith(`${exitReason}: `)).toBe(true);
  });

  it('readable exit reasons and the position levels', () => {
    const stop = evaluateAfter(AT_SUPPORT, config(), long(100.6));
    expect(stop.reason).toBe('stop: close 100.08 <= stop 100.10');
    expect(stop.stopLoss).toBeCloseTo(100.6 * 0.995, 10);
    expect(stop.takeProfit).toBeCloseTo(RESISTANCE_LEVEL, 10);
    const target = evaluateAfter(AT_RESISTANCE, config(), long(101, { takeProfit: 104.9 }));
    expect(target.reason).toBe('target: close 105.00 >= target 104.90');
    expect(target.takeProfit).toBe(104.9);
    const opposite = evaluateAfter(AT_RESISTANCE, config(), long(101));
    expect(opposite.reason).toBe(
      'opposite_level: close 105.00 within 0.05 % of resistance 105.05 (2 touches, strength 0.40)',
    );
    expect(opposite.indicators['level']).toBeCloseTo(RESISTANCE_LEVEL, 10);
  });

  it('the stop is checked before the target, the target before the opposite level', () => {
    expect(evaluateAfter(AT_RESISTANCE, config(), long(101, { stopLoss: 200, takeProfit: 1 })).exitReason).toBe('stop');
    expect(evaluateAfter(AT_RESISTANCE, config(), long(101, { takeProfit: 104 })).exitReason).toBe('target');
  });

  it('the opposite-level exit takes the SELL sentiment bonus for a long', () => {
    const signal = evaluateAfter(AT_RESISTANCE, config(), long(101), { sentiment: -0.5 });
    expect(signal.confidence).toBeCloseTo(formula(dResistance, 0.001, true, 0.4, true), 12);
  });

  it('a long near support is HOLD holding, not a second entry', () => {
    const signal = evaluateAfter(AT_SUPPORT, config(), long(100.5));
    expect(signal).toMatchObject({ side: 'HOLD', action: 'none', reason: 'holding', confidence: 0 });
    expect(signal.stopLoss).toBeCloseTo(100.5 * 0.995, 10);
    expect(signal.takeProfit).toBeCloseTo(RESISTANCE_LEVEL, 10);
  });

  it('a held position with no opposite level shows its own target, else the close', () => {
    expect(evaluateAfter(NO_RESISTANCE, config(), long(100.5)).takeProfit).toBe(100.08);
    expect(evaluateAfter(NO_RESISTANCE, config(), long(100.5, { takeProfit: 103 })).takeProfit).toBe(103);
  });

  it('a position of quantity 0 counts as flat', () => {
    expect(evaluateAfter(AT_SUPPORT, config(), { ...long(100.5), quantity: 0 }).action).toBe('enter');
  });
});

describe('level_based: warm-up', () => {
  it.each([
    [{}, 20],
    [{ lookback: 10 }, 20],
    [{ lookback: 30 }, 30],
    [{ volume_period: 40 }, 40],
    [{ volume_period: 40, volume_confirmation: false }, 20],
    [{ lookback: 10, volume_confirmation: false }, 10],
  ])('warm-up bars for %o is %i', (input, bars) => {
    expect(levelBasedStrategy.warmupBars(config(input))).toBe(bars);
    expect(levelBasedWarmupBars(config(input))).toBe(bars);
  });

  it('is HOLD warming_up at bar 19 and signals at bar 20 exactly', () => {
    const before = evaluateAfter(AT_SUPPORT.slice(0, 19));
    expect(before).toMatchObject({ side: 'HOLD', action: 'none', reason: 'warming_up', confidence: 0 });
    expect(before.indicators).toEqual({ bars: 19, warmup_bars: 20 });
    expect(evaluateAfter([...AT_SUPPORT.slice(0, 18), 100.08]).reason).toBe('warming_up');
    expect(evaluateAfter(AT_SUPPORT).side).toBe('BUY');
  });

  it('does not exit during warm-up even past a stop', () => {
    expect(evaluateAfter(AT_SUPPORT.slice(0, 19), config(), long(200)).reason).toBe('warming_up');
    expect(evaluateAfter(AT_SUPPORT, config(), long(200)).exitReason).toBe('stop');
  });

  it('before any bar: HOLD warming_up at price 0', () => {
    const cfg = config();
    const signal = levelBasedStrategy.evaluate(levelBasedStrategy.init(cfg), cfg, ctx());
    expect(signal).toMatchObject({ reason: 'warming_up', price: 0, entry: 0, stopLoss: 0, takeProfit: 0 });
  });
});

describe('level_based: explain', () => {
  it.each([
    ['warming_up', AT_SUPPORT.slice(0, 10), undefined],
    ['no_setup', MID_RANGE, undefined],
    ['no_target', NO_RESISTANCE, undefined],
    ['no_levels', FALLING, undefined],
    ['short_not_allowed', AT_RESISTANCE, undefined],
    ['holding', AT_SUPPORT, long(100.5)],
  ] as const)('HOLD %s is undefined without explain', (reason, closes, position) => {
    const cfg = config();
    const state = feed(closes, cfg);
    expect(levelBasedStrategy.evaluate(state, cfg, ctx(position))?.reason).toBe(reason);
    expect(levelBasedStrategy.evaluate(state, cfg, ctx(position, { explain: false }))).toBeUndefined();
  });

  it('entries and exits are the same with or without explain', () => {
    const cfg = config();
    for (const [closes, position] of [
      [AT_SUPPORT, undefined],
      [AT_RESISTANCE, long(101)],
    ] as const) {
      const state = feed(closes, cfg);
      const explained = levelBasedStrategy.evaluate(state, cfg, ctx(position));
      expect(explained?.action).not.toBe('none');
      expect(levelBasedStrategy.evaluate(state, cfg, ctx(position, { explain: false }))).toEqual(explained);
    }
  });
});

describe('level_based: state ownership', () => {
  it('onBar returns the same state object, updated in place', () => {
    const cfg = config();
    const state = levelBasedStrategy.init(cfg);
    for (const bar of closeBars([101])) expect(levelBasedStrategy.onBar(state, bar, cfg)).toBe(state);
    expect(state.bars).toBe(1);
    expect(state.close).toBe(101);
    expect(state.levels.bars).toBe(1);
  });

  it('evaluate does not change the state', () => {
    const cfg = config();
    const state = feed(AT_SUPPORT, cfg);
    const before = { levels: state.levels.levels(), pivots: state.levels.pivots(), mean: state.volumeMean.value };
    const first = levelBasedStrategy.evaluate(state, cfg, ctx());
    levelBasedStrategy.evaluate(state, cfg, ctx(long(90)));
    levelBasedStrategy.evaluate(state, cfg, ctx(short(110), { explain: false }));
    expect({ levels: state.levels.levels(), pivots: state.levels.pivots(), mean: state.volumeMean.value }).toEqual(
      before,
    );
    expect(levelBasedStrategy.evaluate(state, cfg, ctx())).toEqual(first);
  });

  it('uses the timeframe of its config', () => {
    expect(evaluateAfter(AT_SUPPORT, config({ timeframe: '15m' })).timeframe).toBe('15m');
  });
});
