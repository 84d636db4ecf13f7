import type { Observable } from 'rxjs';
import type { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';
import type { OrderIntent } from '../../../engine/messages/order.js';
import type { IbkrLogger } from '../../../adapters/ibkr/ibkr-logger.js';
import {
  type IbkrAdapter,
  type IbkrAdapterOptions,
  type IbkrTuning,
  createIbkrAdapter,
} from '../../../adapters/ibkr/ibkr-adapter.js';
import { memoryOrderIdStore } from '../../../adapters/ibkr/order-id-store.js';
import type { FakeGateway } from '../../support/fake-gateway/fake-gateway.js';

/** One log call the adapter made. */
export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error' | 'debug';
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

/** A logger that keeps every entry (tests assert on codes, e.g. no client decode error 505). */
export const recordingLogger = (): IbkrLogger & { readonly entries: LogEntry[] } => {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg = ''): void => {
      entries.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
};

/** Gateway notices with code 505 (a decode error in the client) that reached the adapter. */
export const decodeErrorsIn = (entries: readonly LogEntry[]): LogEntry[] =>
  entries.filter((e) => e.obj['code'] === 505 || /decoding error|underrun/i.test(String(e.obj['text'] ?? '')));

/** Short waits for tests: backoff 20 ms, no warm-up, no ticks, commission grace 2 s. */
export const FAST_TUNING: IbkrTuning = {
  requestTimeoutMs: 4_000,
  openTimeoutMs: 4_000,
  connectTimeoutMs: 5_000,
  commissionGraceMs: 2_000,
  backoff: { initialMs: 20, factor: 2, maxMs: 200, clientIdInUseMs: 50 },
  warmup: false,
  ticks: false,
};

export interface AdapterUnderTest {
  readonly adapter: IbkrAdapter;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly ids: ReturnType<typeof memoryOrderIdStore>;
}

/** An adapter pointed at the fake gateway with client id 7 (override anything). */
export const adapterFor = (
  gw: FakeGateway,
  over: Partial<Omit<IbkrAdapterOptions, 'tuning'>> & { readonly tuning?: IbkrTuning; readonly clientId?: number } = {},
): AdapterUnderTest => {
  const logger = recordingLogger();
  const ids = memoryOrderIdStore();
  const { clientId, tuning, ...rest } = over;
  const adapter = createIbkrAdapter({
    config: { ibkr: { host: '127.0.0.1', port: gw.port, clientId: clientId ?? 7, tradingMode: 'paper' } },
    clock: { now: () => Date.now() },
    logger,
    orderIdStore: ids,
    ...rest,
    tuning: { ...FAST_TUNING, ...tuning },
  });
  return { adapter, logger, ids };
};

let seq = 0;
/** A market BUY of 10 AAPL unless overridden; a fresh clientOrderId each call. */
export const intent = (over: Partial<OrderIntent> = {}): OrderIntent => {
  seq += 1;
  return {
    kind: 'order.submit',
    ts: Date.UTC(2026, 10, 2, 15, 0),
    clientOrderId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    accountId: 'paper',
    symbol: 'AAPL',
    side: 'BUY',
    quantity: 10,
    type: 'market',
    purpose: 'enter',
    strategyId: 'momentum_AAPL',
    reason: 'test',
    ...over,
  };
};

/** Re-check `condition` every few milliseconds until it holds; fails after `timeoutMs` (a safety net, not an assertion on time). */
export const until = async (condition: () => boolean, what: string, timeoutMs = 6_000): Promise<void> => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
};

/** Every value `source$` emits from now on. */
export const record = <T>(source$: Observable<T>): T[] => {
  const seen: T[] = [];
  source$.subscribe((v) => seen.push(v));
  return seen;
};

/**
 * Let real socket I/O settle without moving virtual time: every message the adapter wrote has
 * reached the gateway, and a few event-loop turns passed with nothing new.
 */
export const settle = async (gw: FakeGateway, adapter: IbkrAdapter) => {
  const received = () => gw.received.filter((r) => r.kind !== 'startApi').length;
  for (let quiet = 0, guard = 0; quiet < 5 && guard < 10_000; guard += 1) {
    const before = received();
    await new Promise((resolve) => setImmediate(resolve));
    if (received() < adapter.stats().messagesSent) {
      quiet = 0;
      await new Promise((resolve) => setTimeout(resolve, 1));
    } else quiet = received() === before ? quiet + 1 : 0;
  }
};

/**
 * Advance virtual time until `done`: to the next timer if it is due within `stepMs`, else by
 * `stepMs`. Timers therefore run exactly at the target time, and time never moves while a request
 * is on the wire, so the gateway's `atMs` is exactly the virtual time the adapter wrote it at.
 */
export const drive = async (
  scheduler: EventTimeScheduler,
  gw: FakeGateway,
  adapter: IbkrAdapter,
  done: () => boolean,
  stepMs: number,
  maxSteps = 20_000,
) => {
  await settle(gw, adapter);
  for (let i = 0; i < maxSteps && !done(); i += 1) {
    const next = scheduler.actions[0]?.delay ?? Number.POSITIVE_INFINITY;
    scheduler.advanceTo(Math.max(scheduler.now(), Math.min(next, scheduler.now() + stepMs)));
    await settle(gw, adapter);
  }
  if (!done()) throw new Error('drive: condition not reached');
};
