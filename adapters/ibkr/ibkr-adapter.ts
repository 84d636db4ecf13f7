import { asyncScheduler, interval } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';
import { z } from 'zod';
import { parseOrThrow } from '../../engine/errors.js';
import type { BrokerConnectionState } from '../../engine/ports/broker.port.js';
import type { ClockPort } from '../../engine/ports/clock.port.js';
import { DEFAULT_BACKOFF } from './connection-machine.js';
import { HistoryClient } from './history-client.js';
import { HistoryPacer, SAFE_HISTORY_PACING } from './history-pacer.js';
import { type IbkrBroker, type IbkrLedger, createIbkrBroker } from './ibkr-broker.js';
import { IbkrConnection } from './ibkr-connection.js';
import { type OptionTicks, createOptionTicks } from './option-ticks.js';
import { type IbkrControlAdapter, createIbkrControl } from './ibkr-control.adapter.js';
import { type IbkrLogger, silentLogger } from './ibkr-logger.js';
import { type IbkrMarketData, createIbkrMarketData } from './ibkr-market-data.js';
import { OrderIdAllocator } from './order-id-allocator.js';
import type { OrderIdStore } from './order-id-store.js';
import { OutboundBudget } from './outbound-budget.js';

const positiveInt = z.number().int().positive();

/** Knobs with production defaults; tests shorten the waits. */
const TuningSchema = z.object({
  requestTimeoutMs: positiveInt.default(15_000),
  openTimeoutMs: positiveInt.default(10_000),
  connectTimeoutMs: positiveInt.default(20_000),
  commissionGraceMs: z.number().int().nonnegative().default(5_000),
  backoff: z
    .object({
      initialMs: positiveInt,
      factor: z.number().min(1),
      maxMs: positiveInt,
      clientIdInUseMs: z.number().int().nonnegative(),
    })
    .default(DEFAULT_BACKOFF),
  /** Outbound token bucket: burst + rate must stay under 40 messages in any second (IBKR's hard limit is 50). */
  budget: z
    .object({ ratePerSecond: z.number().positive(), burst: positiveInt })
    .refine((b) => b.ratePerSecond + b.burst < 40, 'ratePerSecond + burst must be < 40')
    .default({ ratePerSecond: 35, burst: 4 }),
  pacing: z
    .object({
      identicalGapMs: positiveInt,
      perContractWindowMs: positiveInt,
      perContractMax: positiveInt,
      windowMs: positiveInt,
      windowMax: positiveInt,
      maxInFlight: positiveInt,
    })
    .refine(
      (p) =>
        p.identicalGapMs >= 15_000 &&
        p.perContractWindowMs >= 2_000 &&
        p.perContractMax <= 5 &&
        p.windowMs >= 600_000 &&
        p.windowMax <= 60 &&
        p.maxInFlight <= 50,
      'pacing may be stricter than IBKR rules (15 s identical, < 6 per contract in 2 s, 60 in 10 min, 50 open), never looser',
    )
    .default(SAFE_HISTORY_PACING),
  /** 1-minute history emitted before live bars on subscribe (IBKR duration), or false. */
  warmup: z.union([z.string().regex(/^[1-9]\d{0,4} [SDWMY]$/), z.literal(false)]).default('2 D'),
  ticks: z.boolean().default(true),
  useRth: z.boolean().default(true),
  timeInForce: z.enum(['DAY', 'GTC']).default('DAY'),
  outsideRth: z.boolean().default(false),
  /** Send entries that carry stopLoss and takeProfit as IBKR brackets (the engine then must not exit them itself). */
  bracketEntries: z.boolean().default(false),
  /** IBKR account code to trade and report; default the first managed account. */
  account: z.string().min(1).optional(),
  testSymbol: z
    .string()
    .regex(/^[A-Z][A-Z0-9.]{0,9}$/)
    .default('SPY'),
});

export type IbkrTuning = z.input<typeof TuningSchema>;

const ConfigSchema = z.object({
  ibkr: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    clientId: z.number().int().nonnegative(),
    tradingMode: z.enum(['paper', 'live']),
  }),
  positionSync: z.object({ enabled: z.boolean(), intervalSeconds: z.number().positive() }).optional(),
});

export interface IbkrAdapterOptions {
  /** AppConfig fits: `ibkr` (host, port, clientId, tradingMode) and optionally `positionSync`. */
  readonly config: z.input<typeof ConfigSchema>;
  readonly logger?: IbkrLogger;
  /** Wall clock for event timestamps and reports. */
  readonly clock: ClockPort;
  /** Timers (timeouts, backoff, pacing, position sync); default asyncScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Durable high-water mark of order ids. */
  readonly orderIdStore: OrderIdStore;
  /** Our side of the books for reconciliation (database open orders, engine positions). */
  readonly ledger?: IbkrLedger;
  readonly tuning?: IbkrTuning;
}

