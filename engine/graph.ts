import {
  BehaviorSubject,
  type Observable,
  type SchedulerLike,
  type Subscription,
  filter,
  firstValueFrom,
  lastValueFrom,
  merge,
} from 'rxjs';
import { z } from 'zod';
import { type Supervised, symbolActors } from './actors/actors.operator.js';
import { type ActorInput, contextFor } from './actors/symbol-actor.js';
import {
  type AccountBook,
  type AccountInput,
  createAccountBook,
  freshAccount,
  reduceAccount,
} from './account/account-book.js';
import { EventBus } from './bus.js';
import { isOpen, sessionDateOf } from './calendar/nyse-calendar.js';
import type { EngineConfig } from './config.js';
import { ConfluenceBook, confluence, scoreSignal } from './confluence/confluence.js';
import type {
  ConfluenceStatus,
  ConfluenceView,
  EngineApi,
  HealthReport,
  OptionsFlowSummary,
  PortfolioSummary,
  SentimentSummary,
  RiskStatus,
  SchedulerStatus,
  SignalEvaluation,
  StrategyTypeInfo,
} from './engine-api.js';
import { DomainError, zodIssues } from './errors.js';
import type { AggregatedSentiment } from './sentiment/aggregate.js';
import { executeOrders } from './execution/execution.operator.js';
import { Journal, LatestValue, type StatsReading } from './journal.js';
import { Channel } from './operators/channel.js';
import { emitEach } from './operators/emit-each.js';
import { equityOf, unrealizedPnl } from './messages/account.js';
import type { BrokerAccountReported } from './messages/broker-account.js';
import type { EngineEvent, StrategyChanged } from './messages/engine-event.js';
import type { OptionsFlowReading, SentimentReading } from './messages/market.js';
import type { OrderFailed, OrderIntent, OrderPlaced } from './messages/order.js';
import type { RiskApproved, RiskDecision } from './messages/risk.js';
import type { ScoredSignal, Signal } from './messages/signal.js';
import type { StrategyRecord } from './messages/strategy.js';
import { SymbolSchema } from './messages/symbol.js';
import type { BrokerPort } from './ports/broker.port.js';
import type { ClockPort, IdPort } from './ports/clock.port.js';
import type { MarketDataPort } from './ports/market-data.port.js';
import type { SentimentPort } from './ports/sentiment.port.js';
import type { EngineSnapshot, StorePort } from './ports/store.port.js';
import { PDT_WINDOW_TRADING_DAYS, dayTradesInWindow, restoreDayTradeLedger } from './risk/day-trade-ledger.js';
import {
  cashRestrictionAt,
  createSettlementLedger,
  restoreSettlementLedger,
  settledCash,
  settlementViolationCounts,
  unsettledCredits,
} from './risk/settlement-ledger.js';
import { entriesInWeekOf, entriesOn, restoreLimits, snapshotLimits } from './risk/risk-limits.js';
import { brokerReportMaxAgeMs, brokerSettlementStatus, pdtAllowanceStatus } from './risk/broker-account.js';
import { EXIT_STATES_KEY, ExitStateBook } from './risk/exit-state-book.js';
import { type RiskConfig, type RiskInput, createRiskState, equityNow, riskManager } from './risk/risk.operator.js';
import { TradingScheduler } from './scheduler/trading-scheduler.js';
import type { StrategyRegistry } from './strategies/strategy-registry.js';

export interface EngineDeps {
  readonly config: EngineConfig;
  readonly marketData: MarketDataPort;
  readonly broker: BrokerPort;
  readonly store: StorePort;
  /** Wall clock: uptime only. */
  readonly clock: ClockPort;
  readonly ids: IdPort;
  /** Drives the scheduler loops and timeouts: event time in paper/backtest, wall time live. */
  readonly scheduler: SchedulerLike;
  readonly registry: StrategyRegistry;
  readonly snapshot: EngineSnapshot;
  /** Sentiment and options flow; absent means no readings (confluence uses the technical component). */
  readonly sentiment?: SentimentPort;
  /** The broker's own account figures (IBKR account summaries); absent in paper mode (the local ledgers decide). */
  readonly brokerAccount$?: Observable<BrokerAccountReported>;
  /** Called for failures that are not events (journal write errors, a stage that died). */
  readonly onError?: (context: string, err: unknown) => void;
  readonly submitTimeoutMs?: number;
  readonly recentSignalsLimit?: number;
}

