import { describe, expect, it } from 'vitest';
import type { Signal } from '../../../engine/messages/signal.js';
import {
  momentumStrategy,
  momentumWarmupBars,
  type MomentumState,
} from '../../../engine/strategies/momentum.strategy.js';
import type { MomentumConfig } from '../../../engine/strategies/momentum.config.js';
import type { StrategyContext } from '../../../engine/strategies/strategy.js';
import {
  barsFromCloses,
  CHOP,
  DOWNTREND,
  RALLY_THEN_FLAT,
  SLIDE_THEN_FLAT,
  STRAIGHT_UP,
  UPTREND,
} from './bar-fixtures.js';

type Position = NonNullable<StrategyContext['position']>;

const config = (input: Record<string, unknown> = {}): MomentumConfig =>
  momentumStrategy.configSchema.parse({ symbol: 'AAPL', ...input });

function feed(closes: readonly number[], cfg: MomentumConfig, volumes?: readonly number[]): MomentumState {
  const state = momentumStrategy.init(cfg);
  for (const bar of barsFromCloses(closes, volumes ? { volumes } : {})) momentumStrategy.onBar(state, bar, cfg);
  return state;
}

const ctx = (position?: Position): StrategyContext => ({
  strategyId: 'momentum_AAPL',
  ts: 1_717_430_000_000,
  position,
  sentiment: undefined,
  explain: true,
});

const long = (avgPrice: number, levels: Partial<Position> = {}): Position => ({
  quantity: 10,
  avgPrice,
  strategyId: 'momentum_AAPL',
  stopLoss: null,
  takeProfit: null,
  ...levels,
});
const short = (avgPrice: number, levels: Partial<Position> = {}): Position => ({
  ...long(avgPrice, levels),
  quantity: -10,
});

/** `evaluate` with `explain: true`, which always answers with a signal. */
function explained(signal: Signal | undefined): Signal {
  if (signal === undefined) throw new Error('explain=true must always return a signal');
  return signal;
}

/** Evaluates after the first `bars` closes of `closes`. */
function evaluateAt(closes: readonly number[], bars: number, cfg = config(), position?: Position): Signal {
  return explained(momentumStrategy.evaluate(feed(closes.slice(0, bars), cfg), cfg, ctx(position)));
}

const last = (closes: readonly number[], bars: number): number => closes[bars - 1] ?? Number.NaN;

