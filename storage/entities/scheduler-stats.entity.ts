import { EntitySchema } from '@mikro-orm/core';

/** The scheduler counters; a singleton row with `id` = 1. */
export interface SchedulerStatsRow {
  id: number;
  evaluationsRun: number;
  signalsGenerated: number;
  tradesExecuted: number;
  tradesRejected: number;
  errors: number;
  lastEvaluation: number | null;
  lastTrade: number | null;
}

export const SCHEDULER_STATS_ID = 1;

export const SchedulerStatsEntity = new EntitySchema<SchedulerStatsRow>({
  name: 'SchedulerStatsRow',
  tableName: 'scheduler_stats',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: false },
    evaluationsRun: { type: 'integer' },
    signalsGenerated: { type: 'integer' },
    tradesExecuted: { type: 'integer' },
    tradesRejected: { type: 'integer' },
    errors: { type: 'integer' },
    lastEvaluation: { type: 'integer', nullable: true },
    lastTrade: { type: 'integer', nullable: true },
  },
});
