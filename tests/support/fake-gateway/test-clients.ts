import type { EventEmitter } from 'node:events';
import { EventName, IBApi, IBApiNext, type IBApiNextCreationOptions, type Logger } from '@stoqey/ib';
import type { FakeGateway } from './fake-gateway.js';

/**
 * Helpers for tests that drive the real `@stoqey/ib` client against the fake gateway: clients wired
 * to the gateway's port with a silent logger and error watching, and promise-based event waits
 * (no sleeps). Every client created here is registered for `closeClients()`.
 */

/** IBApiNext logger that drops everything (IBApiNext logs to the console by default). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const openClients = new Set<IBApi | IBApiNext>();

/** A raw IBApi connected to the gateway with `clientId`; resolves once NEXT_VALID_ID arrived (with it). */
export const connectIBApi = async (gw: FakeGateway, clientId: number): Promise<{ api: IBApi; nextValidId: number }> => {
  const api = new IBApi({ host: '127.0.0.1', port: gw.port });
  openClients.add(api);
  gw.watchClient(api);
  const ready = nextEvent<[number]>(api, EventName.nextValidId);
  api.connect(clientId);
  const [nextValidId] = await ready;
  return { api, nextValidId };
};

/** An IBApiNext for the gateway (silent logger, errors watched). Not connected yet: call `connect(clientId)`. */
export const createIBApiNext = (
  gw: FakeGateway,
  options: Omit<IBApiNextCreationOptions, 'host' | 'port'> = {},
): IBApiNext => {
  const ib = new IBApiNext({ logger: silentLogger, ...options, host: '127.0.0.1', port: gw.port });
  openClients.add(ib);
  gw.watchClient(ib);
  return ib;
};

/** Disconnects every client created by these helpers (call in afterEach, before `gw.close()`). */
export const closeClients = (): void => {
  for (const c of openClients) {
    try {
      c.disconnect();
    } catch {
      // already disconnected
    }
  }
  openClients.clear();
};

/** The underlying IBApi of an IBApiNext (raw events such as live execDetails are only visible there). */
export const rawApiOf = (ib: IBApiNext): IBApi => (ib as unknown as { readonly api: IBApi }).api;

/**
 * Resolves with the arguments of the next `event` emitted by `api` for which `predicate` holds;
 * rejects after `timeoutMs` (default 5000).
 */
export const nextEvent = <A extends unknown[]>(
  api: IBApi,
  event: EventName,
  predicate: (...args: A) => boolean = () => true,
  timeoutMs = 5000,
): Promise<A> => {
  const emitter = api as unknown as EventEmitter;
  return new Promise<A>((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      if (!predicate(...(args as A))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as A);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for client event ${event}`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
};

/** Collects every emission of `event` (arguments) until the returned `stop()` is called. */
export const collectEvents = <A extends unknown[]>(
  api: IBApi,
  event: EventName,
): { readonly events: A[]; stop(): void } => {
  const emitter = api as unknown as EventEmitter;
  const events: A[] = [];
  const listener = (...args: unknown[]): void => {
    events.push(args as A);
  };
  emitter.on(event, listener);
  return { events, stop: () => emitter.off(event, listener) };
};
