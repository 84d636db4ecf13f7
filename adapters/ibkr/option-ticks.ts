import { EventName } from '@stoqey/ib';
import type { IBApi } from '@stoqey/ib';
import { SYMBOL_PATTERN } from '../../engine/messages/symbol.js';
import type { OptionStatsSnapshot, OptionStatsSource, OptionTick } from '../sentiment/options/provider.js';
import { classifyIbkrCode } from './ibkr-error-codes.js';
import type { ConnectionHooks } from './ibkr-connection.js';
import type { IbkrLogger } from './ibkr-logger.js';
import type { IbkrSession } from './ibkr-session.js';
import { REQUEST_ID_BAND } from './order-id-allocator.js';
import { stockContract } from './order-mapping.js';

/**
 * Generic ticks asked for on the stock: 100 option call/put volume (ticks 29/30), 101 call/put open
 * interest (27/28), 104 historical volatility (23), 105 average option volume (87), 106 implied
 * volatility (24). Needs US options (OPRA) market data for the option figures.
 */
export const OPTION_GENERIC_TICKS = '100,101,104,105,106';

/**
 * Ticker ids of option-tick requests: just above the connection's request-id band, so they never
 * meet its ids (it wraps at the band's end) nor order ids (below the band), and the session treats
 * errors for them as request errors, never as order errors. Int32, below 2147483647 (IB's "unset").
 */
export const OPTION_TICK_IDS = { first: REQUEST_ID_BAND.last + 1, last: 2_147_483_000 } as const;

type Figure = Exclude<keyof OptionStatsSnapshot, 'symbol' | 'reason'>;

/** Tick type → figure. Sizes (27–30, 87) come as TICK_SIZE, volatilities (23, 24) as TICK_GENERIC. */
const FIGURE_OF: ReadonlyMap<number, Figure> = new Map<number, Figure>([
  [29, 'callVolume'],
  [30, 'putVolume'],
  [27, 'callOpenInterest'],
  [28, 'putOpenInterest'],
  [87, 'avgOptionVolume'],
  [24, 'impliedVol'],
  [23, 'historicalVol'],
]);

/** Volatilities of 0 mean "not computed"; counts of 0 are real. */
const POSITIVE_ONLY: ReadonlySet<Figure> = new Set<Figure>(['impliedVol', 'historicalVol']);

/**
 * Codes after which IBKR keeps the request streaming with part of the data: 10090 / 10091 (part of
 * the data not subscribed, e.g. the option figures without OPRA), 10167 (delayed data instead).
 */
const PARTIAL_CODES: ReadonlySet<number> = new Set([10090, 10091, 10167]);

/** The connection as this module uses it (IbkrConnection fits). */
export interface OptionTicksConnection {
  /** The open session, if any. */
  readonly session: IbkrSession | undefined;
  addHooks(hooks: ConnectionHooks): void;
}

export interface OptionTicksOptions {
  readonly connection: OptionTicksConnection;
  readonly logger: IbkrLogger;
  /** Wall clock, epoch ms: the arrival time of each figure. */
  readonly now: () => number;
  /**
   * Market-data lines these requests may hold at once (each symbol is one line; IBKR accounts have
   * about 100, shared with the bot's quotes). Symbols beyond it wait for a free line.
   */
  readonly maxLines: number;
  /** A symbol whose request IBKR refused (354, 10089 ...) is asked again by `track` after this long. Default 30 min. */
  readonly retryFailedAfterMs?: number;
}

/** IBKR option figures per symbol, as an OptionStatsSource for the options sentiment provider. */
export interface OptionTicks extends OptionStatsSource {
  /** Follow `symbols` (requests go out at once when connected, else on connect). Idempotent. */
  track(symbols: readonly string[]): void;
  /** Stop following `symbols`: their requests are cancelled and their figures forgotten. */
  untrack(symbols: readonly string[]): void;
  /** Symbols followed, in the order they were added. */
  tracked(): readonly string[];
  /** Ticker ids of the live requests per symbol (for diagnostics and tests). */
  requests(): ReadonlyMap<string, number>;
  /** Cancel everything and stop reacting to connections. */
  stop(): void;
}

interface Line {
  readonly symbol: string;
  figures: Partial<Record<Figure, OptionTick>>;
  /** The request in flight or streaming, with the session it was written on. */
  request: { readonly reqId: number; readonly session: IbkrSession } | undefined;
  /** waiting: not requested (no session, no free line); requested; failed: IBKR ended the request. */
  state: 'waiting' | 'requested' | 'failed';
  reason: string | undefined;
  failedAt: number;
}

