import { randomUUID } from 'node:crypto';
import {
  type Observable,
  type SchedulerLike,
  type Subscription,
  asyncScheduler,
  filter,
  lastValueFrom,
  mergeMap,
  take,
} from 'rxjs';
import type { Engine } from '../../engine/graph.js';
import { createEngine } from '../../engine/graph.js';
import type { BrokerAccountReported } from '../../engine/messages/broker-account.js';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import type { BrokerConnectionState, BrokerPort } from '../../engine/ports/broker.port.js';
import type { ClockPort, IdPort } from '../../engine/ports/clock.port.js';
import type { MarketDataPort } from '../../engine/ports/market-data.port.js';
import type { EngineSnapshot } from '../../engine/ports/store.port.js';
import { strategyRegistry } from '../../engine/strategies/strategy-registry.js';
import { type HttpServer, createHttpServer } from '../../http/app.js';
import type { IbkrControl } from '../../http/ibkr-control.js';
import { createMetrics } from '../../http/metrics.js';
import { type SqliteStore, openStore } from '../../storage/sqlite-store.js';
import type { AppConfig } from '../config/app-config.js';
import { ibkrPortMismatch } from '../config/ibkr-port-check.js';
import { type IbkrAccountSummary, brokerAccountReport } from '../ibkr/account-summary.js';
import { type IbkrAdapter, type IbkrTuning, createIbkrAdapter } from '../ibkr/ibkr-adapter.js';
import type { IbkrBroker } from '../ibkr/ibkr-broker.js';
import { logEngineEvents } from '../logging/event-log.js';
import { type PaperBroker, createPaperBroker } from '../paper/paper-broker.js';
import { type SimulatedMarket, createSimulatedMarket } from '../paper/simulated-market.js';
import { engineLedger } from './engine-ledger.js';
import { storedOrderIds } from './stored-order-ids.js';
import { createSimulatedSentiment } from '../paper/simulated-sentiment.js';
import { createHttpClient } from '../sentiment/http/http-client.js';
import type { OptionStatsSource } from '../sentiment/options/provider.js';
import { buildProviders } from '../sentiment/providers.js';
import { type SentimentService, createSentimentService, storedHistory } from '../sentiment/sentiment-service.js';
import type { Bar } from '../../engine/messages/market.js';
import type { HttpMetrics } from '../../http/metrics.js';

/** Stored value keys the system owns. */
const MARKET_CURSOR = 'paper.market_cursor';
const SEEDED_STRATEGIES = 'strategies.seeded';
const MINUTE = 60_000;
/** Book equity and IBKR NetLiquidation further apart than this fraction get a warning at start. */
const BOOK_TOLERANCE = 0.01;

/** The logging the system needs (pino's logger fits). */
export interface SystemLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface SystemOptions {
  readonly config: AppConfig;
  readonly logger: SystemLogger;
  readonly clock?: ClockPort;
  readonly ids?: IdPort;
  /** BROKER=paper: play the simulated market on a wall-clock timer (default). Tests pass false and call `market.step()`. */
  readonly playMarket?: boolean;
  /** BROKER=ibkr: the adapter's timeouts, backoff, warm-up ... (tests shorten them; production keeps the defaults). */
  readonly ibkrTuning?: IbkrTuning;
}

interface SystemParts {
  readonly config: AppConfig;
  readonly engine: Engine;
  readonly store: SqliteStore;
  readonly http: HttpServer;
  /**
   * Starts the engine (and the scheduler when enabled), the HTTP server, then the market (paper) or
   * the connection to IB Gateway (ibkr: waits for it at most the adapter's connect timeout and
   * never fails because the gateway is down: the adapter keeps retrying); resolves with the bound address.
   */
  start(): Promise<{ host: string; port: number }>;
  /** Stops taking requests and market data, finishes in-flight orders and writes, closes the database. */
  stop(): Promise<void>;
}

/** BROKER=paper: the seeded simulated market and the built-in paper broker. */
export interface PaperSystem extends SystemParts {
  readonly mode: 'paper';
  readonly market: SimulatedMarket;
  readonly broker: PaperBroker;
}

