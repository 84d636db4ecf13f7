import { z } from 'zod';

/**
 * `GET /api/2/streams/symbol/{SYMBOL}.json` (https://api.stocktwits.com/developers/docs/api#streams-symbol-docs):
 * the 30 newest messages, newest first, with `since`/`max` cursors. A message's author may tag it
 * `Bullish` or `Bearish` (`entities.sentiment.basic`); untagged messages have `sentiment: null`.
 */

export const MessageSchema = z.object({
  id: z.number().int().positive(),
  body: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  symbols: z.array(z.object({ symbol: z.string() })).optional(),
  entities: z
    .object({
      sentiment: z
        .object({ basic: z.enum(['Bullish', 'Bearish']).nullable().optional() })
        .nullable()
        .optional(),
    })
    .optional(),
});
export type Message = z.output<typeof MessageSchema>;

export const SymbolStreamSchema = z.object({
  response: z.object({ status: z.number().int() }),
  symbol: z.object({ id: z.number().int(), symbol: z.string() }),
  cursor: z.object({
    more: z.boolean(),
    since: z.number().int().nullable(),
    max: z.number().int().nullable(),
  }),
  messages: z.array(MessageSchema),
});
export type SymbolStream = z.output<typeof SymbolStreamSchema>;
