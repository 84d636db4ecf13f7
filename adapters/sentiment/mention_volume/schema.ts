import { z } from 'zod';

/** The sources whose stored readings carry mentions: social posts and news articles. */
export const MENTION_SOURCES = ['twitter', 'reddit', 'stocktwits', 'news', 'newsapi'] as const;

/**
 * This source reads no API; its input is the readings store. Every stored reading it uses is
 * checked here (the fields it reads, nothing else), so a corrupt row is reported rather than
 * silently skewing the counts.
 */
export const StoredMentionReadingSchema = z.object({
  source: z.enum(MENTION_SOURCES),
  score: z.number().min(-1).max(1),
  mentions: z.number().min(0),
  sourceTs: z.number().int(),
});
export type StoredMentionReading = z.output<typeof StoredMentionReadingSchema>;