/** BROKER=ibkr: market data, orders and the `/api/trading/ibkr/*` control through IB Gateway. */
export interface IbkrSystem extends SystemParts {
  readonly mode: 'ibkr';
  readonly broker: IbkrBroker;
  readonly ibkr: IbkrAdapter;
}

/** The running bot: every part, wired once, with one start and one orderly stop. */
export type System = PaperSystem | IbkrSystem;

/** The system as a paper system, for code that drives the simulated market; throws for BROKER=ibkr. */
export const paperSystem = (system: System): PaperSystem => {
  if (system.mode !== 'paper') throw new Error(`expected a BROKER=paper system, got BROKER=${system.mode}`);
  return system;
};

/** Where the simulated timeline continues after a restart: the saved cursor, else the last journaled market time. */
const resumePoint = (snapshot: EngineSnapshot): number | undefined => {
  const saved = snapshot.values[MARKET_CURSOR] ?? snapshot.values['engine.market_time'];
  return typeof saved === 'number' && Number.isFinite(saved) ? Math.floor(saved / MINUTE) * MINUTE : undefined;
};

/** TRADING_STRATEGIES: each entry is added once, ever; a strategy the user deleted is not re-added. */
const seedStrategies = async (
  config: AppConfig,
  engine: Engine,
  snapshot: EngineSnapshot,
  store: SqliteStore,
  logger: SystemLogger,
) => {
  const seeded = new Set(
    Array.isArray(snapshot.values[SEEDED_STRATEGIES]) ? (snapshot.values[SEEDED_STRATEGIES] as string[]) : [],
  );
  const existing = new Set(engine.listStrategies().map((s) => s.id));
  for (const s of config.tradingStrategies) {
    const id = `${s.strategy_type}_${s.symbol}`;
    if (seeded.has(id)) continue;
    seeded.add(id);
    if (existing.has(id)) continue;
    const entry = `${s.strategy_type}:${s.symbol}:${s.timeframe}`;
    const record = await engine
      .addStrategy({
        strategy_type: s.strategy_type,
        config: { symbol: s.symbol, timeframe: s.timeframe },
        enabled: true,
      })
      .catch((err: unknown) => {
        throw new Error(`TRADING_STRATEGIES entry '${entry}': ${err instanceof Error ? err.message : String(err)}`);
      });
    logger.info({ strategy: record.id, timeframe: record.timeframe }, 'strategy added from TRADING_STRATEGIES');
  }
  await lastValueFrom(store.saveValue(SEEDED_STRATEGIES, [...seeded]), { defaultValue: undefined });
};

/** What both modes share: configuration, logging, time, ids and the opened database. */
interface Context {
  readonly config: AppConfig;
  readonly logger: SystemLogger;
  readonly clock: ClockPort;
  readonly ids: IdPort;
  readonly store: SqliteStore;
  readonly snapshot: EngineSnapshot;
}

interface Ports {
  readonly sentiment: { readonly service: SentimentService; bindMetrics(metrics: ProviderCounters): void };
  readonly marketData: MarketDataPort;
  readonly broker: BrokerPort;
  /** The engine's loops and timeouts: the simulated market's event time (paper) or wall time (ibkr). */
  readonly scheduler: SchedulerLike;
  readonly ibkr?: IbkrControl;
  /** BROKER=ibkr: the account summary's figures for risk (DayTradesRemaining, SettledCash). */
  readonly brokerAccount$?: Observable<BrokerAccountReported>;
}

