import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Observable, type Subscription, auditTime, filter, groupBy, identity, map, mergeMap, share } from 'rxjs';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { EngineApi } from '../../engine/engine-api.js';
import { zodIssues } from '../../engine/errors.js';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import type { HttpLogger } from '../logger.js';
import type { HttpMetrics, WsDropReason } from '../metrics.js';
import { startHeartbeat } from './heartbeat.js';
import { ClientMessage, type WsMessage, changesHealth, portfolioMessage, routeEvent } from './messages.js';
import { WS_PATHS, type WsPath, checkUpgrade, rejectUpgrade } from './upgrade.js';

export interface WsHubOptions {
  readonly server: Server;
  readonly engine: EngineApi;
  readonly logger: HttpLogger;
  readonly metrics: HttpMetrics;
  readonly token: string | undefined;
  readonly origins: readonly string[];
  /** Ping interval; a client silent for a whole interval is terminated. Default 30 s. */
  readonly heartbeatMs?: number;
  /** A client whose unsent data exceeds this is dropped (close 1013). Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** /ws/health push interval. Default 5 s. */
  readonly healthIntervalMs?: number;
  /** Presentation throttle of position/account updates per key (latest wins). Default 250 ms. */
  readonly portfolioThrottleMs?: number;
}

export interface WsHub {
  /** Terminates every client, stops the timers and the engine subscription, detaches from the server. */
  close(): Promise<void>;
}

interface Client {
  readonly ws: WebSocket;
  readonly path: WsPath;
  alive: boolean;
  /** /ws/prices filter; null means every symbol. */
  symbols: ReadonlySet<string> | null;
}

const nowIso = (): string => new Date().toISOString();
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/**
 * WebSocket streams of SPEC section 11 on the HTTP server (`noServer` + 'upgrade'). One shared
 * subscription to `engine.events$` feeds every client; slow consumers and silent clients are
 * dropped rather than buffered without bound.
 */
