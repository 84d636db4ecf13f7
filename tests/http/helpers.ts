import { WebSocket } from 'ws';
import type { EngineApi } from '../../engine/engine-api.js';
import { type HttpServer, type HttpServerDeps, createHttpServer } from '../../http/app.js';
import type { IbkrControl } from '../../http/ibkr-control.js';
import type { HttpLogger } from '../../http/logger.js';
import { type HttpMetrics, createMetrics } from '../../http/metrics.js';
import { Subject, merge } from 'rxjs';
import { loadConfig } from '../../adapters/config/app-config.js';
import { type PaperSystem, createSystem, paperSystem } from '../../adapters/system/create-system.js';
import type { EngineEvent } from '../../engine/messages/engine-event.js';

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error' | 'debug';
  readonly obj: object;
  readonly msg: string | undefined;
}

export const recordingLogger = (): HttpLogger & { entries: LogEntry[] } => {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj, msg });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
};

/**
 * Replaces some EngineApi methods of a real engine without copying it (it may be a class with
 * private state): other members are read from, and bound to, the engine itself.
 */
export const withOverrides = <E extends object>(engine: E, overrides: Partial<EngineApi>): E =>
  new Proxy(engine, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return (overrides as Record<PropertyKey, unknown>)[key];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

export interface StartOptions {
  readonly token?: string;
  readonly corsOrigins?: readonly string[];
  readonly overrides?: Partial<EngineApi>;
  readonly ibkr?: IbkrControl;
  readonly ws?: HttpServerDeps['ws'];
  readonly bodyLimit?: string;
}

export interface TestServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly engine: TestEngine;
  readonly system: PaperSystem;
  readonly metrics: HttpMetrics;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly http: HttpServer;
  close(): Promise<void>;
}

/** The real engine, plus a way to inject synthetic events into what the HTTP layer observes. */
export type TestEngine = EngineApi & { emit(e: EngineEvent): void };

/**
 * A real server on 127.0.0.1 port 0 over the real system: engine graph, paper adapters and a
 * :memory: SQLite database with the real migrations (scheduler stopped, no seeded strategies, the
 * simulated market not playing). `emit` adds synthetic events to the engine's `events$` as the HTTP
 * layer sees it, for presentation tests (metrics, WebSocket streams) of events that are hard to
 * provoke; everything else goes through the real engine.
 */
export const startServer = async (opts: StartOptions = {}): Promise<TestServer> => {
  const system = paperSystem(
    await createSystem({
      config: loadConfig({ DATABASE_URL: 'sqlite::memory:', SCHEDULER_ENABLED: 'false', TRADING_STRATEGIES: '' }),
      logger: recordingLogger(),
      playMarket: false,
    }),
  );
  system.engine.start();
  const injected = new Subject<EngineEvent>();
  const events$ = merge(system.engine.events$, injected);
  const emit = (e: EngineEvent): void => injected.next(e);
  const engine = withOverrides(system.engine, {
    events$,
    ...opts.overrides,
    ...({ emit } as object),
  }) as unknown as TestEngine;
  const logger = recordingLogger();
  const metrics = createMetrics({ engine });
  const http = createHttpServer({
    engine,
    logger,
    api: {
      host: '127.0.0.1',
      port: 0,
      corsOrigins: opts.corsOrigins ?? [],
      ...(opts.token === undefined ? {} : { token: opts.token }),
      ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }),
    },
    ...(opts.ibkr === undefined ? {} : { ibkr: opts.ibkr }),
    metrics,
    ...(opts.ws === undefined ? {} : { ws: opts.ws }),
  });
  const { port } = await http.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    engine,
    system,
    metrics,
    logger,
    http,
    close: async () => {
      await http.close();
      metrics.dispose();
      injected.complete();
      await system.stop();
    },
  };
};

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** fetch with a JSON body (like the seed's `curl -H "Content-Type: application/json" -d ...`). */
export const call = async (
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> => {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json', ...headers };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: res.status, headers: res.headers, body: parsed };
};

export interface WsMsg {
  readonly type: string;
  readonly ts: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly data: any;
}

/** A ws client that queues parsed messages so a test can await the next one of a given type. */
export interface WsClient {
  readonly socket: WebSocket;
  next(type?: string): Promise<WsMsg>;
  closed: Promise<{ code: number; reason: string }>;
}

export const connectWs = (url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WsClient> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const queue: WsMsg[] = [];
    const waiters: { type: string | undefined; resolve: (m: WsMsg) => void }[] = [];
    const closed = new Promise<{ code: number; reason: string }>((res) =>
      socket.on('close', (code, reason) => res({ code, reason: reason.toString() })),
    );
    socket.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as WsMsg;
      const i = waiters.findIndex((w) => w.type === undefined || w.type === m.type);
      if (i >= 0) waiters.splice(i, 1)[0]?.resolve(m);
      else queue.push(m);
    });
    const next = (type?: string): Promise<WsMsg> => {
      const i = queue.findIndex((m) => type === undefined || m.type === type);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0] as WsMsg);
      return new Promise((res) => waiters.push({ type, resolve: res }));
    };
    socket.once('open', () => resolve({ socket, next, closed }));
    socket.once('error', reject);
  });

/** The HTTP status of a refused upgrade. */
export const upgradeStatus = (url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<number> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('upgrade unexpectedly accepted'));
    });
    socket.on('error', () => undefined);
  });
