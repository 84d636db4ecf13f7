import { z } from 'zod';

/**
 * Reddit's app-only token response (https://github.com/reddit-archive/reddit/wiki/OAuth2, "Application
 * Only OAuth"). A refused grant can come back as 200 with `{"error": "..."}` instead of a token.
 */
export const TokenResponseSchema = z.union([
  z.object({
    access_token: z.string().min(1),
    token_type: z.string(),
    expires_in: z.number().positive(),
    scope: z.string().optional(),
  }),
  z.object({ error: z.union([z.string(), z.number()]) }),
]);
export type TokenResponse = z.output<typeof TokenResponseSchema>;

/** A submission (`t3`) as the JSON API documents it (https://github.com/reddit-archive/reddit/wiki/JSON). */
export const PostSchema = z.object({
  id: z.string(),
  name: z.string(),
  subreddit: z.string(),
  title: z.string(),
  selftext: z.string(),
  /** Seconds since the epoch (a float in the payload). */
  created_utc: z.number(),
  ups: z.number().int(),
  num_comments: z.number().int().nonnegative().optional(),
  permalink: z.string().optional(),
});
export type Post = z.output<typeof PostSchema>;

/** `GET /r/{sub}/search`: a Listing of submissions, newest first with `sort=new`. */
export const SearchListingSchema = z.object({
  kind: z.literal('Listing'),
  data: z.object({
    after: z.string().nullable(),
    before: z.string().nullable().optional(),
    dist: z.number().int().nullable().optional(),
    children: z.array(z.object({ kind: z.literal('t3'), data: PostSchema })),
  }),
});
export type SearchListing = z.output<typeof SearchListingSchema>;