/** The engine, metrics, HTTP server and event log on the given ports. */
const assemble = (ctx: Context, ports: Ports) => {
  const { config, logger } = ctx;
  const engine = createEngine({
    config: config.engine,
    marketData: ports.marketData,
    broker: ports.broker,
    store: ctx.store,
    clock: ctx.clock,
    ids: ctx.ids,
    scheduler: ports.scheduler,
    registry: strategyRegistry,
    snapshot: ctx.snapshot,
    sentiment: ports.sentiment.service,
    ...(ports.brokerAccount$ === undefined ? {} : { brokerAccount$: ports.brokerAccount$ }),
    onError: (context, err) => logger.error({ err, context }, `engine failure in ${context}`),
  });
  const metrics = createMetrics({ engine });
  const http = createHttpServer({
    engine,
    logger,
    api: {
      host: config.api.host,
      port: config.api.port,
      corsOrigins: config.api.corsOrigins,
      ...(config.api.token ? { token: config.api.token } : {}),
    },
    ...(ports.ibkr === undefined ? {} : { ibkr: ports.ibkr }),
    sentiment: ports.sentiment.service,
    metrics,
  });
  const eventLog = logEngineEvents(engine.events$, logger);
  ports.sentiment.bindMetrics(metrics);
  return { engine, metrics, http, eventLog };
};

type ProviderCounters = Pick<HttpMetrics, 'providerRequest' | 'providerError'>;

interface SentimentParts {
  readonly engineNow: () => number;
  /** BROKER=paper: the simulated market's bars drive the simulated source. */
  readonly bars$?: Observable<Bar>;
  /** BROKER=ibkr: IBKR's option ticks. */
  readonly optionStats?: OptionStatsSource;
}

/** The sentiment service: the thirteen providers (when live), the paper-mode simulation, storage. */
const buildSentiment = (ctx: Context, parts: SentimentParts): Ports['sentiment'] => {
  const { config, logger, store } = ctx;
  const s = config.sentiment;
  const paper = config.broker === 'paper';
  const live = s.live === 'true' || (s.live === 'auto' && !paper);
  const simulate = s.simulated === 'true' || (s.simulated === 'auto' && paper);
  // Provider request and error counts go to the metrics, which are built after the service.
  const metricsRef: { target: ProviderCounters | undefined } = { target: undefined };
  const http = createHttpClient({
    timeoutMs: s.httpTimeoutMs,
    observer: { request: (provider, status) => metricsRef.target?.providerRequest(provider, status) },
  });
  const history = storedHistory(store);
  const symbols = [...new Set(config.tradingStrategies.map((t) => t.symbol))];
  const providers = live
    ? buildProviders(
        s.providers,
        { http, history, now: () => ctx.clock.now() },
        { symbols, ...(parts.optionStats === undefined ? {} : { optionStats: parts.optionStats }) },
      )
    : [];
  if (!live)
    logger.info(
      { broker: config.broker },
      'real sentiment providers are off (SENTIMENT_PROVIDERS=auto polls them with BROKER=ibkr only)',
    );
  const service = createSentimentService({
    providers,
    store,
    http,
    aggregation: s.aggregation,
    retentionDays: s.retentionDays,
    now: () => ctx.clock.now(),
    engineNow: parts.engineNow,
    logger,
    onProviderError: (source, kind) => metricsRef.target?.providerError(source, kind),
    ...(live
      ? {}
      : { missingReason: 'real providers are off: SENTIMENT_PROVIDERS=auto polls them with BROKER=ibkr only' }),
    ...(simulate && parts.bars$ !== undefined
      ? { simulated: createSimulatedSentiment({ seed: config.paper.seed, bars$: parts.bars$ }) }
      : {}),
  });
  return {
    service,
    bindMetrics: (metrics) => {
      metricsRef.target = metrics;
    },
  };
};

