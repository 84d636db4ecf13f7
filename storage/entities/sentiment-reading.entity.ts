import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/** One sentiment reading from one source; `sourceTs` is when the source published it. */
export interface SentimentReadingRow {
  [OptionalProps]?: 'id' | 'detail';
  id: number;
  source: string;
  symbol: string;
  score: number;
  confidence: number;
  mentions: number;
  sourceTs: number;
  fetchedTs: number;
  /** The figures behind the score, source-specific (JSON). */
  detail: Record<string, unknown> | null;
}

export const SentimentReadingEntity = new EntitySchema<SentimentReadingRow>({
  name: 'SentimentReadingRow',
  tableName: 'sentiment_readings',
  indexes: [{ name: 'sentiment_readings_symbol_source_ts_index', properties: ['symbol', 'sourceTs'] }],
  uniques: [
    { name: 'sentiment_readings_source_symbol_source_ts_unique', properties: ['source', 'symbol', 'sourceTs'] },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    source: { type: 'string' },
    symbol: { type: 'string' },
    score: { type: 'float' },
    confidence: { type: 'float' },
    mentions: { type: 'integer' },
    sourceTs: { type: 'integer' },
    fetchedTs: { type: 'integer' },
    detail: { type: 'json', nullable: true },
  },
});