describe('momentum: decisions when flat', () => {
  it.each([
    ['uptrend -> BUY entry', UPTREND, 35, {}, 'BUY', 'enter', 0.9],
    ['uptrend, histogram not rising -> BUY with 0.7 points', UPTREND, 36, {}, 'BUY', 'enter', 0.85],
    ['chop -> no setup', CHOP, 60, {}, 'HOLD', 'none', 0],
    ['downtrend, shorts allowed -> SELL entry', DOWNTREND, 35, { allow_short: true }, 'SELL', 'enter', 0.9],
    ['downtrend, shorts not allowed -> HOLD', DOWNTREND, 35, {}, 'HOLD', 'none', 0],
    ['straight rise: RSI 100 earns no RSI points, still a BUY', STRAIGHT_UP, 45, {}, 'BUY', 'enter', 0.7],
  ] as const)('%s', (_name, closes, bars, cfgInput, side, action, confidence) => {
    const signal = evaluateAt(closes, bars, config(cfgInput));
    expect(signal.side).toBe(side);
    expect(signal.action).toBe(action);
    expect(signal.confidence).toBe(confidence);
    expect(signal.exitReason).toBeUndefined();
  });

  it('a BUY entry carries levels, indicators and a readable reason', () => {
    const signal = evaluateAt(UPTREND, 35);
    const close = last(UPTREND, 35);
    expect(signal).toMatchObject({
      kind: 'signal.generated',
      ts: 1_717_430_000_000,
      strategyId: 'momentum_AAPL',
      strategyType: 'momentum',
      symbol: 'AAPL',
      timeframe: '5m',
      price: close,
      entry: close,
      stopLoss: close * 0.98,
      takeProfit: close * 1.05,
    });
    expect(signal.reason).toBe('RSI 70.2 in (65,85); MACD above signal, histogram rising; ROC +3.7 %');
    expect(Object.keys(signal.indicators).sort()).toEqual(
      ['bear_points', 'bull_points', 'macd', 'macd_histogram', 'macd_signal', 'roc', 'rsi', 'volume_ratio'].sort(),
    );
    expect(signal.indicators['bull_points']).toBe(0.8);
    expect(signal.indicators['bear_points']).toBe(0);
    expect(signal.indicators['volume_ratio']).toBe(1);
    expect(signal.indicators['macd_histogram']).toBeGreaterThan(0);
  });

  it('a volume surge on the last bar adds 0.2 to the winning side (confidence capped at 0.95)', () => {
    const cfg = config();
    const volumes = UPTREND.map((_, i) => (i === 34 ? 3_000 : 1_000));
    const signal = explained(momentumStrategy.evaluate(feed(UPTREND.slice(0, 35), cfg, volumes), cfg, ctx()));
    expect(signal.indicators['volume_ratio']).toBeCloseTo(3_000 / 1_100, 12);
    expect(signal.indicators['bull_points']).toBe(1);
    expect(signal.confidence).toBe(0.95);
    expect(signal.reason).toContain('volume 2.73x its 20-bar mean');
  });

  it('a SELL entry mirrors the levels', () => {
    const signal = evaluateAt(DOWNTREND, 35, config({ allow_short: true, stop_loss_pct: 0.01, take_profit_pct: 0.03 }));
    const close = last(DOWNTREND, 35);
    expect(signal.stopLoss).toBe(close * 1.01);
    expect(signal.takeProfit).toBe(close * (1 - 0.03));
    expect(signal.reason).toBe('RSI 31.1 in (15,35); MACD below signal, histogram falling; ROC -3.3 %');
  });

  it('a refused short is HOLD short_not_allowed with the refused levels', () => {
    const signal = evaluateAt(DOWNTREND, 35);
    const close = last(DOWNTREND, 35);
    expect(signal).toMatchObject({ side: 'HOLD', action: 'none', reason: 'short_not_allowed' });
    expect(signal.stopLoss).toBe(close * 1.02);
    expect(signal.indicators['bear_points']).toBe(0.8);
  });

  it('no setup is HOLD no_setup with the indicator values and the would-be long levels', () => {
    const signal = evaluateAt(CHOP, 60);
    const close = last(CHOP, 60);
    expect(signal.reason).toBe('no_setup');
    expect(signal.stopLoss).toBe(close * 0.98);
    expect(signal.takeProfit).toBe(close * 1.05);
    expect(Number.isFinite(signal.indicators['rsi'])).toBe(true);
    expect(signal.indicators['rsi']).toBeGreaterThan(45);
    expect(signal.indicators['rsi']).toBeLessThan(55);
  });

  it('RSI with zero average loss is 100 and the reason leaves RSI out', () => {
    const signal = evaluateAt(STRAIGHT_UP, 45);
    expect(signal.indicators['rsi']).toBe(100);
    expect(signal.reason).not.toContain('RSI');
    expect(signal.reason).toContain('MACD above signal');
  });
});

describe('momentum: exits of a held position', () => {
  it.each([
    ['long, close under the stop', UPTREND, 35, long(110), 'SELL', 'stop', 1],
    ['long, close at the target', UPTREND, 35, long(103.5 / 1.05), 'SELL', 'target', 1],
    ['long, explicit stop above the close', UPTREND, 35, long(103, { stopLoss: 104 }), 'SELL', 'stop', 1],
    ['long, explicit target under the close', UPTREND, 35, long(103, { takeProfit: 103.4 }), 'SELL', 'target', 1],
    ['long, exhaustion after a rally', RALLY_THEN_FLAT, 59, long(116.2), 'SELL', 'exhaustion', 0.65],
    ['long, bearish setup', DOWNTREND, 35, long(96.5), 'SELL', 'opposite_signal', 0.9],
    ['short, close over the stop', DOWNTREND, 35, short(90), 'BUY', 'stop', 1],
    ['short, close at the target', DOWNTREND, 35, short(96.5 / 0.95), 'BUY', 'target', 1],
    ['short, exhaustion after a slide', SLIDE_THEN_FLAT, 59, short(83.8), 'BUY', 'exhaustion', 0.65],
    ['short, bullish setup', UPTREND, 35, short(103.5), 'BUY', 'opposite_signal', 0.9],
  ] as const)('%s', (_name, closes, bars, position, side, exitReason, confidence) => {
    const signal = evaluateAt(closes, bars, config(), position);
    expect(signal.side).toBe(side);
    expect(signal.action).toBe('exit');
    expect(signal.exitReason).toBe(exitReason);
    expect(signal.confidence).toBe(confidence);
    expect(signal.reason.startsWith(`${exitReason}: `)).toBe(true);
  });

  it.each([
    ['long: RSI > 80, MACD under signal, histogram rising', RALLY_THEN_FLAT, long(116.2)],
    ['short: RSI < 20, MACD over signal, histogram falling', SLIDE_THEN_FLAT, short(83.8)],
  ])('no exhaustion without the histogram turning (%s)', (_name, closes, position) => {
    expect(evaluateAt(closes, 69, config(), position).exitReason).toBe('exhaustion');
    expect(evaluateAt(closes, 70, config(), position).reason).toBe('holding');
  });

  it('the stop is checked before the target when both hold', () => {
    const signal = evaluateAt(UPTREND, 35, config(), long(103, { stopLoss: 200, takeProfit: 1 }));
    expect(signal.exitReason).toBe('stop');
  });

  it('exit signals carry the position levels', () => {
    const signal = evaluateAt(UPTREND, 35, config(), long(110));
    expect(signal.stopLoss).toBeCloseTo(110 * 0.98, 10);
    expect(signal.takeProfit).toBeCloseTo(110 * 1.05, 10);
    expect(signal.reason).toBe('stop: close 103.50 <= stop 107.80');
  });

  it('the rally just before exhaustion is still held', () => {
    const signal = evaluateAt(RALLY_THEN_FLAT, 58, config(), long(116.2));
    expect(signal).toMatchObject({ side: 'HOLD', action: 'none', reason: 'holding', confidence: 0 });
    expect(signal.stopLoss).toBeCloseTo(116.2 * 0.98, 10);
  });

  it('a bullish setup while long is HOLD holding, not a second entry', () => {
    const signal = evaluateAt(UPTREND, 35, config(), long(103.5));
    expect(signal.reason).toBe('holding');
  });

  it('a position of quantity 0 counts as flat', () => {
    expect(evaluateAt(UPTREND, 35, config(), { ...long(103.5), quantity: 0 }).action).toBe('enter');
  });
});

