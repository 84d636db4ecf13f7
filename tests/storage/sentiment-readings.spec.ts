import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../engine/errors.js';
import { type SqliteStore, openStore } from '../../storage/sqlite-store.js';
import type { StoredSentimentReading } from '../../storage/sentiment-readings.js';

const T = Date.UTC(2026, 10, 23, 15);
const reading = (over: Partial<StoredSentimentReading> = {}): StoredSentimentReading => ({
  source: 'stocktwits',
  symbol: 'AAPL',
  score: 0.4,
  confidence: 0.7,
  mentions: 12,
  sourceTs: T,
  fetchedTs: T + 5_000,
  ...over,
});

describe('sentiment readings in SQLite', () => {
  let store: SqliteStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  const open = async () => (store = await openStore({ url: ':memory:' }));

  it('stores readings with their detail and skips one already stored (same source, symbol, source time)', async () => {
    const s = await open();
    const first = await lastValueFrom(
      s.saveSentimentReadings([reading({ detail: { bullish: 9, bearish: 3 } }), reading({ source: 'news' })]),
    );
    expect(first).toBe(2);
    const again = await lastValueFrom(s.saveSentimentReadings([reading({ score: -1 }), reading({ sourceTs: T + 1 })]));
    expect(again).toBe(1);
    const rows = await lastValueFrom(s.sentimentReadings({ symbol: 'AAPL', fromTs: 0, toTs: T + 10 }));
    expect(rows.map((r) => [r.source, r.sourceTs, r.score])).toEqual([
      ['stocktwits', T, 0.4],
      ['news', T, 0.4],
      ['stocktwits', T + 1, 0.4],
    ]);
    expect(rows[0]?.detail).toEqual({ bullish: 9, bearish: 3 });
    expect(rows[1]?.detail).toBeUndefined();
  });

  it('answers "as of t": nothing published after t, filtered by source and symbol', async () => {
    const s = await open();
    await lastValueFrom(
      s.saveSentimentReadings([
        reading({ sourceTs: T - 60_000 }),
        reading({ sourceTs: T }),
        reading({ sourceTs: T + 60_000 }),
        reading({ source: 'news', sourceTs: T - 1 }),
        reading({ symbol: 'BRK.B', sourceTs: T - 1 }),
      ]),
    );
    const asOf = await lastValueFrom(
      s.sentimentReadings({ symbol: 'AAPL', fromTs: 0, toTs: T, sources: ['stocktwits'] }),
    );
    expect(asOf.map((r) => r.sourceTs)).toEqual([T - 60_000, T]);
    const brk = await lastValueFrom(s.sentimentReadings({ symbol: 'BRK.B', fromTs: 0, toTs: T }));
    expect(brk).toHaveLength(1);
  });

  it('refuses a batch with a bad reading and writes none of it', async () => {
    const s = await open();
    for (const bad of [
      reading({ score: 1.5 }),
      reading({ confidence: Number.NaN }),
      reading({ symbol: 'not a ticker' }),
      reading({ mentions: -1 }),
      reading({ sourceTs: 1.5 }),
    ]) {
      const err = await lastValueFrom(s.saveSentimentReadings([reading({ sourceTs: T - 5 }), bad])).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).message).toMatch(/index 1/);
    }
    expect(await lastValueFrom(s.sentimentReadings({ symbol: 'AAPL', fromTs: 0, toTs: T + 1e9 }))).toEqual([]);
  });

  it('prunes readings older than the retention', async () => {
    const s = await open();
    await lastValueFrom(s.saveSentimentReadings([reading({ sourceTs: T - 10 }), reading({ sourceTs: T })]));
    expect(await lastValueFrom(s.pruneSentimentReadings(T))).toBe(1);
    expect(
      (await lastValueFrom(s.sentimentReadings({ symbol: 'AAPL', fromTs: 0, toTs: T }))).map((r) => r.sourceTs),
    ).toEqual([T]);
  });
});
