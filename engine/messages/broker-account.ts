import { z } from 'zod';

/**
 * The broker's own figures for the account, as read from its account summary (IBKR
 * REQ_ACCOUNT_SUMMARY, on connect and on every position sync). Risk keeps the latest one: the
 * `broker` PDT policy decides with `dayTradesRemaining`, and a cash account never spends more than
 * `settledCash`. Paper trading publishes none (the paper broker has no such figures).
 *
 * Not journaled to the database: it is re-read on every connect and goes stale in minutes, and a
 * refusal it caused names the broker's figure in its reason, which is journaled with the decision.
 */
export interface BrokerAccountReported {
  readonly kind: 'broker.account_reported';
  /** When the summary was read (epoch ms). */
  readonly ts: number;
  /** The broker's account code (IBKR `DU1234567`), when known. */
  readonly accountId?: string;
  /** IBKR `DayTradesRemaining`: -1 = unlimited; null when the broker did not report it. */
  readonly dayTradesRemaining: number | null;
  /** IBKR `SettledCash` (cash settled, less purchases at trade time); null when not reported. */
  readonly settledCash: number | null;
}

/** Validation of a report built from an external payload (the adapter parses the summary with it). */
export const BrokerAccountReportedSchema = z.strictObject({
  kind: z.literal('broker.account_reported'),
  ts: z.number({ error: 'ts must be epoch milliseconds' }).int({ error: 'ts must be epoch milliseconds' }).min(0),
  accountId: z.string().min(1, { error: 'accountId must not be empty' }).exactOptional(),
  dayTradesRemaining: z
    .number({ error: 'dayTradesRemaining must be a number or null' })
    .int({ error: 'dayTradesRemaining must be a whole number' })
    .min(-1, { error: 'dayTradesRemaining must be >= -1 (-1 = unlimited)' })
    .nullable(),
  settledCash: z.number({ error: 'settledCash must be a finite number or null' }).nullable(),
});