const buildPaperSystem = (ctx: Context, playMarket: boolean): PaperSystem => {
  const { config, snapshot, store } = ctx;
  const resumeFrom = resumePoint(snapshot);
  const market = createSimulatedMarket({
    symbols: [...config.paper.symbols],
    seed: config.paper.seed,
    startDate: config.paper.startDate,
    barIntervalMs: config.paper.barIntervalMs,
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
  });
  const broker = createPaperBroker({
    bars$: market.bars$,
    slippageBps: config.paper.slippageBps,
    commission: {
      perShare: config.paper.commissionPerShare,
      min: config.paper.commissionMin,
      maxPctOfValue: config.paper.commissionMaxPct,
    },
    maxVolumeParticipation: config.paper.maxVolumeParticipation,
    openOrders: [...snapshot.openOrders],
  });
  const sentiment = buildSentiment(ctx, { engineNow: () => market.scheduler.now(), bars$: market.bars$ });
  const { engine, metrics, http, eventLog } = assemble(ctx, {
    marketData: market,
    broker,
    scheduler: market.scheduler,
    sentiment,
  });
  let started = false;
  return {
    mode: 'paper',
    config,
    engine,
    market,
    broker,
    store,
    http,
    start: async () => {
      started = true;
      engine.start();
      sentiment.service.start();
      await seedStrategies(config, engine, snapshot, store, ctx.logger);
      const address = await http.listen();
      if (playMarket) market.start();
      return address;
    },
    // Every step is safe when its part never started, so a failed start() is cleaned up the same way.
    stop: async () => {
      await http.close();
      market.stop();
      await sentiment.service.stop();
      await engine.stop();
      if (started) await lastValueFrom(store.saveValue(MARKET_CURSOR, market.cursor()), { defaultValue: undefined });
      started = false;
      eventLog.unsubscribe();
      metrics.dispose();
      broker.dispose();
      await store.close();
    },
  };
};

const isPositionSyncTick = (e: EngineEvent): boolean => e.kind === 'scheduler.tick' && e.loop === 'position_sync';

const isUp = (state: BrokerConnectionState): boolean => state === 'connected' || state === 'degraded';

/** Risk sizes orders and checks cash against the engine's book, so say so when IBKR sees a different account. */
const compareBookWithAccount = (summary: IbkrAccountSummary, engine: Engine, logger: SystemLogger): void => {
  const netLiquidation = summary.net_liquidation;
  if (netLiquidation === null || netLiquidation <= 0) return;
  const bookEquity = engine.portfolio().equity;
  if (Math.abs(bookEquity - netLiquidation) <= BOOK_TOLERANCE * netLiquidation) return;
  logger.warn(
    { account: summary.account_id, book_equity: bookEquity, ibkr_net_liquidation: netLiquidation },
    "risk sizes orders and checks cash against the engine's own book (PAPER_INITIAL_CASH plus the fills it recorded), " +
      'not against the IBKR account, and the two differ by more than 1 % (expected when PAPER_INITIAL_CASH is a budget ' +
      'smaller than the account)',
  );
};

/**
 * Every account summary the adapter reads (on each connection's reconciliation, and on every
 * position sync through `broker.sync()`) as the engine's `broker.account_reported`. A summary whose
 * figures are not valid is logged and left out: risk goes on with its local ledgers.
 */
const brokerAccountReports = (
  summaries$: Observable<IbkrAccountSummary>,
  logger: SystemLogger,
): Observable<BrokerAccountReported> =>
  summaries$.pipe(
    mergeMap((summary) => {
      const read = brokerAccountReport(summary);
      if (read.ok) return [read.report];
      logger.warn(
        { account: summary.account_id, problems: read.problems },
        `IBKR account summary not passed to risk (it keeps its local ledgers): ${read.problems}`,
      );
      return [];
    }),
  );

/** Connect at start: log how it went; a gateway that is down or still logging in is not a failure. */
const connectAtStart = async (ibkr: IbkrAdapter, config: AppConfig, logger: SystemLogger): Promise<void> => {
  const { host, port, clientId, tradingMode } = config.ibkr;
  const state = await ibkr.connect();
  const where = { host, port, client_id: clientId, mode: tradingMode, state };
  if (isUp(state)) {
    logger.info(where, `connected to IB Gateway at ${host}:${port} (${tradingMode})`);
    return;
  }
  const status = await ibkr.control.status();
  logger.warn(
    { ...where, last_error: status['last_error'] ?? null },
    `IB Gateway at ${host}:${port} is not connected yet (${state}); the bot runs and keeps retrying with backoff`,
  );
};

