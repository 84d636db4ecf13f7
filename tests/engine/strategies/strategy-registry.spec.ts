import { describe, expect, it } from 'vitest';
import { levelBasedStrategy } from '../../../engine/strategies/level-based.strategy.js';
import { momentumStrategy } from '../../../engine/strategies/momentum.strategy.js';
import { rangeBoundStrategy } from '../../../engine/strategies/range-bound.strategy.js';
import { createStrategyRegistry, strategyRegistry } from '../../../engine/strategies/strategy-registry.js';

const parse = (input: unknown) => strategyRegistry.parseConfig('momentum', input);

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = parse(input);
  if (result.ok) throw new Error(`expected issues, got ${JSON.stringify(result.config)}`);
  return [...result.issues];
}

describe('strategy registry', () => {
  it('knows the engine strategies, and nothing else', () => {
    expect(strategyRegistry.get('momentum')).toBe(momentumStrategy);
    expect(strategyRegistry.get('range_bound')).toBe(rangeBoundStrategy);
    expect(strategyRegistry.get('nope')).toBeUndefined();
    expect(strategyRegistry.get('level_based')).toBe(levelBasedStrategy);
    expect(strategyRegistry.types().map((t) => t.type)).toEqual(['momentum', 'range_bound', 'level_based']);
  });

  it('describes each type with a JSON Schema of its config', () => {
    const [info] = strategyRegistry.types();
    expect(info?.description).toBe(momentumStrategy.description);
    const schema = info?.configSchema as {
      type: string;
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { default?: unknown; enum?: unknown[]; type?: string; minimum?: number }>;
    };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['symbol']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties['timeframe']).toMatchObject({ default: '5m', enum: ['1m', '5m', '15m', '1h', '1d'] });
    expect(schema.properties['rsi_period']).toMatchObject({ type: 'integer', default: 14, minimum: 2 });
    expect(schema.properties['allow_short']).toMatchObject({ type: 'boolean', default: false });
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        'allow_short',
        'macd_fast',
        'macd_signal',
        'macd_slow',
        'roc_period',
        'rsi_period',
        'stop_loss_pct',
        'symbol',
        'take_profit_pct',
        'timeframe',
        'volume_period',
        'volume_ratio_threshold',
      ].sort(),
    );
  });

  it('fills every default and normalises the symbol', () => {
    expect(parse({ symbol: '  brk.b ' })).toEqual({
      ok: true,
      config: {
        symbol: 'BRK.B',
        timeframe: '5m',
        rsi_period: 14,
        macd_fast: 12,
        macd_slow: 26,
        macd_signal: 9,
        roc_period: 10,
        volume_period: 20,
        volume_ratio_threshold: 1.2,
        stop_loss_pct: 0.02,
        take_profit_pct: 0.05,
        allow_short: false,
      },
    });
  });

  it('keeps given values', () => {
    const result = parse({ symbol: 'MSFT', timeframe: '1h', rsi_period: 7, allow_short: true });
    expect(result.ok && result.config).toMatchObject({
      symbol: 'MSFT',
      timeframe: '1h',
      rsi_period: 7,
      allow_short: true,
    });
  });

  it('reports an unknown strategy type at strategy_type', () => {
    expect(strategyRegistry.parseConfig('martingale', { symbol: 'AAPL' })).toEqual({
      ok: false,
      issues: [
        {
          path: 'strategy_type',
          message: 'unknown strategy type "martingale"; known: momentum, range_bound, level_based',
        },
      ],
    });
  });

  it.each([
    [{ symbol: 'AAPL', timeframe: '2m' }, 'config.timeframe', 'timeframe must be one of 1m, 5m, 15m, 1h, 1d'],
    [{}, 'config.symbol', 'symbol is required'],
    [{ symbol: 42 }, 'config.symbol', 'symbol must be a string'],
    [{ symbol: '1AAPL' }, 'config.symbol', 'symbol must be a ticker'],
    [{ symbol: 'TOOLONGSYMBOL' }, 'config.symbol', 'symbol must be a ticker'],
    [{ symbol: 'AAPL', rsi_period: 0 }, 'config.rsi_period', 'rsi_period must be at least 2'],
    [{ symbol: 'AAPL', rsi_period: 14.5 }, 'config.rsi_period', 'rsi_period must be a whole number'],
    [{ symbol: 'AAPL', rsi_period: '14' }, 'config.rsi_period', 'rsi_period must be a number'],
    [{ symbol: 'AAPL', macd_fast: 30 }, 'config.macd_fast', 'macd_fast must be less than macd_slow'],
    [{ symbol: 'AAPL', stop_loss_pct: 0 }, 'config.stop_loss_pct', 'stop_loss_pct must be greater than 0'],
    [{ symbol: 'AAPL', stop_loss_pct: 1 }, 'config.stop_loss_pct', 'stop_loss_pct must be less than 1'],
    [{ symbol: 'AAPL', take_profit_pct: -0.05 }, 'config.take_profit_pct', 'take_profit_pct must be greater than 0'],
    [{ symbol: 'AAPL', volume_ratio_threshold: Number.NaN }, 'config.volume_ratio_threshold', 'must be a number'],
    [{ symbol: 'AAPL', allow_short: 'yes' }, 'config.allow_short', 'allow_short must be true or false'],
    [{ symbol: 'AAPL', rsi: 14 }, 'config.rsi', 'unknown field "rsi"'],
    ['AAPL', 'config', 'expected object'],
  ])('rejects %j at %s', (input, path, message) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });

  it('reports every bad field at once', () => {
    const paths = issuesOf({ timeframe: 'x', rsi_period: -1, extra: true, other: 1 }).map((i) => i.path);
    expect(paths.sort()).toEqual(
      ['config.extra', 'config.other', 'config.rsi_period', 'config.symbol', 'config.timeframe'].sort(),
    );
  });

  it('refuses two definitions of the same type', () => {
    expect(() => createStrategyRegistry([momentumStrategy, momentumStrategy])).toThrow(
      /duplicate strategy type "momentum"/,
    );
  });

  it('builds a registry over any definitions (the later strategies plug in the same way)', () => {
    const other = { ...momentumStrategy, type: 'momentum_copy', description: 'copy' };
    const registry = createStrategyRegistry([momentumStrategy, other]);
    expect(registry.types().map((t) => t.type)).toEqual(['momentum', 'momentum_copy']);
    expect(registry.get('momentum_copy')).toBe(other);
    expect(registry.parseConfig('momentum_copy', { symbol: 'spy' })).toMatchObject({
      ok: true,
      config: { symbol: 'SPY' },
    });
  });
});
