import { z } from 'zod';
import type { OrderIntent, OrderRecord } from '../../engine/messages/order.js';

const price = (name: string) =>
  z.number({ error: `${name} must be a finite number > 0` }).positive(`${name} must be a finite number > 0`);

/** What the paper broker needs from an order before it accepts it. */
const PaperOrderSchema = z
  .object({
    ts: z.number({ error: 'ts must be finite epoch ms' }),
    clientOrderId: z.string().min(1, 'clientOrderId must be a non-empty string'),
    symbol: z.string().min(1, 'symbol must be a non-empty string'),
    side: z.enum(['BUY', 'SELL'], { error: 'side must be BUY or SELL' }),
    quantity: z
      .number({ error: 'quantity must be a whole number of shares > 0' })
      .int('quantity must be a whole number of shares > 0')
      .positive('quantity must be a whole number of shares > 0')
      .max(Number.MAX_SAFE_INTEGER),
    type: z.enum(['market', 'limit', 'stop', 'stop_limit'], {
      error: 'type must be market, limit, stop or stop_limit',
    }),
    limitPrice: price('limitPrice').optional(),
    stopPrice: price('stopPrice').optional(),
  })
  .superRefine((order, ctx) => {
    const needsLimit = order.type === 'limit' || order.type === 'stop_limit';
    const needsStop = order.type === 'stop' || order.type === 'stop_limit';
    if (needsLimit && order.limitPrice === undefined) {
      ctx.addIssue({ code: 'custom', path: ['limitPrice'], message: `a ${order.type} order needs a limitPrice` });
    }
    if (needsStop && order.stopPrice === undefined) {
      ctx.addIssue({ code: 'custom', path: ['stopPrice'], message: `a ${order.type} order needs a stopPrice` });
    }
  });

/** All problems with an order in one line, or undefined when the paper broker can work it. */
export const orderProblems = (order: unknown): string | undefined => {
  const parsed = PaperOrderSchema.safeParse(order);
  if (parsed.success) return undefined;
  return parsed.error.issues.map((i) => i.message).join('; ');
};

const STATUSES = ['created', 'submitted', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'failed'];

/** A stored order handed back to the paper broker after a restart. */
export const RestoredOrderSchema = z
  .object({
    intent: z.custom<OrderIntent>((v) => typeof v === 'object' && v !== null, 'intent must be an order'),
    status: z.enum(STATUSES),
    filledQuantity: z.number().int().min(0),
    avgFillPrice: z.number().min(0),
    brokerOrderId: z.string().min(1).optional(),
    updatedTs: z.number(),
  })
  .superRefine((record, ctx) => {
    const problems = orderProblems(record.intent);
    if (problems !== undefined) ctx.addIssue({ code: 'custom', path: ['intent'], message: problems });
    else if (record.filledQuantity > record.intent.quantity) {
      ctx.addIssue({ code: 'custom', path: ['filledQuantity'], message: 'filledQuantity exceeds the order quantity' });
    }
  })
  .transform((record) => record as OrderRecord);
