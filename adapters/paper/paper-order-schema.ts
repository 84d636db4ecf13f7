import { z } from 'zod';
import { ORDER_STATUSES, type OrderIntent, OrderIntentSchema, type OrderRecord } from '../../engine/messages/order.js';

/** All problems with an order in one line, or undefined when the paper broker can work it. */
export const orderProblems = (order: unknown): string | undefined => {
  const parsed = OrderIntentSchema.safeParse(order);
  if (parsed.success) return undefined;
  return parsed.error.issues.map((i) => i.message).join('; ');
};

/** A stored order handed back to the paper broker after a restart. */
export const RestoredOrderSchema = z
  .object({
    intent: z.custom<OrderIntent>((v) => typeof v === 'object' && v !== null, 'intent must be an order'),
    status: z.enum(ORDER_STATUSES),
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
