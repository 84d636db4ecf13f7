import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/** One sentiment reading from one source; `sourceTs` is when the source published it. */
export interface SentimentReadingRow {
  [OptionalProps]?: 'id';
  id: number;
  source: string;
  symbol: string;
  score: number;
  confidence: number;
  mentions: number;
  sourceTs: number;
  fetchedTs: number;
}

export const SentimentReadingEntity = new EntitySchema<SentimentReadingRow>({
  name: 'SentimentReadingRow',
  tableName: 'sentiment_readings',
  indexes: [{ name: 'sentiment_readings_symbol_source_ts_index', properties: ['symbol', 'sourceTs'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    source: { type: 'string' },
    symbol: { type: 'string' },
    score: { type: 'float' },
    confidence: { type: 'float' },
    mentions: { type: 'integer' },
    sourceTs: { type: 'integer' },
    fetchedTs: { type: 'integer' },
  },
});
