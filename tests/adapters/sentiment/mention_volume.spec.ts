import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MENTION_VOLUME_ENV,
  mentionVolumeConfig,
  type MentionVolumeConfig,
} from '../../../adapters/sentiment/mention_volume/config.js';
import {
  createMentionVolumeProvider,
  mentionConfidence,
  mentionDirection,
  mentionStats,
  scoreMentions,
  slope,
  spikeMagnitude,
} from '../../../adapters/sentiment/mention_volume/provider.js';
import { createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { ProviderError } from '../../../adapters/sentiment/http/provider-error.js';
import type {
  ProviderReading,
  ReadingHistory,
  SentimentProvider,
  SourceName,
} from '../../../adapters/sentiment/provider.js';
import { rejection } from './provider-helpers.js';

const HOUR = 3_600_000;
/** 2026-03-06 15:00 UTC. */
const NOW = Date.UTC(2026, 2, 6, 15, 0);
const WINDOW: readonly ProviderReading[] = JSON.parse(
  readFileSync(new URL('../../fixtures/mention_volume/window-readings.json', import.meta.url), 'utf8'),
) as ProviderReading[];

class MemoryHistory implements ReadingHistory {
  readonly queries: { symbol: string; from: number; to: number; sources: readonly SourceName[] | undefined }[] = [];
  failure: Error | undefined;
  constructor(readonly stored: ProviderReading[] = []) {}
  async readings(symbol: string, from: number, to: number, sources?: readonly SourceName[]) {
    this.queries.push({ symbol, from, to, sources });
    if (this.failure) throw this.failure;
    return this.stored
      .filter((r) => r.symbol === symbol && r.sourceTs >= from && r.sourceTs <= to)
      .filter((r) => sources === undefined || sources.includes(r.source))
      .sort((a, b) => a.sourceTs - b.sourceTs);
  }
}

const reading = (source: SourceName, sourceTs: number, mentions: number, score = 0): ProviderReading => ({
  source,
  symbol: 'AAPL',
  score,
  confidence: 0.5,
  mentions,
  sourceTs,
});

/** One reddit reading of `perHour` mentions on every hour of the `hours` before the window (1 h). */
const hourlyBaseline = (hours: number, perHour: number, now = NOW, windowHours = 1): ProviderReading[] => {
  const windowStart = now - windowHours * HOUR;
  return Array.from({ length: hours }, (_, k) => reading('reddit', windowStart - (hours - k) * HOUR, perHour, 0.1));
};

const provider = (
  history: ReadingHistory,
  now: () => number = () => NOW,
  overrides: Partial<MentionVolumeConfig> = {},
): SentimentProvider =>
  createMentionVolumeProvider(
    { enabled: true, intervalMs: 900_000, windowHours: 1, ...overrides },
    { http: createHttpClient(), history, now },
  );

describe('mention_volume config', () => {
  const parse = (env: Record<string, string>) => mentionVolumeConfig(z.object(MENTION_VOLUME_ENV).parse(env));

  it('has the documented defaults and no base URL', () => {
    expect(parse({})).toEqual({ enabled: true, intervalMs: 900_000, windowHours: 1 });
    expect(Object.keys(MENTION_VOLUME_ENV)).toEqual([
      'MENTION_VOLUME_ENABLED',
      'MENTION_VOLUME_POLL_INTERVAL',
      'MENTION_VOLUME_WINDOW_HOURS',
    ]);
  });

  it('reads overrides and refuses a window outside (0, 24] hours', () => {
    expect(parse({ MENTION_VOLUME_WINDOW_HOURS: '3', MENTION_VOLUME_ENABLED: 'no' })).toMatchObject({
      enabled: false,
      windowHours: 3,
    });
    expect(() => parse({ MENTION_VOLUME_WINDOW_HOURS: '0' })).toThrow(/> 0/);
    expect(() => parse({ MENTION_VOLUME_WINDOW_HOURS: '25' })).toThrow(/<= 24/);
  });
});

describe('mention_volume scoring', () => {
  it.each([
    [0.5, 0],
    [1, 0],
    [2, 1 / 3],
    [4, 2 / 3],
    [8, 1],
    [100, 1],
  ])('spike ratio %d moves the score by %d', (ratio, magnitude) => {
    expect(spikeMagnitude(ratio)).toBeCloseTo(magnitude, 10);
  });

  it.each([
    [0.3, 1],
    [-0.2, -1],
    [0.049, 0],
    [-0.049, 0],
    [0, 0],
  ])('a mean score of %d points %d', (mean, direction) => {
    expect(mentionDirection(mean)).toBe(direction);
  });

  it.each([
    [168, 10, 0.5],
    [84, 10, 0.25],
    [336, 30, 0.75],
    [168, 0, 0],
    [0, 100, 0],
  ])('%d baseline hours and %d window mentions give confidence %d', (hours, mentions, confidence) => {
    expect(mentionConfidence(hours, mentions)).toBeCloseTo(confidence, 10);
  });

  it.each([
    [[1, 2, 3], 1],
    [[3, 3, 3], 0],
    [[4, 2, 0], -2],
    [[5], 0],
  ])('fits the slope of %j as %d', (counts, expected) => {
    expect(slope(counts)).toBeCloseTo(expected, 10);
  });

  it('counts window and baseline mentions at their sourceTs', () => {
    const stats = mentionStats([...hourlyBaseline(168, 2), ...WINDOW], NOW, 1);
    expect(stats).toMatchObject({ windowMentions: 16, baselineHours: 168, newestTs: NOW - 20 * 60_000 });
    expect(stats?.baselinePerHour).toBeCloseTo(2, 10);
    expect(stats?.spikeRatio).toBeCloseTo(8, 10);
    expect(stats?.meanScore).toBeCloseTo((10 * 0.6 + 6 * 0.2) / 16, 10);
    // The last 24 hourly buckets: 2 mentions each for 23 hours, then the window's 16.
    const hourly = [...Array.from({ length: 23 }, () => 2), 16];
    expect(stats?.trend).toBeCloseTo((slope(hourly) * 24) / 2, 10);
    expect(stats?.trend).toBeGreaterThan(0);
    expect(mentionStats([], NOW, 1)).toBeUndefined();
  });

  it('measures the baseline over the hours history covers, flooring a silent baseline', () => {
    const stats = mentionStats([reading('news', NOW - 49 * HOUR, 0), reading('news', NOW - 0.5 * HOUR, 3)], NOW, 1);
    expect(stats?.baselineHours).toBeCloseTo(48, 10);
    expect(stats?.baselinePerHour).toBe(0);
    // As if one mention had come in the 48 covered hours.
    expect(stats?.spikeRatio).toBeCloseTo(3 * 48, 10);
  });

  it('gives baseline_short below 24 hours of history', () => {
    const stats = mentionStats(
      [reading('twitter', NOW - 10 * HOUR, 5), reading('twitter', NOW - 0.2 * HOUR, 50)],
      NOW,
      1,
    );
    expect(stats?.baselineHours).toBeCloseTo(9, 10);
    expect(stats === undefined ? undefined : scoreMentions(stats)).toEqual({
      score: 0,
      confidence: 0,
      reason: 'baseline_short',
    });
  });
});

describe('mention_volume provider', () => {
  it('scores a bullish spike from the stored social readings', async () => {
    const history = new MemoryHistory([
      ...hourlyBaseline(168, 2),
      ...WINDOW,
      // Not a mention source: must not be counted.
      { ...reading('dark_pool', NOW - 10 * 60_000, 1000), score: -1 },
    ]);
    const readings = await provider(history).fetch('aapl');
    expect(readings).toHaveLength(1);
    const [r] = readings;
    expect(r).toMatchObject({
      source: 'mention_volume',
      symbol: 'AAPL',
      score: 1,
      mentions: 16,
      sourceTs: NOW - 20 * 60_000,
      detail: { window_mentions: 16, baseline_per_hour: 2, spike_ratio: 8, window_hours: 1, baseline_hours: 168 },
    });
    expect(r?.confidence).toBeCloseTo(16 / 26, 10);
    expect(r?.detail?.['trend']).toBeGreaterThan(0);
    expect(r?.detail).not.toHaveProperty('reason');
    expect(history.queries).toEqual([
      {
        symbol: 'AAPL',
        from: NOW - 169 * HOUR,
        to: NOW,
        sources: ['twitter', 'reddit', 'stocktwits', 'news', 'newsapi'],
      },
    ]);
  });

  it('points a spike of bearish posts down, scaled by the spike', async () => {
    const history = new MemoryHistory([
      ...hourlyBaseline(168, 2),
      reading('news', NOW - 30 * 60_000, 2, -0.5),
      reading('newsapi', NOW - 10 * 60_000, 2, -0.3),
    ]);
    const [r] = await provider(history).fetch('AAPL');
    expect(r?.score).toBeCloseTo(-1 / 3, 10);
    expect(r?.detail?.['spike_ratio']).toBe(2);
    expect(r?.detail?.['mean_score']).toBeCloseTo(-0.4, 10);
  });

  it('has no direction when the window is split, nor a magnitude without a spike', async () => {
    const split = new MemoryHistory([
      ...hourlyBaseline(168, 2),
      reading('twitter', NOW - 30 * 60_000, 10, 0.5),
      reading('reddit', NOW - 10 * 60_000, 10, -0.5),
    ]);
    const [a] = await provider(split).fetch('AAPL');
    expect(a?.score).toBe(0);
    expect(a?.detail?.['spike_ratio']).toBe(10);

    const quiet = new MemoryHistory([...hourlyBaseline(168, 2), reading('twitter', NOW - 30 * 60_000, 2, 0.9)]);
    const [b] = await provider(quiet).fetch('AAPL');
    expect(b?.score).toBe(0);
    expect(b?.confidence).toBeCloseTo(2 / 12, 10);
  });

  it('uses a wider window as a rate per hour', async () => {
    const history = new MemoryHistory([
      ...hourlyBaseline(168, 2, NOW, 3),
      reading('twitter', NOW - 150 * 60_000, 12, 0.4),
      reading('twitter', NOW - 30 * 60_000, 12, 0.4),
    ]);
    const [r] = await provider(history, () => NOW, { windowHours: 3 }).fetch('AAPL');
    expect(r?.detail).toMatchObject({ window_mentions: 24, spike_ratio: 4, window_hours: 3 });
    expect(r?.score).toBeCloseTo(2 / 3, 10);
  });

  it('lowers the confidence with a partial week of history', async () => {
    const history = new MemoryHistory([...hourlyBaseline(42, 2), ...WINDOW]);
    const [r] = await provider(history).fetch('AAPL');
    expect(r?.detail?.['baseline_hours']).toBe(42);
    expect(r?.confidence).toBeCloseTo((42 / 168) * (16 / 26), 10);
  });

  it('returns a zero-confidence baseline_short reading with less than 24 h of history', async () => {
    const history = new MemoryHistory([...hourlyBaseline(10, 2), ...WINDOW]);
    const [r] = await provider(history).fetch('AAPL');
    expect(r).toMatchObject({
      score: 0,
      confidence: 0,
      mentions: 16,
      sourceTs: NOW - 20 * 60_000,
      detail: { reason: 'baseline_short', window_mentions: 16, baseline_hours: 10 },
    });
  });

  it('returns nothing without any stored reading', async () => {
    expect(await provider(new MemoryHistory()).fetch('AAPL')).toEqual([]);
  });

  it('returns nothing new when nothing changed since the last poll', async () => {
    const history = new MemoryHistory([...hourlyBaseline(168, 2), ...WINDOW]);
    let now = NOW;
    const p = provider(history, () => now);
    expect(await p.fetch('AAPL')).toHaveLength(1);
    expect(await p.fetch('AAPL')).toEqual([]);
    now += 5 * 60_000;
    history.stored.push(reading('stocktwits', now - 60_000, 4, 0.3));
    const [r] = await p.fetch('AAPL');
    expect(r?.mentions).toBe(20);
    expect(r?.sourceTs).toBe(now - 60_000);
  });

  it('reports a corrupt stored reading as a schema error', async () => {
    const history = new MemoryHistory([...hourlyBaseline(168, 2), reading('twitter', NOW - 60_000, -3)]);
    const err = await rejection(provider(history).fetch('AAPL'));
    expect(err.kind).toBe('schema');
    expect(err.message).toMatch(/twitter.*mentions/);
  });

  it('turns a failing store into a ProviderError', async () => {
    const history = new MemoryHistory();
    history.failure = new Error('database is locked');
    const err = await rejection(provider(history).fetch('AAPL'));
    expect(err.message).toMatch(/database is locked/);
  });

  it('refuses a symbol that is not a ticker, and is unavailable when disabled', async () => {
    const history = new MemoryHistory();
    expect((await rejection(provider(history).fetch('$$$'))).kind).toBe('config');
    expect(history.queries).toHaveLength(0);
    const off = provider(history, () => NOW, { enabled: false });
    expect(off.availability()).toEqual({
      available: false,
      reason: expect.stringMatching(/MENTION_VOLUME_ENABLED/),
    });
    expect(provider(history).availability()).toEqual({ available: true });
    expect(provider(history).intervalMs).toBe(900_000);
  });

  it('refuses a window it cannot count', () => {
    expect(() => provider(new MemoryHistory(), () => NOW, { windowHours: 0 })).toThrow(ProviderError);
  });
});