describe('momentum: warm-up', () => {
  it.each([
    [{}, 35],
    [{ macd_slow: 30, macd_signal: 5 }, 35],
    [{ rsi_period: 40 }, 41],
    [{ roc_period: 50 }, 51],
    [{ volume_period: 60 }, 60],
  ])('warm-up bars for %o is %i', (input, bars) => {
    expect(momentumStrategy.warmupBars(config(input))).toBe(bars);
    expect(momentumWarmupBars(config(input))).toBe(bars);
  });

  it('is HOLD warming_up at bar 34 and signals at bar 35 exactly', () => {
    const before = evaluateAt(UPTREND, 34);
    expect(before).toMatchObject({ side: 'HOLD', action: 'none', reason: 'warming_up', confidence: 0 });
    expect(before.indicators).toMatchObject({ bars: 34, warmup_bars: 35 });
    expect(Object.values(before.indicators).every(Number.isFinite)).toBe(true);
    expect(evaluateAt(UPTREND, 35).side).toBe('BUY');
  });

  it('does not exit during warm-up even past a stop', () => {
    expect(evaluateAt(UPTREND, 34, config(), long(200)).reason).toBe('warming_up');
    expect(evaluateAt(UPTREND, 35, config(), long(200)).exitReason).toBe('stop');
  });

  it('with a longer RSI period the boundary moves to rsi_period + 1', () => {
    const cfg = config({ rsi_period: 40 });
    const closes = [...UPTREND, ...UPTREND.slice(30)];
    expect(evaluateAt(closes, 40, cfg, long(500)).reason).toBe('warming_up');
    expect(evaluateAt(closes, 41, cfg, long(500)).exitReason).toBe('stop');
  });

  it('before any bar: HOLD warming_up at price 0', () => {
    const cfg = config();
    const signal = momentumStrategy.evaluate(momentumStrategy.init(cfg), cfg, ctx());
    expect(signal).toMatchObject({ reason: 'warming_up', price: 0, entry: 0, stopLoss: 0, takeProfit: 0 });
  });
});

describe('momentum: state ownership', () => {
  it('onBar returns the same state object, updated in place', () => {
    const cfg = config();
    const state = momentumStrategy.init(cfg);
    for (const bar of barsFromCloses([101])) expect(momentumStrategy.onBar(state, bar, cfg)).toBe(state);
    expect(state.bars).toBe(1);
    expect(state.close).toBe(101);
  });

  it('evaluate does not change the state', () => {
    const cfg = config();
    const state = feed(UPTREND.slice(0, 40), cfg);
    const snapshot = JSON.stringify(state);
    const first = momentumStrategy.evaluate(state, cfg, ctx());
    momentumStrategy.evaluate(state, cfg, ctx(long(90)));
    expect(JSON.stringify(state)).toBe(snapshot);
    expect(momentumStrategy.evaluate(state, cfg, ctx())).toEqual(first);
  });

  it('uses the timeframe of its config', () => {
    expect(evaluateAt(UPTREND, 35, config({ timeframe: '15m' })).timeframe).toBe('15m');
  });
});
