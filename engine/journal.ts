import { type Observable, concat, defer, ignoreElements, lastValueFrom, tap } from 'rxjs';
import type { EngineEvent } from './messages/engine-event.js';
import { DomainError } from './errors.js';
import { JOURNALED_EVENT_KINDS, type StorePort } from './ports/store.port.js';
import type { SchedulerStats } from './scheduler/scheduler-stats.js';

/**
 * A value read when the batch carrying it is written rather than when it is recorded: for state that
 * changes many times between two writes (the exit states on every trailing-anchor move), built once
 * per write instead of once per change. Record the same instance each time.
 */
export class LatestValue<T = unknown> {
  constructor(readonly read: () => T) {}
}

/** The scheduler's counters and the market time reached, as the journal persists them together. */
export interface StatsReading {
  readonly stats: SchedulerStats;
  readonly marketTime: number;
}

/**
 * Writes engine events to the store in order, off the hot path: while one write is in flight, new
 * events queue up and go in the next write as one batch (one transaction), so a burst costs a few
 * commits, not one per event. The latest counters and market time ride along with each batch.
 * A failed write is reported through `onError` and what it had not committed is kept for the next
 * attempt, so nothing is dropped while the process lives. Events are appended first, in a transaction
 * of their own: when a later part of the batch fails (a value, the counters), the committed events are
 * not appended again (the counters and values are overwrites, so writing them twice is harmless).
 * What the store refuses as invalid (`validation_error`: a NaN, say) can never be written, and would
 * hold every later event back if retried: a refused batch is split into single events, and the one
 * the store refuses is dropped and reported, as is a refused value. The rest of the journal goes on.
 */
export class Journal {
  private buffer: EngineEvent[] = [];
  private stats: LatestValue<StatsReading> | undefined;
  /** Latest value per key (e.g. the risk limits), written with the next batch. */
  private values = new Map<string, unknown>();
  private inFlight: Promise<void> | undefined;
  private lastWriteFailed = false;
  /** Events at the head of `buffer` to append one per write (their batch was refused as invalid). */
  private alone = 0;
  /** Per key, the write that took its latest value: true once committed, false if it failed. */
  private readonly valueWrites = new Map<string, Promise<boolean>>();

  constructor(
    private readonly store: StorePort,
    private readonly onError: (err: unknown) => void,
  ) {}

  record(event: EngineEvent): void {
    if (!JOURNALED_EVENT_KINDS.has(event.kind)) return;
    this.buffer.push(event);
    this.kick();
  }

  /**
   * The counters and market time changed: `latest` is read when the next batch of events (a trade, a
   * position-sync snapshot) or `flush` starts, not written on its own: they change on every
   * evaluation tick and every signal, and a commit per change would cost an fsync each.
   */
  recordStats(latest: LatestValue<StatsReading>): void {
    this.stats = latest;
  }

  /**
   * Keeps the latest `value` for `key` and writes it with the next batch (starting one now if none is
   * in flight): state that must survive a restart, such as the kill switch, without a commit per change.
   * A {@link LatestValue} is read when that batch starts.
   */
  recordValue(key: string, value: unknown): void {
    this.values.set(key, value);
    this.kick();
  }

  /**
   * Resolves true once the value recorded for `key` so far is committed, false if the write carrying it
   * failed (it stays queued for a retry, but nothing may rely on it yet). Waits for at most the write
   * in flight and the one that takes the value, never for events recorded later, so a steady stream
   * of events cannot hold it up. True when nothing was recorded for `key`.
   */
  async valueWritten(key: string): Promise<boolean> {
    if (this.values.has(key)) {
      // A write in flight carries an older value (or none): the next one takes this value.
      if (this.inFlight) await this.inFlight;
      if (this.values.has(key)) this.kick();
    }
    return (await this.valueWrites.get(key)) ?? true;
  }

  /** Resolves once everything recorded so far is committed (or failed and reported). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.buffer.length > 0 || this.stats || this.values.size > 0) {
      this.kick();
      while (this.inFlight) await this.inFlight;
    }
  }

  /** False from a failed write until a write succeeds again. */
  get healthy(): boolean {
    return !this.lastWriteFailed;
  }

  /** Events recorded but not yet committed (after a failed write, until the retry succeeds). */
  get pending(): number {
    return this.buffer.length;
  }