/** The running engine: the API the edges use, plus lifecycle. */
export interface Engine extends EngineApi {
  /** Subscribes the graph, restores strategies and positions, starts the scheduler if enabled. */
  start(): void;
  /** Stops the loops and market input, waits for in-flight orders and writes, completes `events$`. */
  stop(): Promise<void>;
  /** Resolves once every order handed to the sink is persisted and sent and the journal is written. */
  idle(): Promise<void>;
}

/** Unknown keys are refused: a misspelt field must not be silently ignored. */
const AddStrategyBody = z.strictObject({
  strategy_type: z.string({ error: 'strategy_type is required' }).min(1, 'strategy_type is required'),
  config: z.record(z.string(), z.unknown(), { error: 'config must be an object' }),
  enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'id may use letters, digits, _ . : - (at most 64)')
    .optional(),
});

const ExecuteBody = z.strictObject({
  account_id: z.union([z.string(), z.number()]).optional(),
  symbol: SymbolSchema,
  side: z
    .string({ error: 'side is required' })
    .trim()
    .toUpperCase()
    .pipe(z.enum(['BUY', 'SELL'], { error: 'side must be BUY or SELL' })),
  quantity: z
    .number({ error: 'quantity must be a number' })
    .int('quantity must be a whole number of shares')
    .positive('quantity must be greater than 0'),
  price_per_share: z.number().positive('price_per_share must be greater than 0').finite().optional(),
  confidence_score: z
    .number()
    .min(0, 'confidence_score must be within 0..1')
    .max(1, 'confidence_score must be within 0..1')
    .optional(),
});

const EvaluateBody = z.strictObject({ symbol: SymbolSchema });

const KillSwitchBody = z.strictObject({
  reason: z.string().trim().max(200, 'reason may have at most 200 characters').optional(),
});

/** Where the risk limits (kill switch, counters, equity baselines) are persisted. */
const RISK_LIMITS_KEY = 'risk.limits';
/** Where the day-trade ledger is persisted. */
const DAY_TRADES_KEY = 'risk.day_trades';
/** Where a cash account's settlement ledger is persisted. */
const SETTLEMENT_KEY = 'risk.settlement';

const iso = (ts: number): string => new Date(ts).toISOString();

/**
 * Builds the engine graph (DESIGN.md "The shape"): market bars, sentiment and broker events flow on
 * one ordered bus into per-symbol actors, whose signals pass confluence and risk into the execution
 * sink; fills come back to the account and from there to risk and the actors. Nothing runs until
 * `start()`.
 */
