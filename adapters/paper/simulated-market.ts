import { Channel } from '../../engine/operators/channel.js';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseOrThrow } from '../../engine/errors.js';
import { type Bar, TIMEFRAME_MS } from '../../engine/messages/market.js';
import type { MarketDataPort } from '../../engine/ports/market-data.port.js';
import { EventTimeScheduler } from '../../engine/scheduler/event-time-scheduler.js';
import { PricePath } from './price-model.js';
import type { MinuteSlot } from './price-model.js';
import { SessionTimeline } from './session-timeline.js';
import { SYMBOL_MESSAGE, SYMBOL_PATTERN } from '../../engine/messages/symbol.js';

const MINUTE_MS = TIMEFRAME_MS['1m'];

/** Ticker symbols the simulated market accepts: the engine's symbols, already upper case. */
const SimulatedSymbolSchema = z.string().regex(SYMBOL_PATTERN, SYMBOL_MESSAGE);

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'startDate must be YYYY-MM-DD')
  .refine((d) => DateTime.fromISO(d).isValid, 'startDate must be a real calendar date');

const SimulatedMarketOptionsSchema = z.object({
  symbols: z.array(SimulatedSymbolSchema).default(['SPY', 'QQQ', 'AAPL']),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(42),
  startDate: isoDate,
  resumeFrom: z
    .number()
    .int()
    .refine((ts) => ts % MINUTE_MS === 0, 'resumeFrom must be a whole minute (a value of cursor())')
    .optional(),
  barIntervalMs: z.number().int().positive().default(1_000),
  scheduler: z.instanceof(EventTimeScheduler).optional(),
});

/** Options as callers write them (defaults: SPY/QQQ/AAPL, seed 42, one minute per 1000 ms of wall time). */
export type SimulatedMarketOptions = z.input<typeof SimulatedMarketOptionsSchema>;

/** The built-in paper market: a seeded, deterministic 1-minute bar feed on the NYSE calendar. */
export interface SimulatedMarket extends MarketDataPort {
  /** Event-time scheduler the engine's timers run on; always at the market time after a step. */
  readonly scheduler: EventTimeScheduler;
  /** Emit one simulated minute every `barIntervalMs` of wall time (idempotent). */
  start(): void;
  stop(): void;
  /** Emit the next minute's bars synchronously, advance `scheduler` to its end, return the new market time. */
  step(): number;
  /** Market time reached (epoch ms): the end of the last emitted minute, or the start/resume point. */
  now(): number;
  /** The timeline position to persist; pass it back as `resumeFrom` to continue identically. */
  cursor(): number;
}

/**
 * Create the simulated market. Bars are 1-minute, `ts` = minute open, only inside NYSE regular
 * sessions; for each minute all subscribed symbols are emitted (in subscription order) before the
 * scheduler advances to the minute's end. The same seed, start date and symbol always give the same
 * bars, whatever else is subscribed and whenever the symbol was subscribed; with `resumeFrom` the
 * timeline continues exactly where a run with that `cursor()` stopped.
 */
export const createSimulatedMarket = (options: SimulatedMarketOptions): SimulatedMarket => {
  const opts = parseOrThrow(SimulatedMarketOptionsSchema, 'simulated market options', options);
  const timeline = new SessionTimeline(opts.startDate);
  const startTs = timeline.peek().ts;
  const resumeTs = opts.resumeFrom ?? startTs;
  if (resumeTs < startTs) {
    throw new Error(
      `Invalid simulated market options: resumeFrom ${resumeTs} is before the first session open ${startTs}`,
    );
  }
  const scheduler = opts.scheduler ?? new EventTimeScheduler(resumeTs);
  if (scheduler.now() > resumeTs) {
    throw new Error(`Invalid simulated market options: the scheduler is already past the market start ${resumeTs}`);
  }
  scheduler.advanceTo(resumeTs);

  const bars = new Channel<Bar>();
  const paths = new Map<string, PricePath>();
  const lastClose = new Map<string, number>();
  let marketTime = resumeTs;
  let timer: ReturnType<typeof setInterval> | undefined;

  const replay = (path: PricePath, symbol: string, upTo: number): void => {
    const past = new SessionTimeline(opts.startDate);
    while (past.peek().index < upTo) lastClose.set(symbol, path.next(past.advance()).close);
  };

  const addSymbol = (symbol: string): void => {
    if (paths.has(symbol)) return;
    const path = new PricePath(opts.seed, symbol);
    replay(path, symbol, timeline.peek().index);
    paths.set(symbol, path);
  };

  const emitMinute = (slot: MinuteSlot): void => {
    for (const [symbol, path] of [...paths]) {
      const ohlcv = path.next(slot);
      lastClose.set(symbol, ohlcv.close);
      bars.next({ kind: 'bar', symbol, ts: slot.ts, timeframe: '1m', ...ohlcv });
    }
  };

  while (timeline.peek().ts < resumeTs) timeline.advance();
  opts.symbols.forEach(addSymbol);

  const step = (): number => {
    const slot = timeline.advance();
    emitMinute(slot);
    marketTime = slot.ts + MINUTE_MS;
    scheduler.advanceTo(marketTime);
    return marketTime;
  };

  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    bars$: bars.out$,
    scheduler,
    subscribe: (symbols) => {
      const parsed = z.array(SimulatedSymbolSchema).safeParse(symbols);
      if (!parsed.success) {
        throw new Error(
          `Invalid symbols for the simulated market: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        );
      }
      parsed.data.forEach(addSymbol);
    },
    lastPrice: (symbol) => lastClose.get(symbol),
    start: () => {
      timer ??= setInterval(() => {
        try {
          step();
        } catch (error) {
          stop();
          throw error;
        }
      }, opts.barIntervalMs);
    },
    stop,
    step,
    now: () => marketTime,
    cursor: () => marketTime,
  };
};
