import { type Observable, of } from 'rxjs';
import type { EngineEvent } from '../engine/messages/engine-event.js';
import type { OrderIntent } from '../engine/messages/order.js';
import type { StrategyRecord } from '../engine/messages/strategy.js';
import { type EngineSnapshot, JOURNALED_EVENT_KINDS, type StorePort } from '../engine/ports/store.port.js';
import type { SchedulerStats } from '../engine/scheduler/scheduler-stats.js';

const done = (): Observable<void> => of(undefined);

/**
 * A store that commits synchronously to memory: the benchmark's way of taking storage off the hot
 * path while keeping every write the engine makes (they are counted, so a run can show it journaled).
 */
export class MemoryStore implements StorePort {
  readonly counts = { intents: 0, events: 0, strategies: 0, stats: 0, values: 0 };

  load(): Observable<EngineSnapshot> {
    return of({ strategies: [], account: undefined, openOrders: [], stats: undefined, values: {} });
  }
  saveOrderIntent(_order: OrderIntent): Observable<void> {
    this.counts.intents++;
    return done();
  }
  append(events: readonly EngineEvent[]): Observable<void> {
    for (const e of events) if (JOURNALED_EVENT_KINDS.has(e.kind)) this.counts.events++;
    return done();
  }
  saveStrategy(_strategy: StrategyRecord): Observable<void> {
    this.counts.strategies++;
    return done();
  }
  deleteStrategy(_id: string): Observable<void> {
    return done();
  }
  saveStats(_stats: SchedulerStats): Observable<void> {
    this.counts.stats++;
    return done();
  }
  saveValue(_key: string, _value: unknown): Observable<void> {
    this.counts.values++;
    return done();
  }
}