interface Listeners {
  readonly api: IBApi;
  readonly size: (reqId: number, tickType?: number, value?: number) => void;
  readonly generic: (reqId: number, tickType: number, value: number) => void;
  readonly error: (err: Error, code: number, reqId: number) => void;
}

const normalise = (raw: string): string | undefined => {
  const symbol = raw.trim().toUpperCase();
  return SYMBOL_PATTERN.test(symbol) ? symbol : undefined;
};

/**
 * Streams IBKR's option figures of each tracked underlying: REQ_MKT_DATA on the stock contract
 * (SMART, USD, not a snapshot) with generic ticks 100,101,104,105,106, one ticker id per request,
 * at most `maxLines` at once. Keeps the latest value of each figure with its arrival time. Requests
 * are written again on every new session and after 1101 (through the connection's resubscribe
 * hook). An error IBKR sends for one symbol's request (354 no subscription, 10089 needs OPRA, 200
 * unknown contract) is kept as that symbol's `reason`, never thrown; a refused symbol is asked
 * again on reconnect, or by `track` after `retryFailedAfterMs`.
 */
export const createOptionTicks = (options: OptionTicksOptions): OptionTicks => {
  const { connection, logger, now } = options;
  if (!Number.isInteger(options.maxLines) || options.maxLines < 1)
    throw new Error(`option ticks: maxLines must be a whole number >= 1, got ${options.maxLines}`);
  const retryAfter = options.retryFailedAfterMs ?? 30 * 60_000;
  const lines = new Map<string, Line>();
  const byReqId = new Map<number, Line>();
  const wired = new WeakMap<IbkrSession, Listeners>();
  let nextId: number = OPTION_TICK_IDS.first;
  let stopped = false;

  const allocateId = (): number => {
    const id = nextId;
    nextId = id >= OPTION_TICK_IDS.last ? OPTION_TICK_IDS.first : id + 1;
    return id;
  };

  const onValue = (reqId: number, tickType: number | undefined, value: number | undefined): void => {
    const line = byReqId.get(reqId);
    const figure = tickType === undefined ? undefined : FIGURE_OF.get(tickType);
    if (!line || figure === undefined || value === undefined) return;
    // Double.MAX (IB's "no value") decodes as a huge finite number.
    if (!Number.isFinite(value) || value < 0 || value > 1e15 || (POSITIVE_ONLY.has(figure) && value === 0)) {
      logger.debug({ symbol: line.symbol, tickType, value }, 'ibkr: option tick without a usable value ignored');
      return;
    }
    line.figures[figure] = { value, ts: now() };
  };

  const onError = (reqId: number, code: number, text: string): void => {
    const line = byReqId.get(reqId);
    if (!line) return;
    const reason = `IBKR ${code}: ${text}`;
    if (PARTIAL_CODES.has(code)) {
      line.reason = reason;
      logger.warn({ symbol: line.symbol, code, text }, 'ibkr: option ticks partly unavailable');
      return;
    }
    if (classifyIbkrCode(code, text) === 'warning') {
      logger.debug({ symbol: line.symbol, code, text }, 'ibkr: warning for option ticks');
      return;
    }
    // IBKR ended this request: its line is free again.
    byReqId.delete(reqId);
    line.request = undefined;
    line.state = 'failed';
    line.reason = reason;
    line.failedAt = now();
    logger.warn({ symbol: line.symbol, code, text }, 'ibkr: option ticks refused');
    fill();
  };

  const guard =
    <A extends unknown[]>(name: string, handler: (...args: A) => void) =>
    (...args: A): void => {
      try {
        handler(...args);
      } catch (err) {
        logger.error({ err, event: name }, 'ibkr: option-tick handler failed');
      }
    };

  const wire = (session: IbkrSession): void => {
    if (wired.has(session)) return;
    const api = session.ibApi;
    const listeners: Listeners = {
      api,
      size: guard('tickSize', (reqId: number, tickType?: number, value?: number) => onValue(reqId, tickType, value)),
      generic: guard('tickGeneric', (reqId: number, tickType: number, value: number) =>
        onValue(reqId, tickType, value),
      ),
      error: guard('error', (err: Error, code: number, reqId: number) => {
        if (Number.isInteger(reqId) && reqId >= OPTION_TICK_IDS.first)
          onError(reqId, code, err?.message ?? String(err));
      }),
    };
    api.on(EventName.tickSize, listeners.size);
    api.on(EventName.tickGeneric, listeners.generic);
    api.on(EventName.error, listeners.error);
    wired.set(session, listeners);
  };

  const request = (session: IbkrSession, line: Line): void => {
    wire(session);
    const reqId = allocateId();
    line.request = { reqId, session };
    line.state = 'requested';
    line.reason = undefined;
    byReqId.set(reqId, line);
    const contract = stockContract(line.symbol);
    session
      .send('market_data', 'option ticks', (api) => api.reqMktData(reqId, contract, OPTION_GENERIC_TICKS, false, false))
      .sent.catch((err: unknown) => {
        // Not written (the session closed first): asked again on the next session.
        if (line.request?.reqId !== reqId) return;
        byReqId.delete(reqId);
        line.request = undefined;
        line.state = 'waiting';
        logger.debug(
          { symbol: line.symbol, err: err instanceof Error ? err.message : String(err) },
          'ibkr: option ticks not sent',
        );
      });
  };

  const cancel = (line: Line): void => {
    const r = line.request;
    if (!r) return;
    byReqId.delete(r.reqId);
    line.request = undefined;
    if (r.session.isOpen)
      r.session
        .send('market_data', 'cancel option ticks', (api) => api.cancelMktData(r.reqId))
        .sent.catch(() => undefined);
  };

  const used = (): number => [...lines.values()].filter((l) => l.state === 'requested').length;

  /** Request waiting symbols, oldest first, while lines are free. */
  function fill(): void {
    const session = connection.session;
    if (stopped || !session?.isOpen) return;
    let free = options.maxLines - used();
    for (const line of lines.values()) {
      if (line.state !== 'waiting') continue;
      if (free <= 0) {
        line.reason = `over the option-tick line limit (${options.maxLines}); waiting for a free line`;
        continue;
      }
      request(session, line);
      free -= 1;
    }
  }

  const resubscribe = (session: IbkrSession, why: string): void => {
    if (stopped) return;
    for (const line of lines.values()) {
      // 1101 (same session): the old streams are gone on IBKR's side; cancel to be sure, then ask again.
      if (line.request?.session === session) cancel(line);
      else if (line.request) byReqId.delete(line.request.reqId);
      line.request = undefined;
      line.state = 'waiting';
    }
    wire(session);
    fill();
    if (lines.size > 0) logger.info({ reason: why, symbols: [...lines.keys()] }, 'ibkr: option ticks requested again');
  };

  connection.addHooks({ resubscribe });

  return {
    optionStats: (raw) => {
      const symbol = normalise(raw);
      const line = symbol === undefined ? undefined : lines.get(symbol);
      if (!line) return undefined;
      return { symbol: line.symbol, ...line.figures, ...(line.reason === undefined ? {} : { reason: line.reason }) };
    },
    unavailableReason: () => {
      if (stopped) return 'option ticks stopped';
      return connection.session?.isOpen ? undefined : 'not connected to IB Gateway';
    },
    track: (symbols) => {
      if (stopped) return;
      for (const raw of symbols) {
        const symbol = normalise(raw);
        if (symbol === undefined) {
          logger.warn({ symbol: raw }, 'ibkr: not a ticker symbol; option ticks not requested');
          continue;
        }
        const line = lines.get(symbol);
        if (!line) {
          lines.set(symbol, {
            symbol,
            figures: {},
            request: undefined,
            state: 'waiting',
            reason: undefined,
            failedAt: 0,
          });
        } else if (line.state === 'failed' && now() - line.failedAt >= retryAfter) {
          line.state = 'waiting';
        }
      }
      fill();
    },
    untrack: (symbols) => {
      for (const raw of symbols) {
        const symbol = normalise(raw);
        const line = symbol === undefined ? undefined : lines.get(symbol);
        if (!line) continue;
        cancel(line);
        lines.delete(line.symbol);
      }
      fill();
    },
    tracked: () => [...lines.keys()],
    requests: () =>
      new Map([...lines.values()].flatMap((l) => (l.request ? [[l.symbol, l.request.reqId] as const] : []))),
    stop: () => {
      if (stopped) return;
      for (const line of lines.values()) cancel(line);
      lines.clear();
      byReqId.clear();
      const session = connection.session;
      const listeners = session ? wired.get(session) : undefined;
      if (listeners) {
        listeners.api.off(EventName.tickSize, listeners.size);
        listeners.api.off(EventName.tickGeneric, listeners.generic);
        listeners.api.off(EventName.error, listeners.error);
      }
      stopped = true;
    },
  };
};
