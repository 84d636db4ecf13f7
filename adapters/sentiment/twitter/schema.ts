import { z } from 'zod';

/**
 * `GET /2/tweets/search/recent` with `tweet.fields=created_at,public_metrics,lang`, as documented at
 * https://docs.x.com/x-api/posts/search/quickstart/recent-search. `data` is absent when nothing
 * matched (`meta.result_count` 0); partial failures come in `errors` next to the data.
 */

export const TweetSchema = z.object({
  id: z.string().regex(/^\d+$/, 'a numeric id string'),
  text: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  lang: z.string().optional(),
  public_metrics: z.object({
    retweet_count: z.number().int().nonnegative(),
    reply_count: z.number().int().nonnegative(),
    like_count: z.number().int().nonnegative(),
    quote_count: z.number().int().nonnegative(),
  }),
});
export type Tweet = z.output<typeof TweetSchema>;

export const RecentSearchSchema = z.object({
  data: z.array(TweetSchema).optional(),
  meta: z.object({
    result_count: z.number().int().nonnegative(),
    newest_id: z.string().optional(),
    oldest_id: z.string().optional(),
    next_token: z.string().optional(),
  }),
  errors: z.array(z.object({ title: z.string().optional(), detail: z.string().optional() })).optional(),
});
export type RecentSearch = z.output<typeof RecentSearchSchema>;
