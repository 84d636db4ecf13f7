import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { RangeBoundConfigSchema } from '../../../engine/strategies/range-bound.config.js';

function issuesOf(input: Record<string, unknown>): { path: string; message: string }[] {
  const result = RangeBoundConfigSchema.safeParse({ symbol: 'AAPL', ...input });
  if (result.success) throw new Error(`expected issues, got ${JSON.stringify(result.data)}`);
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('RangeBoundConfigSchema', () => {
  it('fills the SPEC defaults and normalises the symbol', () => {
    expect(RangeBoundConfigSchema.parse({ symbol: ' msft ' })).toEqual({
      symbol: 'MSFT',
      timeframe: '5m',
      proximity: 0.001,
      volume_confirmation: true,
      min_volume_multiple: 1,
      volume_period: 20,
      stop_loss_pct: 0.005,
      target_tolerance: 0.002,
      allow_short: false,
    });
  });

  it('accepts every field set explicitly', () => {
    const input = {
      symbol: 'BRK.B',
      timeframe: '1d',
      proximity: 0.002,
      volume_confirmation: false,
      min_volume_multiple: 1.5,
      volume_period: 10,
      stop_loss_pct: 0.01,
      target_tolerance: 0,
      allow_short: true,
    };
    expect(RangeBoundConfigSchema.parse(input)).toEqual(input);
  });

  it.each([
    [{ proximity: 0 }, 'proximity', 'proximity must be greater than 0'],
    [{ proximity: 0.06, stop_loss_pct: 0.1 }, 'proximity', 'proximity must be at most 0.05'],
    [{ proximity: '0.1' }, 'proximity', 'proximity must be a number'],
    [{ volume_confirmation: 'yes' }, 'volume_confirmation', 'volume_confirmation must be true or false'],
    [{ min_volume_multiple: -1 }, 'min_volume_multiple', 'min_volume_multiple must be greater than 0'],
    [{ volume_period: 1, min_volume_multiple: 0.5 }, 'volume_period', 'volume_period must be at least 2'],
    [{ volume_period: 20.5 }, 'volume_period', 'volume_period must be a whole number'],
    [{ volume_period: 501 }, 'volume_period', 'volume_period must be at most 500'],
    [{ stop_loss_pct: 0.5001 }, 'stop_loss_pct', 'stop_loss_pct must be at most 0.5'],
    [{ target_tolerance: -0.001 }, 'target_tolerance', 'target_tolerance must be at least 0'],
    [{ timeframe: '2h' }, 'timeframe', 'timeframe must be one of 1m, 5m, 15m, 1h, 1d'],
    [{ allow_short: 1 }, 'allow_short', 'allow_short must be true or false'],
    [{ symbol: '1abc' }, 'symbol', 'symbol must be a ticker'],
  ])('rejects %o at %s', (input, path, message) => {
    const issues = issuesOf(input);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe(path);
    expect(issues[0]?.message.startsWith(message)).toBe(true);
  });

  it('requires the stop beyond the proximity band', () => {
    expect(issuesOf({ proximity: 0.005, stop_loss_pct: 0.005 })).toEqual([
      {
        path: 'stop_loss_pct',
        message:
          'stop_loss_pct must be greater than proximity, or an entry at the edge of the proximity band would already be at its stop',
      },
    ]);
    expect(RangeBoundConfigSchema.parse({ symbol: 'AAPL', proximity: 0.005, stop_loss_pct: 0.0051 }).proximity).toBe(
      0.005,
    );
  });

  it('requires a volume multiple that a mean including the current bar can meet', () => {
    expect(issuesOf({ volume_period: 5, min_volume_multiple: 5 })).toEqual([
      {
        path: 'min_volume_multiple',
        message:
          'min_volume_multiple must be less than volume_period: the mean includes the current bar, so a larger multiple can never be met',
      },
    ]);
    expect(RangeBoundConfigSchema.parse({ symbol: 'AAPL', volume_period: 5, min_volume_multiple: 4.9 })).toMatchObject({
      min_volume_multiple: 4.9,
    });
  });

  it('rejects unknown fields and a missing symbol', () => {
    const unknown = RangeBoundConfigSchema.safeParse({ symbol: 'AAPL', proximty: 0.002 });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['proximty'] });
    expect(issuesOf({ symbol: undefined })).toEqual([{ path: 'symbol', message: 'symbol is required' }]);
  });

  it('has a JSON Schema (input mode) with the defaults, as the registry publishes it', () => {
    const schema = z.toJSONSchema(RangeBoundConfigSchema, { io: 'input' }) as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { default?: unknown; type?: string; description?: string }>;
    };
    expect(schema.required).toEqual(['symbol']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties['proximity']).toMatchObject({ type: 'number', default: 0.001 });
    expect(schema.properties['volume_period']).toMatchObject({ type: 'integer', default: 20 });
    expect(schema.properties['allow_short']).toMatchObject({ type: 'boolean', default: false });
    expect(schema.properties['stop_loss_pct']?.description).toContain('PDL');
  });
});
