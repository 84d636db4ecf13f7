import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import type { Engine } from '../../engine/graph.js';
import { createEngine } from '../../engine/graph.js';
import type { ClockPort, IdPort } from '../../engine/ports/clock.port.js';
import type { EngineSnapshot } from '../../engine/ports/store.port.js';
import { strategyRegistry } from '../../engine/strategies/strategy-registry.js';
import { type HttpServer, createHttpServer } from '../../http/app.js';
import { createMetrics } from '../../http/metrics.js';
import { type SqliteStore, openStore } from '../../storage/sqlite-store.js';
import type { AppConfig } from '../config/app-config.js';
import { logEngineEvents } from '../logging/event-log.js';
import { type PaperBroker, createPaperBroker } from '../paper/paper-broker.js';
import { type SimulatedMarket, createSimulatedMarket } from '../paper/simulated-market.js';

/** Stored value keys the system owns. */
const MARKET_CURSOR = 'paper.market_cursor';
const SEEDED_STRATEGIES = 'strategies.seeded';
const MINUTE = 60_000;

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
  /** Play the simulated market on a wall-clock timer (default). Tests pass false and call `market.step()`. */
  readonly playMarket?: boolean;
}

/** The running bot: every part, wired once, with one start and one orderly stop. */
export interface System {
  readonly config: AppConfig;
  readonly engine: Engine;
  readonly market: SimulatedMarket;
  readonly broker: PaperBroker;
  readonly store: SqliteStore;
  readonly http: HttpServer;
  /** Starts the engine (and the scheduler when enabled), the HTTP server and the market; resolves with the bound address. */
  start(): Promise<{ host: string; port: number }>;
  /** Stops taking requests and market data, finishes in-flight orders and writes, closes the database. */
  stop(): Promise<void>;
}

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

/** Builds the paper-mode system from configuration (the composition root shared by main.ts and the tests). */
export const createSystem = async (options: SystemOptions): Promise<System> => {
  const { config, logger } = options;
  if (config.broker !== 'paper')
    throw new Error(
      `BROKER=${config.broker} is not available in this version: the IBKR adapter is not part of it yet; use BROKER=paper`,
    );
  logger.warn(
    { risk: config.risk },
    'RISK_DAILY_TRADE_LIMIT, RISK_WEEKLY_TRADE_LIMIT, RISK_CASH_ACCOUNT_THRESHOLD and RISK_PDT_ENFORCEMENT_MODE are validated but not enforced in this version',
  );
  const clock = options.clock ?? { now: () => Date.now() };
  const ids = options.ids ?? { next: () => randomUUID() };
  const store = await openStore({ url: config.storage.databaseUrl });
  try {
    const snapshot = await lastValueFrom(store.load());
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
    const engine = createEngine({
      config: config.engine,
      marketData: market,
      broker,
      store,
      clock,
      ids,
      scheduler: market.scheduler,
      registry: strategyRegistry,
      snapshot,
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
      metrics,
    });
    const eventLog = logEngineEvents(engine.events$, logger);
    let started = false;
    return {
      config,
      engine,
      market,
      broker,
      store,
      http,
      start: async () => {
        started = true;
        engine.start();
        await seedStrategies(config, engine, snapshot, store, logger);
        const address = await http.listen();
        if (options.playMarket ?? true) market.start();
        return address;
      },
      // Every step is safe when its part never started, so a failed start() is cleaned up the same way.
      stop: async () => {
        await http.close();
        market.stop();
        await engine.stop();
        if (started) await lastValueFrom(store.saveValue(MARKET_CURSOR, market.cursor()), { defaultValue: undefined });
        started = false;
        eventLog.unsubscribe();
        metrics.dispose();
        broker.dispose();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
};