const buildIbkrSystem = (ctx: Context, tuning: IbkrTuning | undefined): IbkrSystem => {
  const { config, logger, store, snapshot } = ctx;
  const orderIdStore = storedOrderIds(store, snapshot);
  let built: Engine | undefined;
  const engineNow = (): Engine => {
    if (built === undefined) throw new Error('the engine is not built yet');
    return built;
  };
  const { host, port, clientId, tradingMode, account } = config.ibkr;
  const ibkr = createIbkrAdapter({
    // No positionSync here: the engine's position_sync loop drives `broker.sync()` (one interval, one switch).
    config: { ibkr: { host, port, clientId, tradingMode } },
    logger,
    clock: ctx.clock,
    orderIdStore,
    ledger: engineLedger(store, engineNow),
    tuning: { ...(account === undefined ? {} : { account }), ...tuning },
  });
  let state: BrokerConnectionState = 'disconnected';
  const stateSub = ibkr.broker.connection$.subscribe((s) => (state = s));
  try {
    const sentiment = buildSentiment(ctx, {
      engineNow: () => ctx.clock.now(),
      optionStats: ibkr.optionTicks(config.sentiment.providers.options.maxLines),
    });
    const { engine, metrics, http, eventLog } = assemble(ctx, {
      marketData: ibkr.marketData,
      broker: ibkr.broker,
      scheduler: asyncScheduler,
      ibkr: ibkr.control,
      sentiment,
      brokerAccount$: brokerAccountReports(ibkr.control.accountSummary$, logger),
    });
    built = engine;
    const running: Subscription[] = [];
    const positionSync = (): void => {
      ibkr.broker.sync('position sync').then(
        (ran) => {
          if (!ran) logger.debug({ state }, 'position sync skipped: IB Gateway is not connected');
        },
        (err: unknown) => logger.error({ err }, 'position sync with IBKR failed'),
      );
    };
    return {
      mode: 'ibkr',
      config,
      engine,
      broker: ibkr.broker,
      ibkr,
      store,
      http,
      start: async () => {
        // The engine listens to the broker before the first connection, so fills found by the start-up
        // reconciliation reach the book.
        engine.start();
        sentiment.service.start();
        running.push(
          engine.events$.pipe(filter(isPositionSyncTick)).subscribe(positionSync),
          ibkr.control.accountSummary$.pipe(take(1)).subscribe((s) => compareBookWithAccount(s, engine, logger)),
        );
        await seedStrategies(config, engine, snapshot, store, logger);
        const address = await http.listen();
        await connectAtStart(ibkr, config, logger);
        return address;
      },
      // Every step is safe when its part never started, so a failed start() is cleaned up the same way.
      stop: async () => {
        await http.close();
        await sentiment.service.stop();
        await engine.stop();
        for (const s of running.splice(0)) s.unsubscribe();
        ibkr.dispose();
        stateSub.unsubscribe();
        eventLog.unsubscribe();
        metrics.dispose();
        await store.close();
      },
    };
  } catch (err) {
    stateSub.unsubscribe();
    ibkr.dispose();
    throw err;
  }
};

/**
 * Builds the system from configuration (the composition root shared by main.ts and the tests):
 * BROKER=paper wires the simulated market and the paper broker, BROKER=ibkr the IBKR adapter on IB
 * Gateway with the order-id high-water mark and the reconciliation ledger backed by the database.
 */
export const createSystem = async (options: SystemOptions): Promise<System> => {
  const { config, logger } = options;
  if (config.broker === 'ibkr') {
    const mismatch = ibkrPortMismatch(config.ibkr);
    if (mismatch !== undefined)
      logger.warn(
        { port: config.ibkr.port, mode: config.ibkr.tradingMode },
        `IBKR port and mode mismatch: ${mismatch}`,
      );
  }
  const clock = options.clock ?? { now: () => Date.now() };
  const ids = options.ids ?? { next: () => randomUUID() };
  const store = await openStore({ url: config.storage.databaseUrl });
  try {
    const snapshot = await lastValueFrom(store.load());
    const ctx: Context = { config, logger, clock, ids, store, snapshot };
    return config.broker === 'ibkr'
      ? buildIbkrSystem(ctx, options.ibkrTuning)
      : buildPaperSystem(ctx, options.playMarket ?? true);
  } catch (err) {
    await store.close();
    throw err;
  }
};
