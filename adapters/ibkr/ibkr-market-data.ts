import { Channel } from '../../engine/operators/channel.js';
import { DateTime } from 'luxon';
import type { Bar } from '../../engine/messages/market.js';
import { SYMBOL_PATTERN } from '../../engine/messages/symbol.js';
import { previousTradingDay, sessionDateOf } from '../../engine/calendar/nyse-calendar.js';
import type { MarketDataPort } from '../../engine/ports/market-data.port.js';
import type { HistoryClient, HistoryQuery } from './history-client.js';
import type { IbkrConnection } from './ibkr-connection.js';
import type { IbkrLogger } from './ibkr-logger.js';
import { parseBar } from './ibkr-parse.js';
import type { IbkrSession, StreamHandle } from './ibkr-session.js';
import { MinuteBarBuilder } from './minute-bar-builder.js';
import { stockContract } from './order-mapping.js';

/** IBKR tick types that carry the last trade price (live and delayed). */
const LAST_TICKS = new Set([4, 68]);

export interface IbkrMarketDataOptions {
  readonly connection: IbkrConnection;
  readonly history: HistoryClient;
  readonly logger: IbkrLogger;
  /**
   * On subscribe, emit this much 1-minute history (IBKR duration, e.g. `2 D`) on `bars$` before the
   * live bars, so strategies are warm and see the previous session; false = no warm-up.
   */
  readonly warmup: string | false;
  /** Also stream ticks (last price between bars). */
  readonly ticks: boolean;
  /** Regular trading hours only for live and warm-up bars. */
  readonly useRth: boolean;
}

/** The previous NYSE session's levels (range_bound's PDH/PDL). */
export interface PreviousDayLevels {
  readonly date: string;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** Market data from IB Gateway as the engine's MarketDataPort, plus paced history. */
export interface IbkrMarketData extends MarketDataPort {
  history(query: HistoryQuery): Promise<readonly Bar[]>;
  /** High/low/close of the NYSE session before the one containing `asOfTs`. */
  previousDayLevels(symbol: string, asOfTs: number): Promise<PreviousDayLevels | undefined>;
  /** Inbound values dropped by validation so far. */
  invalidCount(): number;
  /** Symbols subscribed. */
  symbols(): readonly string[];
  dispose(): void;
}

interface SymbolFeed {
  readonly builder: MinuteBarBuilder;
  handles: StreamHandle[];
  warmedUp: boolean;
}

/**
 * Live 1-minute bars built from IBKR's 5-second real-time bars (plus last-price ticks), validated at
 * the edge: a bar or tick with NaN, Infinity, a non-positive price or an inconsistent high/low is
 * dropped, logged and counted, never emitted. Subscriptions are remembered and requested again on
 * every new connection and after 1101 (restored, data lost). Warm-up history goes through the
 * paced HistoryClient and is emitted before live bars, which then start after the last history bar.
 */
export const createIbkrMarketData = (options: IbkrMarketDataOptions): IbkrMarketData => {
  const { connection, history, logger } = options;
  const bars = new Channel<Bar>();
  const feeds = new Map<string, SymbolFeed>();
  const last = new Map<string, number>();
  let invalid = 0;
  let disposed = false;

  const drop = (reason: string): void => {
    invalid += 1;
    logger.warn({ reason }, 'ibkr: market data dropped');
  };

  const emit = (bar: Bar): void => {
    last.set(bar.symbol, bar.close);
    bars.next(bar);
  };

  const warmUp = (symbol: string, feed: SymbolFeed): void => {
    if (options.warmup === false || feed.warmedUp) return;
    feed.warmedUp = true;
    history
      .fetch({ symbol, timeframe: '1m', duration: options.warmup, useRth: options.useRth })
      .then((hist) => {
        if (disposed) return;
        for (const bar of hist) emit(bar);
        const lastBar = hist[hist.length - 1];
        if (lastBar) feed.builder.skipUntil(lastBar.ts);
      })
      .catch((err: unknown) => {
        feed.warmedUp = false;
        logger.warn({ symbol, err: err instanceof Error ? err.message : String(err) }, 'ibkr: warm-up history failed');
      });
  };

  const start = (session: IbkrSession, symbol: string, feed: SymbolFeed): void => {
    const contract = stockContract(symbol);
    const onError = (what: string) => (err: Error) =>
      logger.warn({ symbol, err: err.message }, `ibkr: ${what} subscription failed`);
    feed.handles.push(
      session.realTimeBars(
        contract,
        options.useRth,
        (raw) => {
          const parsed = parseBar(symbol, Number.isFinite(raw.time) ? raw.time * 1000 : undefined, '1m', raw);
          if (!parsed.ok) return drop(parsed.reason);
          const { ts, open, high, low, close, volume } = parsed.value;
          for (const bar of feed.builder.push({ ts, open, high, low, close, volume })) emit(bar);
        },
        onError('real-time bars'),
      ),
    );
    if (options.ticks)
      feed.handles.push(
        session.marketData(
          contract,
          (tickType, value) => {
            if (!LAST_TICKS.has(tickType)) return;
            if (!Number.isFinite(value) || value <= 0) {
              if (value !== -1) drop(`tick ${tickType} for ${symbol} is not a positive finite price: ${value}`);
              return;
            }
            last.set(symbol, value);
          },
          onError('market data'),
        ),
      );
    warmUp(symbol, feed);
  };

  const resubscribe = (session: IbkrSession, reason: string): void => {
    if (disposed) return;
    for (const [symbol, feed] of feeds) {
      for (const h of feed.handles) h.cancel();
      feed.handles = [];
      feed.builder.reset();
      start(session, symbol, feed);
    }
    if (feeds.size > 0) logger.info({ reason, symbols: [...feeds.keys()] }, 'ibkr: market data requested again');
  };

  connection.addHooks({ resubscribe });

  return {
    bars$: bars.out$,
    subscribe: (symbols) => {
      for (const raw of symbols) {
        const symbol = raw.trim().toUpperCase();
        if (!SYMBOL_PATTERN.test(symbol)) {
          logger.warn({ symbol: raw }, 'ibkr: not a ticker symbol; not subscribed');
          continue;
        }
        if (feeds.has(symbol)) continue;
        const feed: SymbolFeed = { builder: new MinuteBarBuilder(symbol), handles: [], warmedUp: false };
        feeds.set(symbol, feed);
        const session = connection.session;
        if (session) start(session, symbol, feed);
      }
    },
    lastPrice: (symbol) => last.get(symbol),
    history: (query) => history.fetch(query),
    previousDayLevels: async (symbol, asOfTs) => {
      const previous = previousTradingDay(sessionDateOf(asOfTs));
      const end = DateTime.fromISO(previous, { zone: 'America/New_York' }).plus({ days: 1 }).toMillis();
      const daily = await history.fetch({ symbol, timeframe: '1d', duration: '5 D', endTs: end, useRth: true });
      const day = daily.find((b) => DateTime.fromMillis(b.ts, { zone: 'America/New_York' }).toISODate() === previous);
      return day ? { date: previous, high: day.high, low: day.low, close: day.close } : undefined;
    },
    invalidCount: () => invalid + history.invalid,
    symbols: () => [...feeds.keys()],
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const feed of feeds.values()) for (const h of feed.handles) h.cancel();
      history.clear('market data disposed');
      bars.complete();
    },
  };
};
