import { z } from 'zod';

/**
 * NewsAPI responses as documented at https://newsapi.org/docs/endpoints/everything (response
 * object) and https://newsapi.org/docs/errors. Extra fields are accepted; the ones we read are checked.
 */

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 date' });

export const ArticleSchema = z.object({
  source: z.object({ id: z.string().nullable(), name: z.string() }),
  author: z.string().nullable().optional(),
  title: z.string(),
  description: z.string().nullable(),
  url: z.string(),
  urlToImage: z.string().nullable().optional(),
  /** UTC, e.g. `2024-03-13T14:05:00Z`. */
  publishedAt: isoDate,
  content: z.string().nullable().optional(),
});
export type Article = z.output<typeof ArticleSchema>;

export const EverythingOkSchema = z.object({
  status: z.literal('ok'),
  totalResults: z.number().int().nonnegative(),
  articles: z.array(ArticleSchema),
});

/** `code` is one of apiKeyDisabled, apiKeyExhausted, apiKeyInvalid, apiKeyMissing, parameterInvalid, ... */
export const NewsApiErrorSchema = z.object({
  status: z.literal('error'),
  code: z.string(),
  message: z.string(),
});

export const EverythingResponseSchema = z.discriminatedUnion('status', [EverythingOkSchema, NewsApiErrorSchema]);
