import { z } from 'zod';
import { DomainError, zodIssues } from '../engine/errors.js';
import type { EngineEvent } from '../engine/messages/engine-event.js';
import { TIMEFRAMES } from '../engine/messages/market.js';
import { OrderIntentSchema } from '../engine/messages/order.js';

const epochMs = z.number().int().nonnegative();
const count = z.number().int().nonnegative();

const StrategyRecordSchema = z.object({
  id: z.string().min(1),
  strategyType: z.string().min(1),
  symbol: z.string().min(1),
  timeframe: z.enum(TIMEFRAMES),
  config: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  createdTs: epochMs,
  updatedTs: epochMs,
});

const SchedulerStatsSchema = z.object({
  evaluations_run: count,
  signals_generated: count,
  trades_executed: count,
  trades_rejected: count,
  errors: count,
  last_evaluation: epochMs.nullable(),
  last_trade: epochMs.nullable(),
});

const check = (schema: z.ZodType, what: string, value: unknown): void => {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issues = zodIssues(result.error);
  throw new DomainError(
    'validation_error',
    `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
};

/** Rejects (DomainError `validation_error`) what the tables cannot hold faithfully, before anything is written. */
export const checkOrderIntent = (value: unknown): void => check(OrderIntentSchema, 'order intent', value);
export const checkStrategyRecord = (value: { readonly config: unknown }): void => {
  check(StrategyRecordSchema, 'strategy', value);
  const problem = jsonProblem(value.config);
  if (problem !== undefined) throw new DomainError('validation_error', `invalid strategy: config: ${problem}`);
};
export const checkSchedulerStats = (value: unknown): void => check(SchedulerStatsSchema, 'scheduler stats', value);

const finiteOnly = (_key: string, v: unknown): unknown => {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`${v} is not a finite number`);
  return v;
};

/** Why `value` cannot round-trip through JSON, or undefined when it can. */
const jsonProblem = (value: unknown): string | undefined => {
  try {
    return JSON.stringify(value, finiteOnly) === undefined ? 'not representable as JSON' : undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

/** A value key must be non-empty and the value JSON without loss (no undefined, functions, BigInt, NaN, cycles). */
export const checkValue = (key: string, value: unknown): void => {
  if (key.length === 0) throw new DomainError('validation_error', 'invalid value: the key is empty');
  const problem = jsonProblem(value);
  if (problem !== undefined) throw new DomainError('validation_error', `invalid value for ${key}: ${problem}`);
};

/** Rejects a batch holding a number SQLite cannot store (NaN, Infinity), naming the event, before any write. */
export const checkEvents = (events: readonly EngineEvent[]): void => {
  for (const [index, event] of events.entries()) {
    const problem = jsonProblem(event);
    if (problem !== undefined) {
      throw new DomainError('validation_error', `invalid ${event.kind} event at index ${index}: ${problem}`, [
        { path: `${index}`, message: problem },
      ]);
    }
  }
};
