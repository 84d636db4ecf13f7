import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { EntityManager, MikroORM } from '@mikro-orm/sqlite';
import { Observable } from 'rxjs';
import { DomainError } from '../engine/errors.js';
import type { EngineEvent } from '../engine/messages/engine-event.js';
import type { OrderIntent } from '../engine/messages/order.js';
import type { StrategyRecord } from '../engine/messages/strategy.js';
import type { EngineSnapshot, StorePort } from '../engine/ports/store.port.js';
import type { SchedulerStats } from '../engine/scheduler/scheduler-stats.js';
import { MEMORY, parseDatabaseUrl } from './database-url.js';
import { EngineValueEntity } from './entities/engine-value.entity.js';
import { OrderEntity } from './entities/order.entity.js';
import { SCHEDULER_STATS_ID, SchedulerStatsEntity } from './entities/scheduler-stats.entity.js';
import { StrategyEntity } from './entities/strategy.entity.js';
import {
  checkEvents,
  checkOrderIntent,
  checkSchedulerStats,
  checkStrategyRecord,
  checkValue,
} from './input-validation.js';
import { openOrm } from './orm.js';
import { projectEvent } from './projections/event.projection.js';
import { insertOrderIntent } from './projections/order.projection.js';
import { readSnapshot } from './snapshot-reader.js';
import {
  MAX_LIST_LIMIT,
  listFills,
  listOrderEvents,
  listOrders,
  listPositions,
  listSignals,
  type FillView,
  type OrderEventView,
  type OrderView,
  type PositionView,
  type SignalView,
} from './store-views.js';
import { WriteQueue } from './write-queue.js';
import {
  type ReadingQuery,
  type StoredSentimentReading,
  checkSentimentReadings,
  findSentimentReadings,
  insertSentimentReadings,
  pruneSentimentReadings,
} from './sentiment-readings.js';

export interface OpenStoreOptions {
  /** `DATABASE_URL`, see `parseDatabaseUrl` for the accepted forms. */
  readonly url: string;
}

/**
 * The engine's durable state in SQLite through MikroORM. Every call, reads included, runs through one
 * queue, so work is committed in call order; each write is one transaction. Methods return cold
 * Observables: the work starts on subscribe, and the Observable emits once and completes after commit
 * (or errors, having written nothing).
 */
