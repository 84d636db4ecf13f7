import type { Observable } from 'rxjs';
import { defer, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../engine/errors.js';
import { Journal, LatestValue, type StatsReading } from '../../engine/journal.js';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import type { StorePort } from '../../engine/ports/store.port.js';
import { EMPTY_STATS } from '../../engine/scheduler/scheduler-stats.js';
import { T0, bar, fill, scored } from '../support/factories.js';

/** A store whose next `failures` appends fail; records what it committed. */
const flakyStore = (failures: number) => {
  const committed: EngineEvent[][] = [];
  let left = failures;
  const store = {
    append: (events: readonly EngineEvent[]): Observable<void> =>
      defer(() => {
        if (left-- > 0) return throwError(() => new Error('SQLITE_FULL'));
        committed.push([...events]);
        return of(undefined);
      }),
    saveStats: () => of(undefined),
    saveValue: () => of(undefined),
  } as unknown as StorePort;
  return { store, committed };
};

describe('Journal', () => {
  it('batches what arrives during a write, skips kinds the store does not keep, and keeps order', async () => {
    const { store, committed } = flakyStore(0);
    const journal = new Journal(store, () => undefined);
    journal.record(scored());
    journal.record(bar('AAPL', 0, 100));
    journal.record(fill('a', 'BUY', 1, 100));
    journal.record(fill('b', 'BUY', 1, 100, { execId: 'b-1' }));
    await journal.flush();
    expect(committed.map((batch) => batch.map((e) => e.kind))).toEqual([
      ['signal.scored'],
      ['order.filled', 'order.filled'],
    ]);
  });

  it('keeps a failed batch, reports unhealthy, and writes it exactly once when the store recovers', async () => {
    const { store, committed } = flakyStore(1);
    const errors: unknown[] = [];
    const journal = new Journal(store, (e) => errors.push(e));
    journal.record(fill('a', 'BUY', 1, 100));
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
    expect(journal.healthy).toBe(false);
    expect(journal.pending).toBe(1);
    journal.record(fill('b', 'BUY', 1, 100, { execId: 'b-1' }));
    await journal.flush();
    expect(committed).toHaveLength(1);
    expect(committed[0]?.map((e) => (e.kind === 'order.filled' ? e.clientOrderId : e.kind))).toEqual(['a', 'b']);
    expect(journal.healthy).toBe(true);
    expect(journal.pending).toBe(0);
  });

  it('does not append a batch again when its events were committed and a later write of it failed', async () => {
    const committed: EngineEvent[][] = [];
    const values: unknown[] = [];
    let valueFailures = 1;
    const store = {
      append: (events: readonly EngineEvent[]) => defer(() => (committed.push([...events]), of(undefined))),
      saveStats: () => of(undefined),
      saveValue: (key: string, value: unknown) =>
        defer(() => {
          if (valueFailures-- > 0) return throwError(() => new Error('SQLITE_BUSY'));
          values.push([key, value]);
          return of(undefined);
        }),
    } as unknown as StorePort;
    const errors: unknown[] = [];
    const journal = new Journal(store, (e) => errors.push(e));
    journal.record(fill('x', 'BUY', 1, 100, { execId: 'x-1' }));
    // While that write is in flight, an event and a value queue up: the next batch carries both.
    journal.record(fill('a', 'BUY', 1, 100));
    journal.recordValue('risk.limits', { killSwitch: false });
    await journal.flush(); // the failed part is retried by the flush
    expect(errors).toHaveLength(1);
    journal.record(fill('b', 'BUY', 1, 100, { execId: 'b-1' }));
    await journal.flush();
    // 'a' once, then 'b' with the retried value: no event appended twice.
    expect(committed.map((batch) => batch.map((e) => (e.kind === 'order.filled' ? e.clientOrderId : e.kind)))).toEqual([
      ['x'],
      ['a'],
      ['b'],
    ]);
    expect(values).toEqual([['risk.limits', { killSwitch: false }]]);
    expect(journal.healthy).toBe(true);
  });

  it('drops only the event the store refuses as invalid, reports it, and writes the rest of the journal', async () => {
    const committed: string[][] = [];
    const idOf = (e: EngineEvent): string => (e.kind === 'order.filled' ? e.clientOrderId : e.kind);
    let attempts = 0;
    const store = {
      // Like the SQLite store: a batch holding an event it cannot keep is refused whole, before writing.
      append: (events: readonly EngineEvent[]) =>
        defer(() => {
          attempts++;
          if (events.some((e) => idOf(e) === 'bad'))
            return throwError(() => new DomainError('validation_error', 'invalid order.filled event: NaN'));
          committed.push(events.map(idOf));
          return of(undefined);
        }),
      saveStats: () => of(undefined),
      saveValue: () => of(undefined),
    } as unknown as StorePort;
    const errors: string[] = [];
    const journal = new Journal(store, (e) => errors.push(String(e)));
    journal.record(fill('x', 'BUY', 1, 100, { execId: 'x-1' }));
    // Queued behind that write: one batch with the bad event in the middle.
    journal.record(fill('a', 'BUY', 1, 100));
    journal.record(fill('bad', 'BUY', 1, 100, { execId: 'bad-1' }));
    journal.record(fill('c', 'BUY', 1, 100, { execId: 'c-1' }));
    await journal.flush();
    expect(committed).toEqual([['x'], ['a'], ['c']]);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatch(/refuses this order.filled event .*dropped/);
    expect(journal.pending).toBe(0);
    journal.record(fill('d', 'BUY', 1, 100, { execId: 'd-1' }));
    await journal.flush();
    expect(committed.at(-1)).toEqual(['d']);
    expect(journal.healthy).toBe(true);
    expect(attempts).toBe(6); // x, the refused batch, then a, bad and c alone, then d
  });

  it('drops a value the store refuses as invalid instead of retrying it with every later batch', async () => {
    const saved: unknown[] = [];
    let appends = 0;
    const store = {
      append: () => defer(() => (appends++, of(undefined))),
      saveStats: () => of(undefined),
      saveValue: (key: string, value: unknown) =>
        defer(() =>
          key === 'broken'
            ? throwError(
                () => new DomainError('validation_error', 'invalid value for broken: NaN is not a finite number'),
              )
            : (saved.push([key, value]), of(undefined)),
        ),
    } as unknown as StorePort;
    const errors: string[] = [];
    const journal = new Journal(store, (e) => errors.push(String(e)));
    journal.recordValue('broken', Number.NaN);
    await journal.flush();
    expect(await journal.valueWritten('broken')).toBe(false);
    expect(errors.at(-1)).toMatch(/refuses this value broken .*dropped/);
    journal.record(fill('a', 'BUY', 1, 100));
    journal.recordValue('fine', 1);
    await journal.flush();
    expect(saved).toEqual([['fine', 1]]);
    expect(appends).toBe(1);
    expect(errors).toHaveLength(1);
    expect(journal.healthy).toBe(true);
  });

  it('carries the counters and market time with a batch, read once when the batch starts', async () => {
    const saved: unknown[] = [];
    const store = {
      append: () => defer(() => (saved.push('events'), of(undefined))),
      saveStats: (s: unknown) => defer(() => (saved.push(s), of(undefined))),
      saveValue: (k: string, v: unknown) => defer(() => (saved.push([k, v]), of(undefined))),
    } as unknown as StorePort;
    const journal = new Journal(store, () => undefined);
    let now = { stats: { ...EMPTY_STATS, evaluations_run: 1 }, marketTime: T0 };
    let reads = 0;
    const latest = new LatestValue<StatsReading>(() => (reads++, now));
    journal.recordStats(latest);
    now = { stats: { ...EMPTY_STATS, evaluations_run: 2 }, marketTime: T0 + 60_000 };
    journal.recordStats(latest);
    expect(saved).toEqual([]); // counters alone start no write
    await journal.flush();
    expect(reads).toBe(1);
    expect(saved).toEqual([{ ...EMPTY_STATS, evaluations_run: 2 }, ['engine.market_time', T0 + 60_000]]);
    // They ride along with the next batch of events.
    now = { stats: { ...EMPTY_STATS, evaluations_run: 3 }, marketTime: T0 + 120_000 };
    journal.recordStats(latest);
    journal.record(fill('a', 'BUY', 1, 100));
    await journal.flush();
    expect(saved.slice(2)).toEqual([
      'events',
      { ...EMPTY_STATS, evaluations_run: 3 },
      ['engine.market_time', T0 + 120_000],
    ]);
    expect(reads).toBe(2);
  });
});
