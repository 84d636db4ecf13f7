import type { SchedulerLike, Subscription } from 'rxjs';
import type { BarSizeSetting, WhatToShow } from '@stoqey/ib';
import { DomainError } from '../../engine/errors.js';
import type { Bar, Timeframe } from '../../engine/messages/market.js';
import type { IbkrLogger } from './ibkr-logger.js';
import { formatIbUtc, parseBar, parseIbTime } from './ibkr-parse.js';
import type { IbkrSession } from './ibkr-session.js';
import type { HistoryPacer, PacedRequest } from './history-pacer.js';
import { stockContract } from './order-mapping.js';

/** A request for historical bars of one symbol. */
export interface HistoryQuery {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** IBKR duration: `<n> S|D|W|M|Y`, e.g. `2 D`. */
  readonly duration: string;
  /** End of the period (epoch ms); omitted = now. */
  readonly endTs?: number;
  /** Regular trading hours only (default true). */
  readonly useRth?: boolean;
  readonly whatToShow?: 'TRADES' | 'MIDPOINT' | 'BID_ASK';
}

const BAR_SIZE: Readonly<Record<Timeframe, string>> = {
  '1m': '1 min',
  '5m': '5 mins',
  '15m': '15 mins',
  '1h': '1 hour',
  '1d': '1 day',
};

const DURATION = /^[1-9]\d{0,4} [SDWMY]$/;

interface Queued {
  readonly query: HistoryQuery;
  readonly paced: PacedRequest;
  readonly resolve: (bars: readonly Bar[]) => void;
  readonly reject: (err: unknown) => void;
}

export interface HistoryClientOptions {
  readonly scheduler: SchedulerLike;
  readonly pacer: HistoryPacer;
  /** The session to use now (undefined when not connected). */
  readonly session: () => IbkrSession | undefined;
  readonly logger: IbkrLogger;
}

/**
 * Historical bars through the pacing rules: requests wait in FIFO order until HistoryPacer allows
 * them (a later request may go first when only an earlier one is blocked, e.g. by the 15 s identical
 * rule); one is handed to the session at a time and recorded when it is actually written, so the
 * gateway sees exactly the paced times. An identical request already waiting or running shares its
 * answer instead of being sent again. Bars are validated; bad ones are dropped and reported.
 */
export class HistoryClient {
  private readonly queue: Queued[] = [];
  private readonly shared = new Map<string, Promise<readonly Bar[]>>();
  private writing = false;
  private invalidBars = 0;
  private wake: Subscription | undefined;

  constructor(private readonly options: HistoryClientOptions) {}

  /** Historical bars IBKR sent that failed validation (dropped). */
  get invalid(): number {
    return this.invalidBars;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  fetch(query: HistoryQuery): Promise<readonly Bar[]> {
    if (!DURATION.test(query.duration))
      return Promise.reject(
        new DomainError('validation_error', `duration must look like '2 D' (<n> S|D|W|M|Y), got '${query.duration}'`),
      );
    const whatToShow = query.whatToShow ?? 'TRADES';
    const identity = [
      query.symbol,
      query.timeframe,
      query.duration,
      query.endTs ?? 'now',
      query.useRth ?? true,
      whatToShow,
    ].join('|');
    const existing = this.shared.get(identity);
    if (existing) return existing;
    const paced: PacedRequest = {
      identity,
      contractKey: `${query.symbol}|SMART|${whatToShow}`,
      weight: whatToShow === 'BID_ASK' ? 2 : 1,
    };
    const promise = new Promise<readonly Bar[]>((resolve, reject) => {
      this.queue.push({ query, paced, resolve, reject });
    }).finally(() => this.shared.delete(identity));
    this.shared.set(identity, promise);
    this.pump();
    return promise;
  }

  /** Fail everything waiting (e.g. on dispose). */
  clear(reason: string): void {
    this.wake?.unsubscribe();
    this.wake = undefined;
    for (const q of this.queue.splice(0)) q.reject(new DomainError('not_connected', reason));
  }

  private pump(): void {
    if (this.writing || this.queue.length === 0) return;
    const session = this.options.session();
    if (!session) {
      this.clear('IB Gateway is not connected: historical data request not sent');
      return;
    }
    const now = this.options.scheduler.now();
    let wakeAt: number | undefined;
    for (let i = 0; i < this.queue.length; i += 1) {
      const item = this.queue[i] as Queued;
      const at = this.options.pacer.earliest(item.paced, now);
      if (at === undefined) continue;
      if (at <= now) {
        this.queue.splice(i, 1);
        this.send(session, item);
        return;
      }
      wakeAt = wakeAt === undefined ? at : Math.min(wakeAt, at);
    }
    if (wakeAt !== undefined) this.sleepUntil(wakeAt);
  }

  private sleepUntil(at: number): void {
    this.wake?.unsubscribe();
    this.wake = this.options.scheduler.schedule(
      () => {
        this.wake = undefined;
        this.pump();
      },
      Math.max(1, at - this.options.scheduler.now()),
    );
  }

  private send(session: IbkrSession, item: Queued): void {
    const { pacer, scheduler } = this.options;
    const { query } = item;
    this.writing = true;
    let recorded = false;
    const written = () => {
      recorded = true;
      pacer.record(item.paced, scheduler.now());
      this.writing = false;
      this.pump();
    };
    session
      .historicalData(
        stockContract(query.symbol),
        {
          endDateTime: query.endTs === undefined ? '' : formatIbUtc(query.endTs),
          duration: query.duration,
          barSize: BAR_SIZE[query.timeframe] as BarSizeSetting,
          whatToShow: (query.whatToShow ?? 'TRADES') as WhatToShow,
          useRth: query.useRth ?? true,
        },
        written,
      )
      .then(
        (raw) => {
          const bars: Bar[] = [];
          for (const r of raw) {
            const parsed = parseBar(query.symbol, parseIbTime(r.time), query.timeframe, r);
            if (parsed.ok) bars.push(parsed.value);
            else {
              this.invalidBars += 1;
              this.options.logger.warn({ reason: parsed.reason }, 'ibkr: historical bar dropped');
            }
          }
          bars.sort((a, b) => a.ts - b.ts);
          item.resolve(bars);
        },
        (err: unknown) => item.reject(err),
      )
      .finally(() => {
        if (recorded) pacer.settle();
        else {
          this.writing = false;
        }
        this.pump();
      });
  }
}
