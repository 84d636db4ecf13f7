import { z } from 'zod';

/**
 * Shapes of RSS 2.0 (https://www.rssboard.org/rss-specification) and Atom (RFC 4287) documents as
 * fast-xml-parser returns them with attributes kept (`@_` prefix) and values left as strings. An
 * element with attributes comes as `{ '#text': ..., '@_attr': ... }`; a repeated element as an array.
 */

/** An element's text, whether or not it carries attributes; nested markup (xhtml content) reads as ''. */
const xmlText = z
  .union([z.string(), z.object({ '#text': z.string().optional() })])
  .transform((value) => (typeof value === 'string' ? value : (value['#text'] ?? '')));

/** One element or several of the same name, always as a list. */
const oneOrMany = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.array(schema)]).transform((value): z.output<T>[] => (Array.isArray(value) ? value : [value]));

/** RSS 2.0 `<item>`: every element is optional, but a title or a description must be present. */
export const RssItemSchema = z
  .object({
    title: xmlText.optional(),
    description: xmlText.optional(),
    link: xmlText.optional(),
    guid: xmlText.optional(),
    pubDate: xmlText.optional(),
  })
  .refine((item) => item.title !== undefined || item.description !== undefined, {
    message: 'an item needs a title or a description',
  });
export type RssItem = z.output<typeof RssItemSchema>;

export const RssDocumentSchema = z.object({
  rss: z.object({
    channel: z.object({ item: oneOrMany(RssItemSchema).optional() }),
  }),
});

/** Atom `<link href rel>`; `rel` defaults to `alternate` (RFC 4287 4.2.7.2). */
const AtomLinkSchema = z.object({ '@_href': z.string(), '@_rel': z.string().optional() });

/** Atom `<entry>`: `title`, `id` and `updated` are required by RFC 4287; we insist on the title only. */
export const AtomEntrySchema = z.object({
  title: xmlText,
  summary: xmlText.optional(),
  id: xmlText.optional(),
  updated: xmlText.optional(),
  published: xmlText.optional(),
  link: oneOrMany(AtomLinkSchema).optional(),
});
export type AtomEntry = z.output<typeof AtomEntrySchema>;

export const AtomDocumentSchema = z.object({
  feed: z.object({ entry: oneOrMany(AtomEntrySchema).optional() }),
});