export const createWsHub = (opts: WsHubOptions): WsHub => {
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const clients = new Map<WsPath, Set<Client>>(WS_PATHS.map((p) => [p, new Set<Client>()]));
  const all = function* (): Generator<Client> {
    for (const set of clients.values()) yield* set;
  };
  const listening = (path: WsPath): boolean => (clients.get(path)?.size ?? 0) > 0;

  const drop = (c: Client, reason: WsDropReason): void => {
    if (c.ws.readyState !== WebSocket.OPEN) return void c.ws.terminate();
    opts.metrics.wsDropped(c.path, reason);
    opts.logger.warn({ path: c.path, reason }, 'dropping WebSocket client');
    if (reason === 'slow_consumer') c.ws.close(1013, 'slow consumer');
    else c.ws.terminate();
  };

  const sendText = (c: Client, text: string): void => {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > maxBuffered) return drop(c, 'slow_consumer');
    c.ws.send(text);
  };
  const send = (c: Client, m: WsMessage): void => sendText(c, JSON.stringify(m));
  const broadcast = (path: WsPath, m: WsMessage, symbol?: string): void => {
    const set = clients.get(path);
    if (!set || set.size === 0) return;
    const text = JSON.stringify(m);
    for (const c of set) if (symbol === undefined || c.symbols === null || c.symbols.has(symbol)) sendText(c, text);
  };

  const safeRead = (read: () => unknown): unknown => {
    try {
      return read();
    } catch (err: unknown) {
      opts.logger.error(
        { err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) },
        'ws read failed',
      );
      return null;
    }
  };
  const healthMessage = (): WsMessage => ({ type: 'health', ts: nowIso(), data: safeRead(() => opts.engine.health()) });
  const pushHealth = (): void => {
    if (listening('/ws/health')) broadcast('/ws/health', healthMessage());
  };

  const helloData: Readonly<Record<WsPath, () => object>> = {
    '/ws/health': () => ({ health: safeRead(() => opts.engine.health()) }),
    '/ws/portfolio': () => ({ portfolio: safeRead(() => opts.engine.portfolio()) }),
    '/ws/prices': () => ({ symbols: null }),
    '/ws/signals': () => ({}),
  };
  const hello = (path: WsPath): WsMessage => ({
    type: 'hello',
    ts: nowIso(),
    data: { stream: path, ...helloData[path]() },
  });

  const sendError = (c: Client, message: string, issues?: readonly { path: string; message: string }[]): void =>
    send(c, {
      type: 'error',
      ts: nowIso(),
      data: { error: 'validation_error', message, ...(issues ? { issues } : {}) },
    });

  const onClientMessage = (c: Client, raw: RawData, isBinary: boolean): void => {
    if (c.path !== '/ws/prices') return sendError(c, `${c.path} accepts no messages`);
    if (isBinary) return sendError(c, 'messages must be JSON text');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString());
    } catch {
      return sendError(c, 'messages must be JSON text');
    }
    const result = ClientMessage.safeParse(parsed);
    if (!result.success) {
      const issues = zodIssues(result.error);
      return sendError(c, 'expected {"type":"subscribe","symbols":[...]} or {"type":"unsubscribe"}', issues);
    }
    c.symbols = result.data.type === 'subscribe' ? new Set(result.data.symbols) : null;
    send(c, { type: 'subscribed', ts: nowIso(), data: { symbols: c.symbols === null ? null : [...c.symbols] } });
  };

  const onConnection = (ws: WebSocket, path: WsPath): void => {
    const c: Client = { ws, path, alive: true, symbols: null };
    clients.get(path)?.add(c);
    opts.metrics.wsConnected(path);
    ws.on('pong', () => {
      c.alive = true;
    });
    ws.on('message', (raw, isBinary) => onClientMessage(c, raw, isBinary));
    ws.on('error', (err) => opts.logger.debug({ path, err: err.message }, 'WebSocket client error'));
    ws.on('close', () => {
      clients.get(path)?.delete(c);
      opts.metrics.wsDisconnected(path);
    });
    send(c, hello(path));
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (err) => opts.logger.debug({ err: err.message }, 'upgrade socket error'));
    const verdict = checkUpgrade(req, { token: opts.token, origins: opts.origins });
    if (!verdict.ok) return rejectUpgrade(socket, verdict.status, { error: verdict.error, message: verdict.message });
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, verdict.path));
  };

  const subscription = subscribeEvents(opts.engine.events$, opts.portfolioThrottleMs ?? 250, {
    active: () => WS_PATHS.some(listening),
    routed: (r) => broadcast(r.path, r.message, r.symbol),
    portfolio: (m) => broadcast('/ws/portfolio', m),
    health: pushHealth,
    skipped: (err, kind) => opts.logger.error({ kind, err: String(err) }, 'engine event not streamed'),
    failed: (err) => opts.logger.error({ err: String(err) }, 'engine event stream failed; streams stopped'),
  });
  const healthTimer = setInterval(pushHealth, opts.healthIntervalMs ?? 5000);
  const stopHeartbeat = startHeartbeat(all, opts.heartbeatMs ?? 30_000, (c) => drop(c, 'heartbeat'));
  opts.server.on('upgrade', onUpgrade);

  return {
    close: async () => {
      opts.server.off('upgrade', onUpgrade);
      stopHeartbeat();
      clearInterval(healthTimer);
      subscription.unsubscribe();
      for (const c of all()) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
};

interface EventSinks {
  /** Whether any client is connected: with none, events are not presented at all. */
  active(): boolean;
  routed(r: NonNullable<ReturnType<typeof routeEvent>>): void;
  portfolio(m: WsMessage): void;
  health(): void;
  /** An event could not be presented; it is skipped so one bad event never ends the streams. */
  skipped(err: unknown, kind: string): void;
  failed(err: unknown): void;
}

const guarded =
  <A, R>(f: (a: A) => R, onError: (err: unknown, a: A) => void) =>
  (a: A): R | undefined => {
    try {
      return f(a);
    } catch (err: unknown) {
      onError(err, a);
      return undefined;
    }
  };

/** One upstream subscription (shared) feeding the direct streams and the throttled portfolio stream. */
const subscribeEvents = (events$: Observable<EngineEvent>, throttleMs: number, sinks: EventSinks): Subscription => {
  const shared$ = events$.pipe(
    filter(() => sinks.active()),
    share(),
  );
  const skip = (err: unknown, e: EngineEvent): void => sinks.skipped(err, e.kind);
  const direct = guarded((e: EngineEvent) => {
    const routed = routeEvent(e);
    if (routed) sinks.routed(routed);
    if (changesHealth(e)) sinks.health();
  }, skip);
  const subscription = shared$.subscribe({ next: direct, error: sinks.failed });
  subscription.add(
    shared$
      .pipe(
        map(guarded(portfolioMessage, skip)),
        filter((p) => p !== undefined),
        groupBy((p) => p.key),
        mergeMap((g) => g.pipe(throttleMs > 0 ? auditTime(throttleMs) : identity)),
      )
      .subscribe({
        next: guarded(
          (p) => sinks.portfolio(p.message),
          (err) => sinks.skipped(err, 'portfolio'),
        ),
        error: () => undefined,
      }),
  );
  return subscription;
};