/** Counters of the adapter's traffic. */
export interface IbkrAdapterStats {
  /** Messages written to IB Gateway through the outbound budget (the handshake is not counted). */
  readonly messagesSent: number;
  /** Messages waiting for budget tokens. */
  readonly messagesQueued: number;
  /** Historical-data requests waiting for the pacing rules. */
  readonly historyWaiting: number;
  /** Market-data values dropped by validation. */
  readonly invalidMarketData: number;
}

/** Everything the composition root wires: the engine's two ports, the HTTP control, and lifecycle. */
export interface IbkrAdapter {
  readonly broker: IbkrBroker;
  readonly marketData: IbkrMarketData;
  readonly control: IbkrControlAdapter;
  /** Counters for metrics and diagnostics. */
  stats(): IbkrAdapterStats;
  /** Start connecting (retrying with backoff); resolves with the state once connected or after connectTimeoutMs. */
  connect(): Promise<BrokerConnectionState>;
  disconnect(): void;
  /** Disconnect and release everything (timers, streams). */
  dispose(): void;
  /** The option-activity ticks on this connection (built on first call, stopped by `dispose`). */
  optionTicks(maxLines: number): OptionTicks;
}

/**
 * Build the IBKR adapter: one connection (fixed IBKR_CLIENT_ID, backoff reconnects), one outbound
 * budget for every message, the paced history client, the broker, market data and the control.
 * Nothing connects until `connect()` (or `control.connect()`).
 */
export const createIbkrAdapter = (options: IbkrAdapterOptions): IbkrAdapter => {
  const config = parseOrThrow(ConfigSchema, 'IBKR adapter config', options.config);
  const tuning = parseOrThrow(TuningSchema, 'IBKR adapter tuning', options.tuning ?? {});
  const logger = options.logger ?? silentLogger;
  const scheduler = options.scheduler ?? asyncScheduler;
  const { clock } = options;
  const { host, port, clientId, tradingMode } = config.ibkr;

  const budget = new OutboundBudget({ ...tuning.budget, scheduler });
  const connection = new IbkrConnection({
    host,
    port,
    clientId,
    scheduler,
    budget,
    logger,
    requestTimeoutMs: tuning.requestTimeoutMs,
    openTimeoutMs: tuning.openTimeoutMs,
    backoff: tuning.backoff,
  });
  const allocator = new OrderIdAllocator(options.orderIdStore);
  const broker = createIbkrBroker({
    connection,
    allocator,
    mapping: {
      timeInForce: tuning.timeInForce,
      outsideRth: tuning.outsideRth,
      bracketEntries: tuning.bracketEntries,
      ...(tuning.account === undefined ? {} : { account: tuning.account }),
    },
    scheduler,
    clock,
    logger,
    commissionGraceMs: tuning.commissionGraceMs,
    ...(options.ledger === undefined ? {} : { ledger: options.ledger }),
    ...(tuning.account === undefined ? {} : { account: tuning.account }),
  });
  const history = new HistoryClient({
    scheduler,
    pacer: new HistoryPacer(tuning.pacing),
    session: () => connection.session,
    logger,
  });
  const marketData = createIbkrMarketData({
    connection,
    history,
    logger,
    warmup: tuning.warmup,
    ticks: tuning.ticks,
    useRth: tuning.useRth,
  });
  const control = createIbkrControl({
    connection,
    broker,
    clock,
    host,
    port,
    clientId,
    mode: tradingMode,
    connectTimeoutMs: tuning.connectTimeoutMs,
    testSymbol: tuning.testSymbol,
    ...(tuning.account === undefined ? {} : { account: tuning.account }),
  });

  let sync: Subscription | undefined;
  const sync$ = config.positionSync?.enabled
    ? interval(config.positionSync.intervalSeconds * 1000, scheduler)
    : undefined;
  if (sync$)
    sync = sync$.subscribe(() => {
      broker.sync('position sync').catch((err: unknown) => logger.error({ err }, 'ibkr: position sync failed'));
    });

  // The persisted order-id mark is read before the first order can need it.
  allocator.load().catch((err: unknown) => logger.error({ err }, 'ibkr: could not read the order-id high-water mark'));

  let disposed = false;
  let optionTicks: OptionTicks | undefined;
  return {
    broker,
    marketData,
    control,
    stats: () => ({
      messagesSent: budget.sent,
      messagesQueued: budget.pending,
      historyWaiting: history.waiting,
      invalidMarketData: marketData.invalidCount(),
    }),
    connect: async () => {
      await allocator.load();
      connection.connect();
      return connection.settled(tuning.connectTimeoutMs);
    },
    disconnect: () => connection.disconnect(),
    optionTicks: (maxLines) => {
      optionTicks ??= createOptionTicks({ connection, logger, now: () => options.clock.now(), maxLines });
      return optionTicks;
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      optionTicks?.stop();
      sync?.unsubscribe();
      connection.disconnect();
      marketData.dispose();
      broker.dispose();
      connection.dispose();
      budget.dispose();
    },
  };
};