  private kick(): void {
    if (this.inFlight) return;
    // Events a store refused as a batch go one per write, so the one it cannot keep is found and dropped.
    const alone = this.alone > 0;
    const events = alone ? this.buffer.splice(0, 1) : this.buffer;
    const statsSource = this.stats;
    const recorded = this.values;
    if (events.length === 0 && !statsSource && recorded.size === 0) return;
    if (alone) this.alone--;
    else this.buffer = [];
    this.stats = undefined;
    this.values = new Map();
    let reading: StatsReading | undefined;
    if (statsSource)
      try {
        reading = statsSource.read();
      } catch (err) {
        this.stats = statsSource;
        this.onError(err);
      }
    const values = new Map<string, unknown>();
    for (const [key, value] of recorded) {
      if (!(value instanceof LatestValue)) values.set(key, value);
      else
        try {
          values.set(key, value.read());
        } catch (err) {
          // Reported, and kept for the next batch; the rest of this one is written.
          this.values.set(key, value);
          this.onError(err);
        }
    }
    // Written in this order, each in a transaction of its own; `requeue` keeps a part that was not
    // committed for the next attempt, or drops it when the store refused it for good.
    const parts: { readonly write: () => Observable<void>; readonly requeue: (refused?: unknown) => void }[] = [];
    if (events.length > 0)
      parts.push({
        write: () => this.store.append(events),
        requeue: (refused) => {
          if (refused === undefined || events.length > 1) {
            this.buffer = [...events, ...this.buffer];
            if (refused === undefined) {
              if (this.alone > 0) this.alone += events.length;
            } else {
              this.alone = events.length;
              this.onError(refused);
            }
          } else this.onError(droppedError(`${events[0]?.kind ?? ''} event`, refused));
        },
      });
    if (reading) {
      const { stats, marketTime } = reading;
      parts.push({
        write: () => this.store.saveStats(stats),
        requeue: (refused) => {
          if (refused === undefined) this.stats ??= statsSource;
          else this.onError(droppedError('scheduler counters', refused));
        },
      });
      parts.push({
        write: () => this.store.saveValue('engine.market_time', marketTime),
        requeue: (refused) => {
          if (refused === undefined) this.stats ??= statsSource;
          else this.onError(droppedError('market time', refused));
        },
      });
    }
    for (const [key, value] of values)
      parts.push({
        write: () => this.store.saveValue(key, value),
        requeue: (refused) => {
          if (refused !== undefined) this.onError(droppedError(`value ${key}`, refused));
          else if (!this.values.has(key)) this.values.set(key, value);
        },
      });
    let committed = 0;
    /** After a refusal the rest goes on at once: what was refused is dropped or isolated, so this cannot loop. */
    let refused = false;
    const writes = parts.map((part) =>
      defer(part.write).pipe(
        tap({
          complete: () => {
            committed++;
          },
        }),
      ),
    );
    const written = lastValueFrom(concat(...writes).pipe(ignoreElements()), { defaultValue: undefined }).then(
      () => {
        this.lastWriteFailed = false;
        return true;
      },
      (err: unknown) => {
        this.lastWriteFailed = true;
        // Keep what was not committed; it is retried with the next recorded event (no tight retry
        // loop). The part that failed is dropped instead if the store refuses it whatever happens.
        refused = refusedForGood(err);
        // A refused part reports itself below (dropped, or its batch split).
        if (!refused) this.onError(err);
        for (let i = parts.length - 1; i >= committed; i--)
          parts[i]?.requeue(i === committed && refused ? err : undefined);
        return false;
      },
    );
    for (const key of values.keys()) this.valueWrites.set(key, written);
    this.inFlight = written.then((ok) => {
      this.inFlight = undefined;
      if ((ok || refused) && this.buffer.length > 0) this.kick();
    });
  }
}

/** A write the store refuses as invalid (`validation_error`): retrying the same data cannot succeed. */
const refusedForGood = (err: unknown): boolean => err instanceof DomainError && err.code === 'validation_error';

const droppedError = (what: string, refused: unknown): Error =>
  new Error(
    `journal: the store refuses this ${what} (${refused instanceof Error ? refused.message : String(refused)}); it is dropped so that the rest of the journal is still written`,
  );
