import type { EntityManager } from '@mikro-orm/sqlite';
import { z } from 'zod';
import { DomainError } from '../engine/errors.js';
import { SYMBOL_PATTERN } from '../engine/messages/symbol.js';
import { SentimentReadingEntity, type SentimentReadingRow } from './entities/sentiment-reading.entity.js';

/** A reading as stored: what a source said about a symbol, when it said it, and when we fetched it. */
export interface StoredSentimentReading {
  readonly source: string;
  readonly symbol: string;
  readonly score: number;
  readonly confidence: number;
  readonly mentions: number;
  readonly sourceTs: number;
  readonly fetchedTs: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

const epochMs = z.number().int().min(0);
const ReadingSchema = z.strictObject({
  source: z.string().regex(/^[a-z_]{1,32}$/, 'source must be a lower-case source name'),
  symbol: z.string().regex(SYMBOL_PATTERN, 'symbol must be a ticker'),
  score: z.number().min(-1).max(1),
  confidence: z.number().min(0).max(1),
  mentions: z.number().int().min(0),
  sourceTs: epochMs,
  fetchedTs: epochMs,
  detail: z.record(z.string(), z.unknown()).optional(),
});

/** The whole batch is refused, naming the first bad reading, before anything is written. */
export const checkSentimentReadings = (readings: readonly StoredSentimentReading[]): void => {
  for (const [i, r] of readings.entries()) {
    const result = ReadingSchema.safeParse(r);
    if (!result.success) {
      const issue = result.error.issues[0];
      const path = issue?.path.map(String).join('.') ?? '';
      throw new DomainError('validation_error', `invalid sentiment reading at index ${i}: ${path} ${issue?.message}`, [
        { path: `${i}.${path}`, message: issue?.message ?? 'invalid' },
      ]);
    }
    if (r.detail !== undefined) {
      try {
        JSON.stringify(r.detail);
      } catch {
        throw new DomainError('validation_error', `invalid sentiment reading at index ${i}: detail is not JSON`);
      }
    }
  }
};

/** Inserts the readings; one already stored (same source, symbol and source time) is skipped. Returns the count inserted. */
export const insertSentimentReadings = async (
  em: EntityManager,
  readings: readonly StoredSentimentReading[],
): Promise<number> => {
  if (readings.length === 0) return 0;
  const conn = em.getConnection();
  let inserted = 0;
  for (const r of readings) {
    const res = await conn.execute<{ affectedRows?: number; changes?: number }>(
      'insert into `sentiment_readings` (`source`, `symbol`, `score`, `confidence`, `mentions`, `source_ts`, `fetched_ts`, `detail`) ' +
        'values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (`source`, `symbol`, `source_ts`) do nothing',
      [
        r.source,
        r.symbol,
        r.score,
        r.confidence,
        r.mentions,
        r.sourceTs,
        r.fetchedTs,
        r.detail === undefined ? null : JSON.stringify(r.detail),
      ],
      'run',
      em.getTransactionContext(),
    );
    inserted += res.affectedRows ?? res.changes ?? 0;
  }
  return inserted;
};

/** At most this many rows per query: a bound on memory whatever the range asked for. */
export const MAX_READINGS_PER_QUERY = 10_000;

export interface ReadingQuery {
  readonly symbol: string;
  /** Inclusive bounds on the source timestamp. */
  readonly fromTs: number;
  readonly toTs: number;
  readonly sources?: readonly string[];
}

/** Readings of one symbol published within [fromTs, toTs], oldest first (the newest MAX_READINGS_PER_QUERY). */
export const findSentimentReadings = async (em: EntityManager, q: ReadingQuery): Promise<StoredSentimentReading[]> => {
  const rows = await em.find(
    SentimentReadingEntity,
    {
      symbol: q.symbol,
      sourceTs: { $gte: q.fromTs, $lte: q.toTs },
      ...(q.sources === undefined ? {} : { source: { $in: [...q.sources] } }),
    },
    { orderBy: { sourceTs: 'desc', id: 'desc' }, limit: MAX_READINGS_PER_QUERY },
  );
  return rows.reverse().map(toReading);
};

/** Deletes readings published before `beforeTs`; returns how many. */
export const pruneSentimentReadings = async (em: EntityManager, beforeTs: number): Promise<number> =>
  em.nativeDelete(SentimentReadingEntity, { sourceTs: { $lt: beforeTs } });

const toReading = (row: SentimentReadingRow): StoredSentimentReading => ({
  source: row.source,
  symbol: row.symbol,
  score: row.score,
  confidence: row.confidence,
  mentions: row.mentions,
  sourceTs: row.sourceTs,
  fetchedTs: row.fetchedTs,
  ...(row.detail === null ? {} : { detail: row.detail }),
});
