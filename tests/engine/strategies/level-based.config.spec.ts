import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LevelBasedConfigSchema } from '../../../engine/strategies/level-based.config.js';
import { levelBasedStrategy } from '../../../engine/strategies/level-based.strategy.js';

const messagesOf = (input: Record<string, unknown>): string[] => {
  const parsed = LevelBasedConfigSchema.safeParse({ symbol: 'AAPL', ...input });
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

describe('LevelBasedConfigSchema', () => {
  it('fills the SPEC defaults and normalises the symbol', () => {
    expect(LevelBasedConfigSchema.parse({ symbol: ' aapl ' })).toEqual({
      symbol: 'AAPL',
      timeframe: '5m',
      lookback: 20,
      cluster_tolerance: 0.002,
      min_touches: 2,
      proximity: 0.001,
      volume_confirmation: true,
      min_volume_multiple: 1,
      volume_period: 20,
      stop_buffer_pct: 0.005,
      levels: [],
      fixed_level_strength: 1,
      allow_short: false,
    });
  });

  it('is the schema of the strategy definition', () => {
    expect(levelBasedStrategy.configSchema).toBe(LevelBasedConfigSchema);
    expect(levelBasedStrategy.type).toBe('level_based');
  });

  it('keeps given values', () => {
    const config = LevelBasedConfigSchema.parse({
      symbol: 'BRK.B',
      timeframe: '1h',
      lookback: 50,
      levels: [101.5, 99],
      fixed_level_strength: 0,
      allow_short: true,
    });
    expect(config).toMatchObject({ symbol: 'BRK.B', timeframe: '1h', lookback: 50, levels: [101.5, 99] });
    expect(config.fixed_level_strength).toBe(0);
  });

  it.each([
    [{ lookback: 4 }, 'lookback must be at least 5'],
    [{ lookback: 501 }, 'lookback must be at most 500'],
    [{ lookback: 20.5 }, 'lookback must be a whole number'],
    [{ lookback: '20' }, 'lookback must be a number'],
    [{ cluster_tolerance: 0 }, 'cluster_tolerance must be greater than 0'],
    [{ cluster_tolerance: 0.5 }, 'cluster_tolerance must be less than 0.1'],
    [{ min_touches: 0 }, 'min_touches must be at least 1'],
    [{ proximity: -0.001 }, 'proximity must be greater than 0'],
    [{ proximity: Number.NaN }, 'proximity must be a number'],
    [{ min_volume_multiple: 0 }, 'min_volume_multiple must be greater than 0'],
    [{ volume_period: 0 }, 'volume_period must be at least 1'],
    [{ stop_buffer_pct: 1 }, 'stop_buffer_pct must be less than 1'],
    [{ volume_confirmation: 'yes' }, 'volume_confirmation must be true or false'],
    [{ allow_short: 1 }, 'allow_short must be true or false'],
    [{ levels: 100 }, 'levels must be a list of prices'],
    [{ levels: [100, 0] }, 'each of levels must be a price greater than 0'],
    [{ levels: [-5] }, 'each of levels must be a price greater than 0'],
    [{ levels: ['100'] }, 'each of levels must be a number'],
    [{ levels: [Number.POSITIVE_INFINITY] }, 'each of levels must be a number'],
    [{ levels: Array.from({ length: 51 }, (_, i) => 100 + i) }, 'levels may list at most 50 prices'],
    [{ fixed_level_strength: 1.5 }, 'fixed_level_strength must be at most 1'],
    [{ fixed_level_strength: -0.1 }, 'fixed_level_strength must be at least 0'],
    [{ timeframe: '2m' }, 'timeframe must be one of 1m, 5m, 15m, 1h, 1d'],
  ])('%o is refused with "%s"', (input, message) => {
    expect(messagesOf(input)).toEqual([message]);
  });

  it('rejects unknown fields (a typo is an error, not an ignored setting)', () => {
    const parsed = LevelBasedConfigSchema.safeParse({ symbol: 'AAPL', lookbak: 30 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['lookbak'] });
  });

  it('requires a symbol', () => {
    expect(LevelBasedConfigSchema.safeParse({}).error?.issues[0]?.message).toBe('symbol is required');
  });

  it('has a JSON Schema in input mode where only the symbol is required', () => {
    const schema = z.toJSONSchema(LevelBasedConfigSchema, { io: 'input' }) as {
      required?: string[];
      properties: Record<string, unknown>;
    };
    expect(schema.required).toEqual(['symbol']);
    expect(Object.keys(schema.properties)).toContain('levels');
  });
});
