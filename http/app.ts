import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import type { EngineApi } from '../engine/engine-api.js';
import type { IbkrControl } from './ibkr-control.js';
import type { HttpLogger } from './logger.js';
import type { HttpMetrics } from './metrics.js';
import { auth } from './middleware/auth.js';
import { jsonBody } from './middleware/body.js';
import { cors } from './middleware/cors.js';
import { errorHandler } from './middleware/error-handler.js';
import { jsonNotFound } from './middleware/not-found.js';
import { requestId } from './middleware/request-id.js';
import { requestMetrics } from './middleware/request-metrics.js';
import { registerHealthRoutes } from './routes/health.routes.js';
import { registerIbkrRoutes } from './routes/ibkr.routes.js';
import { registerMetricsRoutes } from './routes/metrics.routes.js';
import { registerSchedulerRoutes } from './routes/scheduler.routes.js';
import { registerStrategyRoutes } from './routes/strategies.routes.js';
import { registerRiskRoutes } from './routes/risk.routes.js';
import { registerSentimentRoutes } from './routes/sentiment.routes.js';
import type { SentimentApi } from './sentiment-api.js';
import { registerTradingRoutes } from './routes/trading.routes.js';
import { type WsHub, createWsHub } from './ws/hub.js';
import { isLoopbackHost } from '../adapters/config/config-values.js';

export interface HttpServerDeps {
  readonly engine: EngineApi;
  readonly logger: HttpLogger;
  readonly api: {
    readonly host: string;
    readonly port: number;
    /** API_TOKEN: when set, mutating requests and WebSocket upgrades need it. */
    readonly token?: string;
    readonly corsOrigins: readonly string[];
    /** JSON body size limit (bytes-style string). Default '100kb'. */
    readonly bodyLimit?: string;
  };
  /** The IBKR adapter's control; absent with BROKER=paper. */
  readonly ibkr?: IbkrControl;
  /** The sentiment sources and their readings; absent: the sentiment endpoints answer 503. */
  readonly sentiment?: SentimentApi;
  readonly metrics: HttpMetrics;
  readonly ws?: {
    readonly heartbeatMs?: number;
    readonly maxBufferedBytes?: number;
    readonly healthIntervalMs?: number;
    readonly portfolioThrottleMs?: number;
  };
}

export interface HttpServer {
  readonly server: Server;
  /** Resolves with the bound address (port 0 picks a free one). */
  listen(): Promise<{ host: string; port: number }>;
  /** Closes WebSocket clients, open connections and the listener. */
  close(): Promise<void>;
}

const buildRouter = (deps: HttpServerDeps): Router => {
  const router = new Router();
  registerHealthRoutes(router, deps.engine);
  registerStrategyRoutes(router, deps.engine);
  registerSchedulerRoutes(router, deps.engine);
  registerTradingRoutes(router, deps.engine);
  registerRiskRoutes(router, deps.engine);
  registerSentimentRoutes(router, deps.engine, deps.sentiment);
  registerIbkrRoutes(router, deps.engine, deps.ibkr);
  registerMetricsRoutes(router, deps.metrics);
  return router;
};

/**
 * The Koa app in its fixed middleware order: request metrics (outermost, to see the final status),
 * error handler, request id, CORS, auth, JSON body, router, JSON 404/405. Auth runs before the body
 * parser so an unauthenticated client cannot make the server parse its body.
 */
const createApp = (deps: HttpServerDeps): Koa => {
  const app = new Koa();
  const router = buildRouter(deps);
  app.use(requestMetrics(deps.metrics));
  app.use(errorHandler(deps.logger));
  app.use(requestId());
  app.use(cors(deps.api.corsOrigins));
  app.use(auth(deps.api.token));
  for (const m of jsonBody(deps.api.bodyLimit ?? '100kb')) app.use(m);
  app.use(jsonNotFound());
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.on('error', (err: unknown) => deps.logger.warn({ err: String(err) }, 'http response error'));
  return app;
};

/**
 * Builds the REST API and the WebSocket hub on one HTTP server, everything from `deps` (no
 * globals). `listen()` refuses a non-loopback host without a token (SPEC section 10).
 */
export const createHttpServer = (given: HttpServerDeps): HttpServer => {
  // An empty token is no token, for auth, WebSocket upgrades and the exposure check alike.
  const { token, ...api } = given.api;
  const deps: HttpServerDeps = { ...given, api: { ...api, ...(token ? { token } : {}) } };
  const server = createServer(createApp(deps).callback());
  // The hub (engine subscription, health and heartbeat timers) exists only while listening.
  let hub: WsHub | undefined;
  return {
    server,
    listen: async () => {
      const address = await listen(server, deps);
      hub = createWsHub({
        server,
        engine: deps.engine,
        logger: deps.logger,
        metrics: deps.metrics,
        token: deps.api.token,
        origins: deps.api.corsOrigins,
        ...deps.ws,
      });
      return address;
    },
    close: async () => {
      await hub?.close();
      hub = undefined;
      await closeServer(server);
    },
  };
};

const listen = (server: Server, deps: HttpServerDeps): Promise<{ host: string; port: number }> => {
  const { host, port, token } = deps.api;
  if (!isLoopbackHost(host) && token === undefined) {
    return Promise.reject(
      new Error(`refusing to listen on ${host} without API_TOKEN: set API_TOKEN or API_HOST=127.0.0.1`),
    );
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      deps.logger.info({ host: addr.address, port: addr.port }, 'http server listening');
      resolve({ host: addr.address, port: addr.port });
    });
  });
};

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