export class SqliteStore implements StorePort {
  private readonly queue = new WriteQueue();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly orm: MikroORM,
    /** The database file's absolute path, or `:memory:`. */
    readonly path: string,
  ) {}

  load(): Observable<EngineSnapshot> {
    return this.run((em) => readSnapshot(em));
  }

  /** Fails with DomainError `conflict` when the client order id exists (nothing is written). */
  saveOrderIntent(order: OrderIntent): Observable<void> {
    return this.write(
      () => checkOrderIntent(order),
      (em) => saveIntent(em, order),
    );
  }

  /** Events of kinds the store does not keep are ignored by the projection. One transaction. */
  append(events: readonly EngineEvent[]): Observable<void> {
    return this.write(
      () => checkEvents(events),
      async (em) => {
        for (const event of events) await projectEvent(em, event);
      },
    );
  }

  saveStrategy(strategy: StrategyRecord): Observable<void> {
    return this.write(
      () => checkStrategyRecord(strategy),
      async (em) => {
        await em.upsert(StrategyEntity, { ...strategy });
      },
    );
  }

  /** Deleting an unknown id is not an error. */
  deleteStrategy(id: string): Observable<void> {
    return this.write(
      () => undefined,
      async (em) => {
        await em.nativeDelete(StrategyEntity, { id });
      },
    );
  }

  saveStats(stats: SchedulerStats): Observable<void> {
    return this.write(
      () => checkSchedulerStats(stats),
      async (em) => {
        await em.upsert(SchedulerStatsEntity, {
          id: SCHEDULER_STATS_ID,
          evaluationsRun: stats.evaluations_run,
          signalsGenerated: stats.signals_generated,
          tradesExecuted: stats.trades_executed,
          tradesRejected: stats.trades_rejected,
          errors: stats.errors,
          lastEvaluation: stats.last_evaluation,
          lastTrade: stats.last_trade,
        });
      },
    );
  }

  saveValue(key: string, value: unknown): Observable<void> {
    return this.write(
      () => checkValue(key, value),
      async (em) => {
        await em.upsert(EngineValueEntity, { key, value });
      },
    );
  }

  /** Stores sentiment readings in one transaction (a reading already stored is skipped); emits how many were new. */
  saveSentimentReadings(readings: readonly StoredSentimentReading[]): Observable<number> {
    return this.run(
      (em) => em.transactional((tx) => insertSentimentReadings(tx, readings)),
      () => checkSentimentReadings(readings),
    );
  }

  /** One symbol's readings published within the query's bounds, oldest first. */
  sentimentReadings(query: ReadingQuery): Observable<readonly StoredSentimentReading[]> {
    return this.run((em) => findSentimentReadings(em, query));
  }

  /** Deletes sentiment readings published before `beforeTs`; emits how many. */
  pruneSentimentReadings(beforeTs: number): Observable<number> {
    return this.run((em) => em.transactional((tx) => pruneSentimentReadings(tx, beforeTs)));
  }

  /** The newest `limit` orders, newest first. */
  listOrders(limit: number): Observable<readonly OrderView[]> {
    return this.run((em) => listOrders(em, limit));
  }

  /** Fills in time order (the newest `limit`), of one order when `clientOrderId` is given. */
  listFills(clientOrderId?: string, limit: number = MAX_LIST_LIMIT): Observable<readonly FillView[]> {
    return this.run((em) => listFills(em, clientOrderId, limit));
  }

  /** The newest `limit` scored signals with their risk decisions, newest first. */
  listSignals(limit: number): Observable<readonly SignalView[]> {
    return this.run((em) => listSignals(em, limit));
  }

  /** One order's status history, oldest first. */
  listOrderEvents(clientOrderId: string): Observable<readonly OrderEventView[]> {
    return this.run((em) => listOrderEvents(em, clientOrderId));
  }

  /** The newest `limit` position lifecycles (open and closed), most recently opened first. */
  listPositions(limit: number = MAX_LIST_LIMIT): Observable<readonly PositionView[]> {
    return this.run((em) => listPositions(em, limit));
  }

  /** Waits for queued work, then closes the database. Later calls fail; closing twice is harmless. */
  close(): Promise<void> {
    this.closing ??= this.queue.drain().then(() => this.orm.close(true));
    return this.closing;
  }

  /** `check` validates on subscribe, before queueing: bad input never waits for or opens a transaction. */
  private write(check: () => void, work: (em: EntityManager) => Promise<void>): Observable<void> {
    return this.run((em) => em.transactional((tx) => work(tx)), check);
  }

  private run<T>(work: (em: EntityManager) => Promise<T>, check: () => void = () => undefined): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.closing) {
        subscriber.error(new DomainError('unavailable', 'the store is closed'));
        return;
      }
      try {
        check();
      } catch (err: unknown) {
        subscriber.error(err);
        return;
      }
      this.queue
        .push(() => work(this.orm.em.fork()))
        .then(
          (value) => {
            subscriber.next(value);
            subscriber.complete();
          },
          (error: unknown) => subscriber.error(error),
        );
    });
  }
}

const saveIntent = async (em: EntityManager, order: OrderIntent): Promise<void> => {
  if (await em.findOne(OrderEntity, { clientOrderId: order.clientOrderId })) {
    throw new DomainError('conflict', `order ${order.clientOrderId} already exists`, [], {
      clientOrderId: order.clientOrderId,
    });
  }
  insertOrderIntent(em, order);
};

/**
 * Opens (creating if needed, with its parent directory) the database named by `url`, migrates it to the
 * current schema and returns the store. A bad URL throws before anything is touched.
 */
export const openStore = async (options: OpenStoreOptions): Promise<SqliteStore> => {
  const parsed = parseDatabaseUrl(options.url);
  const path = parsed === MEMORY ? parsed : resolve(parsed);
  if (path !== MEMORY) await mkdir(dirname(path), { recursive: true });
  return new SqliteStore(await openOrm(path), path);
};