export const createEngine = (deps: EngineDeps): Engine => {
  const { config, snapshot } = deps;
  const onError = deps.onError ?? (() => undefined);
  const bus = new EventBus();
  const publish = bus.publish;
  const strategies = new Map<string, StrategyRecord>(snapshot.strategies.map((s) => [s.id, s]));
  const reserved = new Set<string>();
  const book: AccountBook = createAccountBook(
    snapshot.account ?? freshAccount(config.accountId, config.initialCash),
    snapshot.openOrders.map((o) => o.intent),
  );
  const storedLimits = snapshot.values[RISK_LIMITS_KEY];
  const storedDayTrades = snapshot.values[DAY_TRADES_KEY];
  const storedSettlement = snapshot.values[SETTLEMENT_KEY];
  const cashAccount = config.risk.pdt.accountType === 'cash';
  /** The risk operator's state, read (never changed) by the status endpoint. */
  const riskState = createRiskState(
    book.account,
    snapshot.openOrders.map((o) => o.intent),
    storedLimits === undefined ? undefined : restoreLimits(storedLimits),
    storedDayTrades === undefined ? undefined : restoreDayTradeLedger(storedDayTrades),
    !cashAccount
      ? undefined
      : storedSettlement === undefined
        ? createSettlementLedger(
            book.account.cash,
            Object.fromEntries(Object.values(book.account.positions).map((p) => [p.symbol, p.quantity])),
          )
        : restoreSettlementLedger(storedSettlement),
  );
  /** Exit-rule states of the held positions (ladder steps fired), restored fail-closed, persisted per change. */
  const exitBook = new ExitStateBook(snapshot.values[EXIT_STATES_KEY], Object.values(book.account.positions));
  const recent: ScoredSignal[] = [];
  /** The actors' states, read (never changed) by on-demand evaluation. */
  const actors = new Map<string, Supervised>();
  /** Sentiment and options-flow readings by symbol, for confluence and on-demand reads. */
  const confluenceBook = new ConfluenceBook(config.sentiment);
  const halted = new Set<string>();
  const journal = new Journal(deps.store, (err) => onError('journal', err));
  // Read when a write starts: both change on many events between two writes (every trailing-anchor
  // move, every account update), and a copy per change was garbage on the hot path.
  const exitStates = new LatestValue(() => exitBook.value());
  const riskLimits = new LatestValue(() => snapshotLimits(riskState.limits));
  const recentLimit = deps.recentSignalsLimit ?? 500;
  const subscriptions: Subscription[] = [];
  const ordersInFlight$ = new BehaviorSubject(0);
  let marketInput: Subscription | undefined;
  let started = false;

  const scheduler = new TradingScheduler({
    config: config.scheduler,
    scheduler: deps.scheduler,
    clock: deps.clock,
    isMarketOpen: isOpen,
    brokerConnected: () => deps.broker.isConnected(),
    ibkrConnected: () => deps.broker.name === 'ibkr' && deps.broker.isConnected(),
    openPositions: () => book.openPositions,
    publish,
    initialStats: snapshot.stats,
    statsChanged: () => journal.recordStats(statsReading),
  });
  /** The counters and market time, read when a journal write starts (they change on every signal). */
  const statsReading = new LatestValue<StatsReading>(() => ({ stats: scheduler.stats, marketTime: scheduler.now() }));

  const enabledSymbols = (): string[] => [
    ...new Set([...strategies.values()].filter((s) => s.enabled).map((s) => s.symbol)),
  ];
  const heldSymbols = (): string[] => book.heldSymbols();

  const stage = (name: string, stage$: Observable<EngineEvent>): void => {
    subscriptions.push(
      stage$.subscribe({
        next: publish,
        error: (err: unknown) => {
          onError(`stage ${name}`, err);
          scheduler.fail();
        },
      }),
    );
  };

  const wireGraph = (): void => {
    const events$ = bus.events$;
    // Each stage reads its own input; one router below feeds them. It reads each event's `kind` once
    // (a filter per stage read it for every event, a megamorphic property load each time).
    const actorsIn = new Channel<ActorInput>();
    const confluenceIn = new Channel<Signal | SentimentReading | OptionsFlowReading>();
    const riskIn = new Channel<RiskInput>();
    const executionIn = new Channel<RiskApproved>();
    const accountIn = new Channel<AccountInput>();
    const inputs = [actorsIn, confluenceIn, riskIn, executionIn, accountIn];
    /** Delivers `e` to the stages that take it, in stage order: actors, confluence, risk, execution, account. */
    const route = (e: EngineEvent): void => {
      switch (e.kind) {
        case 'bar':
          actorsIn.next(e);
          // Exits are checked on every bar of a held symbol, under the exit loop's conditions.
          if (book.position(e.symbol) !== undefined && scheduler.exitsMayRun(e.ts))
            actorsIn.next({ kind: 'exit.check', ts: e.ts, symbol: e.symbol });
          accountIn.next(e);
          return;
        case 'tick':
        case 'strategy.changed':
          actorsIn.next(e);
          return;
        case 'sentiment.updated': {
          // Confluence keeps the raw per-source reading; strategies see the aggregate as of its time.
          confluenceIn.next(e);
          const agg = confluenceBook.sentimentAsOf(e.symbol, e.ts);
          if (agg !== undefined)
            actorsIn.next({
              ...e,
              source: 'aggregate',
              score: agg.score,
              confidence: agg.confidence,
              mentions: agg.mentions,
            });
          return;
        }
        case 'options.updated':
          confluenceIn.next(e);
          return;
        case 'earnings.scheduled':
        case 'broker.account_reported':
          riskIn.next(e);
          return;
        case 'position.updated':
          actorsIn.next(e);
          riskIn.next(e);
          return;
        case 'scheduler.tick':
          if (e.loop !== 'position_sync') actorsIn.next(e);
          return;
        case 'signal.generated':
          if (e.action !== 'none') confluenceIn.next(e);
          return;
        case 'signal.scored':
        case 'order.requested':
        case 'account.updated':
        case 'risk.set_kill_switch':
        case 'order.cancelled':
        case 'order.rejected':
        case 'order.failed':
          riskIn.next(e);
          return;
        case 'risk.approved':
          executionIn.next(e);
          return;
        case 'order.placed':
          accountIn.next(e);
          return;
        case 'order.partially_filled':
        case 'order.filled':
          riskIn.next(e);
          accountIn.next(e);
          return;
        default:
          return;
      }
    };
    // Bookkeeping comes first, so the stages and API reads see state that includes the event.
    subscriptions.push(
      events$.subscribe({
        next: (e) => {
          // Bars are most events and need none of the bookkeeping below (no counter, not journaled).
          if (e.kind === 'bar') {
            route(e);
            return;
          }
          scheduler.observe(e);
          journal.record(e);
          if (e.kind === 'signal.scored') {
            recent.push(e);
            if (recent.length > recentLimit) recent.shift();
          } else if (e.kind === 'risk.approved') ordersInFlight$.next(ordersInFlight$.value + 1);
          else if (e.kind === 'actor.halted') halted.add(e.symbol);
          // Recorded before the exit signal that follows it; a ladder sell waits for it (beforePersist).
          else if (e.kind === 'exit.state_changed') {
            exitBook.apply(e);
            journal.recordValue(EXIT_STATES_KEY, exitStates);
          } else if (e.kind === 'scheduler.tick' && e.loop === 'position_sync')
            publish({ kind: 'account.updated', ts: e.ts, account: book.account });
          route(e);
          // After the risk stage has taken the event in: its limits changed, so they are persisted.
          if (
            (e.kind === 'risk.approved' && e.order.purpose === 'enter') ||
            e.kind === 'risk.kill_switch_changed' ||
            e.kind === 'account.updated'
          )
            journal.recordValue(RISK_LIMITS_KEY, riskLimits);
          // The ledger is immutable (replaced per fill), so the value itself is written, not a copy.
          if (e.kind === 'order.filled' || e.kind === 'order.partially_filled') {
            journal.recordValue(DAY_TRADES_KEY, riskState.dayTrades);
            if (riskState.settlement !== undefined) journal.recordValue(SETTLEMENT_KEY, riskState.settlement);
          }
        },
        complete: () => {
          for (const input of inputs) input.complete();
        },
      }),
    );
    stage(
      'actors',
      actorsIn.out$.pipe(
        symbolActors(deps.registry, config.actorMaxRestarts, actors, {
          config: config.exits,
          restored: exitBook.restored,
        }),
      ),
    );
    stage('confluence', confluenceIn.out$.pipe(confluence(config.confluence.weights, confluenceBook)));
    stage('risk', riskIn.out$.pipe(riskManager(riskConfig(config), deps.ids, riskState)));
    stage(
      'execution',
      executionIn.out$.pipe(
        executeOrders(deps.store, deps.broker, {
          submitTimeoutMs: deps.submitTimeoutMs ?? 10_000,
          scheduler: deps.scheduler,
          onSettled: () => ordersInFlight$.next(ordersInFlight$.value - 1),
          beforePersist: (d) => (d.signal.signal.exitReason === 'ladder' ? ladderStepDurable(d) : undefined),
        }),
      ),
    );
    stage('account', accountIn.out$.pipe(emitEach((e) => reduceAccount(book, e))));
    stage('broker', deps.broker.events$);
    if (deps.brokerAccount$) stage('broker account', deps.brokerAccount$);
    if (deps.sentiment) {
      stage('sentiment', deps.sentiment.readings$);
      stage('options', deps.sentiment.optionsFlow$);
      stage('earnings', deps.sentiment.earnings$);
    }
  };

  const now = (): number => scheduler.now();
  const brokerMaxAgeMs = brokerReportMaxAgeMs(config.scheduler.positionSyncIntervalMs);

  /**
   * A ladder sell is persisted and sent only once the exit state that marks its step fired is
   * committed (the actor published it before the signal): a restart then never sells the step again.
   * If that write fails, the sell is not sent (`order.failed`, stage persist); the step stays fired.
   */
  const ladderStepDurable = async (d: RiskApproved): Promise<void> => {
    if (!(await journal.valueWritten(EXIT_STATES_KEY)))
      throw new Error(
        `the exit state of ${d.symbol} could not be stored, so its ladder sell is not sent (it could repeat after a restart)`,
      );
  };

  const persistAndPublishStrategy = async (
    record: StrategyRecord,
    change: StrategyChanged['change'],
  ): Promise<void> => {
    const removed = change === 'removed';
    const write = removed ? deps.store.deleteStrategy(record.id) : deps.store.saveStrategy(record);
    await lastValueFrom(write, { defaultValue: undefined });
    if (removed) strategies.delete(record.id);
    else strategies.set(record.id, record);
    if (started) {
      publish({ kind: 'strategy.changed', ts: now(), change, strategy: record });
      if (change === 'added') deps.marketData.subscribe([record.symbol]);
      // Sentiment is polled for the active symbols only: a removed or disabled strategy's symbol goes.
      deps.sentiment?.track([...new Set([...enabledSymbols(), ...heldSymbols()])]);
    }
  };

  const addStrategy = async (input: unknown): Promise<StrategyRecord> => {
    const body = AddStrategyBody.safeParse(input);
    if (!body.success) throw new DomainError('validation_error', 'invalid strategy', zodIssues(body.error));
    const { strategy_type: type, enabled } = body.data;
    const parsed = deps.registry.parseConfig(type, body.data.config);
    if (!parsed.ok) {
      const message = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      throw new DomainError('validation_error', message, parsed.issues);
    }
    const cfg = parsed.config;
    const id = body.data.id ?? `${type}_${cfg.symbol}`;
    if (strategies.has(id) || reserved.has(id)) throw new DomainError('conflict', `strategy '${id}' already exists`);
    reserved.add(id);
    try {
      const ts = deps.clock.now();
      const record: StrategyRecord = {
        id,
        strategyType: type,
        symbol: cfg.symbol,
        timeframe: cfg.timeframe,
        config: cfg as unknown as Record<string, unknown>,
        enabled,
        createdTs: ts,
        updatedTs: ts,
      };
      await persistAndPublishStrategy(record, 'added');
      return record;
    } finally {
      reserved.delete(id);
    }
  };

  const getStrategy = (id: string): StrategyRecord => {
    const found = strategies.get(id);
    if (!found) throw new DomainError('not_found', `strategy '${id}' not found`);
    return found;
  };

  const setStrategyEnabled = async (id: string, enabled: boolean): Promise<StrategyRecord> => {
    const current = getStrategy(id);
    if (current.enabled === enabled) return current;
    const record = { ...current, enabled, updatedTs: deps.clock.now() };
    await persistAndPublishStrategy(record, enabled ? 'enabled' : 'disabled');
    return record;
  };

  const removeStrategy = async (id: string): Promise<StrategyRecord> => {
    const current = getStrategy(id);
    await persistAndPublishStrategy(current, 'removed');
    return current;
  };

  const portfolio = (): PortfolioSummary => {
    const a = book.account;
    const held = Object.values(a.positions).sort((x, y) => x.symbol.localeCompare(y.symbol));
    const positions = held.map((p) => ({
      symbol: p.symbol,
      quantity: p.quantity,
      avg_price: p.avgPrice,
      last_price: p.lastPrice,
      market_value: round2(p.quantity * p.lastPrice),
      unrealized_pnl: round2(unrealizedPnl(p)),
      realized_pnl: round2(p.realizedPnl),
      strategy_id: p.strategyId,
      opened_at: iso(p.openedTs),
    }));
    const positionsValue = positions.reduce((sum, p) => sum + p.market_value, 0);
    const unrealized = positions.reduce((sum, p) => sum + p.unrealized_pnl, 0);
    const equity = equityOf(a);
    return {
      account_id: a.accountId,
      initial_cash: a.initialCash,
      cash: round2(a.cash),
      positions_value: round2(positionsValue),
      equity: round2(equity),
      realized_pnl: round2(a.realizedPnl),
      unrealized_pnl: round2(unrealized),
      total_pnl: round2(equity - a.initialCash),
      total_return_pct: round2(((equity - a.initialCash) / a.initialCash) * 100),
      commissions: round2(a.commissions),
      open_positions: positions.length,
      positions,
      as_of: a.updatedTs > 0 ? iso(a.updatedTs) : null,
    };
  };

  const executeOrder = async (input: unknown): Promise<{ order: OrderIntent; warnings: readonly string[] }> => {
    const body = ExecuteBody.safeParse(input);
    if (!body.success) throw new DomainError('validation_error', 'invalid order', zodIssues(body.error));
    const b = body.data;
    const price = b.price_per_share ?? deps.marketData.lastPrice(b.symbol);
    if (price === undefined)
      throw new DomainError('validation_error', `no price known for ${b.symbol}; give price_per_share`, [
        { path: 'price_per_share', message: `no market price known for ${b.symbol}` },
      ]);
    if (!started) throw new DomainError('unavailable', 'the engine is not running');
    // Refused before anything is written: the order could not be handed over anyway.
    if (!deps.broker.isConnected())
      throw new DomainError(
        'not_connected',
        `the ${deps.broker.name} broker is not connected; the order was not placed` +
          (deps.broker.name === 'ibkr' ? ' (see GET /api/trading/ibkr/status, or POST /api/trading/ibkr/connect)' : ''),
      );
    if (scheduler.state === 'error')
      throw new DomainError('unavailable', 'the engine stopped after an internal failure; restart the process');
    const requestId = deps.ids.next();
    let decision: RiskDecision | undefined;
    const settled = firstValueFrom(
      bus.events$.pipe(
        filter(
          (e): e is OrderPlaced | OrderFailed =>
            (e.kind === 'order.failed' || e.kind === 'order.placed') &&
            (e.kind === 'order.placed' ? e.order.clientOrderId : e.clientOrderId) === requestId,
        ),
      ),
    );
    // Unobserved when risk refuses the order; the engine stopping would then reject it unhandled.
    settled.catch(() => undefined);
    const watch = bus.events$
      .pipe(
        filter(
          (e): e is RiskDecision =>
            (e.kind === 'risk.approved' || e.kind === 'risk.rejected') && e.requestId === requestId,
        ),
      )
      .subscribe((d) => (decision = d));
    try {
      publish({
        kind: 'order.requested',
        ts: now(),
        requestId,
        accountId: config.accountId,
        symbol: b.symbol,
        side: b.side,
        quantity: b.quantity,
        price,
        confidence: b.confidence_score ?? 1,
      });
    } finally {
      watch.unsubscribe();
    }
    if (!decision) throw new Error('risk produced no decision for a manual order');
    if (decision.kind === 'risk.rejected')
      throw new DomainError('risk_rejected', decision.reason, [], { rule: decision.rule, reason: decision.reason });
    const outcome = await settled;
    if (outcome.kind === 'order.failed')
      throw new DomainError('unavailable', `order ${requestId} was not placed (${outcome.stage}): ${outcome.error}`);
    return { order: outcome.order, warnings: decision.warnings };
  };

  const evaluateSignals = (input: unknown): SignalEvaluation => {
    const body = EvaluateBody.safeParse(input);
    if (!body.success) throw new DomainError('validation_error', 'invalid request', zodIssues(body.error));
    const { symbol } = body.data;
    if (![...strategies.values()].some((s) => s.symbol === symbol && s.enabled))
      throw new DomainError('not_found', `no enabled strategy for ${symbol}`);
    if (!started) throw new DomainError('unavailable', 'the engine is not running');
    const ts = now();
    const actor = actors.get(symbol);
    const signals: ScoredSignal[] = [];
    const state = actor?.state;
    for (const slot of state?.slots.values() ?? []) {
      if (!slot.record.enabled || state === undefined) continue;
      const signal = slot.def.evaluate(slot.state, slot.config, contextFor(state, slot, ts, true));
      if (signal === undefined) throw new Error(`strategy ${slot.record.id} gave no explained decision`);
      signals.push(
        scoreSignal(
          signal,
          confluenceBook.sentimentAsOf(symbol, ts),
          confluenceBook.optionsAsOf(symbol, ts),
          config.confluence.weights,
        ),
      );
    }
    return { symbol, ts, price: deps.marketData.lastPrice(symbol), signals, halted: actor?.halted ?? false };
  };

  const sentimentSummary = (agg: AggregatedSentiment): SentimentSummary => ({
    score: agg.score,
    confidence: agg.confidence,
    level: agg.level,
    source_count: agg.sourceCount,
    mentions: agg.mentions,
    divergence: agg.divergence,
    divergent: agg.divergent,
  });

  const optionsSummary = (r: OptionsFlowReading | undefined): OptionsFlowSummary | null =>
    r === undefined ? null : { score: r.score, confidence: r.confidence, published_at: iso(r.ts) };

  const confluenceStatus = (): ConfluenceStatus => {
    const ts = now();
    const symbols = [...new Set([...enabledSymbols(), ...heldSymbols()])].sort();
    return {
      weights: config.confluence.weights,
      min: config.confluence.min,
      as_of: started ? iso(ts) : null,
      symbols: symbols.map((symbol) => {
        const agg = confluenceBook.sentimentAsOf(symbol, ts);
        return {
          symbol,
          sentiment: agg === undefined ? null : sentimentSummary(agg),
          options: optionsSummary(confluenceBook.optionsAsOf(symbol, ts)),
        };
      }),
    };
  };

  const confluenceFor = (input: unknown): ConfluenceView => {
    const parsed = SymbolSchema.safeParse(input);
    if (!parsed.success) throw new DomainError('validation_error', 'invalid symbol', zodIssues(parsed.error));
    const symbol = parsed.data;
    const ts = now();
    const agg = confluenceBook.sentimentAsOf(symbol, ts);
    const signals: ScoredSignal[] = [];
    for (let i = recent.length - 1; i >= 0 && signals.length < 20; i--) {
      const r = recent[i] as ScoredSignal;
      if (r.symbol === symbol) signals.push(r);
    }
    return {
      symbol,
      as_of: started ? iso(ts) : null,
      weights: config.confluence.weights,
      min: config.confluence.min,
      sentiment: agg === undefined ? null : { ...sentimentSummary(agg), sources: agg.sources },
      options: optionsSummary(confluenceBook.optionsAsOf(symbol, ts)),
      recent_signals: signals,
    };
  };

  const riskStatus = (): RiskStatus => {
    const l = riskState.limits;
    const c = config.risk.limits;
    const ts = now();
    const date = sessionDateOf(ts);
    const equity = equityNow(riskState);
    const today = entriesOn(l, date);
    const week = entriesInWeekOf(l, date);
    const start = l.day !== null && l.day.date === date ? l.day.startEquity : null;
    const dailyPct = start !== null && start > 0 ? (equity - start) / start : null;
    const drawdown = l.peakEquity > 0 ? Math.max(0, (l.peakEquity - equity) / l.peakEquity) : 0;
    return {
      kill_switch: {
        engaged: l.killSwitch.engaged,
        reason: l.killSwitch.reason,
        since: l.killSwitch.since === null ? null : iso(l.killSwitch.since),
      },
      limits: {
        daily_trade_limit: c.dailyTradeLimit,
        weekly_trade_limit: c.weeklyTradeLimit,
        daily_loss_limit_pct: c.dailyLossLimitPct,
        max_drawdown_pct: c.maxDrawdownPct,
        max_concurrent_positions: config.scheduler.maxConcurrentTrades,
        max_position_pct: config.risk.maxPositionPct,
        min_confidence: config.scheduler.minConfidence,
        confluence_min: config.confluence.min,
      },
      counters: {
        session_date: date,
        trades_today: today,
        trades_remaining_today: Math.max(0, c.dailyTradeLimit - today),
        trades_this_week: week,
        trades_remaining_this_week: Math.max(0, c.weeklyTradeLimit - week),
      },
      daily_pnl: {
        start_equity: start === null ? null : round2(start),
        equity: round2(equity),
        pnl: start === null ? null : round2(equity - start),
        pct: dailyPct,
        limit_pct: c.dailyLossLimitPct,
        entries_stopped: dailyPct !== null && -dailyPct >= c.dailyLossLimitPct - 1e-12,
      },
      drawdown: {
        peak_equity: round2(l.peakEquity),
        equity: round2(equity),
        pct: drawdown,
        limit_pct: c.maxDrawdownPct,
      },
      pdt: pdtStatus(date, equity, ts),
      settlement: settlementStatus(ts),
      open_positions: riskState.positions.size,
      pending_orders: riskState.pending.size,
      exits: exitBook.status(config.exits, ts),
      not_enforced: [],
    };
  };

  const pdtStatus = (date: string, equity: number, ts: number): RiskStatus['pdt'] => {
    const p = config.risk.pdt;
    const used = dayTradesInWindow(riskState.dayTrades, date);
    return {
      policy: p.policy,
      mode: p.mode,
      equity_threshold: p.equityThreshold,
      window_trading_days: PDT_WINDOW_TRADING_DAYS,
      day_trades_in_window: used,
      ...pdtAllowanceStatus(riskState.brokerAccount, p, used, equity, ts, brokerMaxAgeMs),
    };
  };

  const settlementStatus = (ts: number): RiskStatus['settlement'] => {
    const ledger = riskState.settlement;
    if (ledger === undefined) return { account_type: 'margin' };
    const restriction = cashRestrictionAt(ledger, ts);
    const violations = settlementViolationCounts(ledger, ts);
    return {
      account_type: 'cash',
      settlement_days: config.risk.settlement.settlementDays,
      settled_cash: round2(settledCash(ledger, ts)),
      unsettled: unsettledCredits(ledger, ts).map((c) => ({
        symbol: c.symbol,
        amount: round2(c.amount),
        trade_date: c.tradeDate,
        settles_on: c.settleDate,
      })),
      violations: { good_faith: violations.goodFaith, free_riding: violations.freeRiding },
      restriction: restriction === null ? null : { ...restriction },
      ...brokerSettlementStatus(riskState.brokerAccount, settledCash(ledger, ts), ts, brokerMaxAgeMs),
    };
  };

  const setKillSwitch = async (engaged: boolean, input: unknown): Promise<RiskStatus> => {
    const body = KillSwitchBody.safeParse(input ?? {});
    if (!body.success) throw new DomainError('validation_error', 'invalid request', zodIssues(body.error));
    if (!started) throw new DomainError('unavailable', 'the engine is not running');
    const reason = body.data.reason || (engaged ? 'engaged by the operator' : '');
    publish({ kind: 'risk.set_kill_switch', ts: now(), engaged, reason });
    await journal.flush();
    return riskStatus();
  };

  const health = (): HealthReport => {
    const problems = [
      ...(config.scheduler.requireBrokerConnection && !deps.broker.isConnected() ? ['broker not connected'] : []),
      ...(scheduler.state === 'error' ? ['engine stopped after an internal failure; restart the process'] : []),
      ...[...halted].map((symbol) => `actor for ${symbol} halted`),
      ...(journal.healthy ? [] : ['database writes are failing; events are kept in memory and retried']),
    ];
    return {
      status: problems.length > 0 ? 'degraded' : 'ok',
      broker: { name: deps.broker.name, connected: deps.broker.isConnected() },
      scheduler: scheduler.state,
      halted_symbols: [...halted],
      storage: { ok: journal.healthy, pending_events: journal.pending },
      problems,
      uptime_seconds: Math.round((deps.clock.now() - bootWallTs) / 1000),
    };
  };

  const idle = async (): Promise<void> => {
    await firstValueFrom(ordersInFlight$.pipe(filter((n) => n === 0)));
    await journal.flush();
  };

  const bootWallTs = deps.clock.now();

  /** A scheduler command answers with the status it leaves behind. */
  const withStatus = (command: () => void) => (): SchedulerStatus => {
    command();
    return scheduler.status();
  };

  return {
    events$: bus.events$,
    strategyTypes: (): readonly StrategyTypeInfo[] => deps.registry.types(),
    listStrategies: () =>
      [...strategies.values()].sort((a, b) => a.createdTs - b.createdTs || a.id.localeCompare(b.id)),
    addStrategy,
    setStrategyEnabled,
    removeStrategy,
    schedulerStatus: () => scheduler.status(),
    startScheduler: withStatus(() => scheduler.start()),
    stopScheduler: withStatus(() => scheduler.stop()),
    pauseScheduler: withStatus(() => scheduler.pause()),
    resumeScheduler: withStatus(() => scheduler.resume()),
    portfolio,
    recentSignals: (limit) => recent.slice(-Math.max(0, limit)).reverse(),
    executeOrder,
    evaluateSignals,
    confluenceStatus,
    confluenceFor,
    riskStatus,
    setKillSwitch,
    health,
    idle,
    start: () => {
      if (started) return;
      started = true;
      wireGraph();
      // Unreadable exit states were replaced by fail-closed ones (no ladder sells): say so, and keep them.
      for (const c of exitBook.corrupt) onError(`exit state of ${c.symbol}`, c.error);
      if (exitBook.corrupt.length > 0) journal.recordValue(EXIT_STATES_KEY, exitStates);
      for (const s of strategies.values())
        publish({ kind: 'strategy.changed', ts: now(), change: 'added', strategy: s });
      for (const p of Object.values(book.account.positions))
        publish({
          kind: 'position.updated',
          ts: now(),
          symbol: p.symbol,
          position: p,
          unrealizedPnl: unrealizedPnl(p),
        });
      const symbols = [...new Set([...enabledSymbols(), ...heldSymbols()])];
      deps.marketData.subscribe(symbols);
      deps.sentiment?.track(symbols);
      const ticks$ = deps.marketData.ticks$;
      marketInput = (ticks$ === undefined ? deps.marketData.bars$ : merge(deps.marketData.bars$, ticks$)).subscribe({
        next: publish,
        error: (err: unknown) => onError('market data', err),
      });
      if (config.scheduler.enabled) scheduler.start();
    },
    stop: async () => {
      if (!started) return;
      scheduler.stop();
      marketInput?.unsubscribe();
      await idle();
      for (const s of subscriptions) s.unsubscribe();
      bus.complete();
      started = false;
    },
  };
};

const round2 = (x: number): number => Math.round(x * 100) / 100;

const riskConfig = (config: EngineConfig): RiskConfig => ({
  accountId: config.accountId,
  minConfidence: config.scheduler.minConfidence,
  confluenceMin: config.confluence.min,
  maxConcurrentTrades: config.scheduler.maxConcurrentTrades,
  sizingTiers: config.risk.sizingTiers,
  maxPositionPct: config.risk.maxPositionPct,
  limits: config.risk.limits,
  pdt: config.risk.pdt,
  settlement: config.risk.settlement,
  earningsBlackoutMs: config.risk.earningsBlackoutMs,
  flattenBeforeCloseMinutes: config.exits.flatten_before_close_minutes,
  brokerReportMaxAgeMs: brokerReportMaxAgeMs(config.scheduler.positionSyncIntervalMs),
});
