import { NEVER, Subject, lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPaperBroker } from '../../adapters/paper/paper-broker.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../engine/config.js';
import { type Engine, createEngine } from '../../engine/graph.js';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import type { SentimentReading } from '../../engine/messages/market.js';
import type { SentimentPort } from '../../engine/ports/sentiment.port.js';
import type { BrokerPort } from '../../engine/ports/broker.port.js';
import type { BrokerEvent } from '../../engine/messages/order.js';
import { strategyRegistry } from '../../engine/strategies/strategy-registry.js';
import { type SqliteStore, openStore } from '../../storage/sqlite-store.js';
import { ScriptedMarket, barsFromCloses } from '../support/scripted-market.js';
import { T0, sequentialIds } from '../support/factories.js';

const CONFIG: EngineConfig = {
  ...DEFAULT_ENGINE_CONFIG,
  scheduler: { ...DEFAULT_ENGINE_CONFIG.scheduler, positionSyncEnabled: false },
};

/** 60 quiet minutes, a steady climb, then a sharp drop through the stop. */
const SCRIPT = [
  ...Array.from({ length: 60 }, (_, i) => 100 + (i % 2 === 0 ? 0.05 : -0.05)),
  ...Array.from({ length: 20 }, (_, i) => 100.1 + 0.15 * (i + 1)),
  ...Array.from({ length: 10 }, (_, i) => 103 - 0.6 * (i + 1)),
];

interface Rig {
  engine: Engine;
  store: SqliteStore;
  market: ScriptedMarket;
  events: EngineEvent[];
  /** The paper broker's events as the engine sees them; a test may fail the stream. */
  brokerEvents: Subject<BrokerEvent>;
  close(): Promise<void>;
}

const rig = async (sentiment?: SentimentPort): Promise<Rig> => {
  const store = await openStore({ url: ':memory:' });
  const snapshot = await lastValueFrom(store.load());
  const market = new ScriptedMarket(T0);
  const paper = createPaperBroker({ bars$: market.bars$, slippageBps: 5 });
  const brokerEvents = new Subject<BrokerEvent>();
  paper.events$.subscribe(brokerEvents);
  const broker: BrokerPort = {
    name: 'paper',
    events$: brokerEvents,
    connection$: paper.connection$,
    isConnected: () => paper.isConnected(),
    submit: (o) => paper.submit(o),
    cancel: (id) => paper.cancel(id),
  };
  const engine = createEngine({
    config: CONFIG,
    marketData: market,
    broker,
    store,
    clock: { now: () => 0 },
    ids: sequentialIds('ord'),
    scheduler: market.scheduler,
    registry: strategyRegistry,
    snapshot,
    ...(sentiment ? { sentiment } : {}),
  });
  const events: EngineEvent[] = [];
  engine.events$.subscribe((e) => events.push(e));
  engine.start();
  return {
    engine,
    store,
    market,
    events,
    brokerEvents,
    close: async () => {
      await engine.stop();
      paper.dispose();
      await store.close();
    },
  };
};

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

const addMomentum = (r: Rig) =>
  r.engine.addStrategy({ strategy_type: 'momentum', config: { symbol: 'AAPL', timeframe: '1m' }, enabled: true });

/** Plays closes as 1-minute bars starting `fromMinute` minutes after T0. */
const play = async (r: Rig, closes: readonly number[], fromMinute = 0): Promise<void> => {
  for (const b of barsFromCloses('AAPL', T0 + fromMinute * 60_000, closes)) {
    r.market.playMinute([b]);
    await r.engine.idle();
  }
};

describe('the whole trade loop in paper mode', () => {
  it('enters on a momentum signal, exits when momentum turns, and books exact fills and P&L in SQLite', async () => {
    current = await rig();
    const r = current;
    await addMomentum(r);
    await play(r, SCRIPT);

    const kinds = (k: string) => r.events.filter((e) => e.kind === k);
    const approved = kinds('risk.approved');
    const fills = r.events.filter((e) => e.kind === 'order.filled');
    expect(
      approved.map((e) => e.kind === 'risk.approved' && `${e.order.side} ${e.order.quantity} ${e.order.purpose}`),
    ).toEqual(['BUY 39 enter', 'SELL 39 exit']);
    expect(
      fills.map(
        (f) =>
          f.kind === 'order.filled' && {
            side: f.side,
            qty: f.quantity,
            price: f.price,
            commission: f.commission,
            ts: (f.ts - T0) / 60_000,
          },
      ),
    ).toEqual([
      { side: 'BUY', qty: 39, price: 100.3001, commission: 1, ts: 61 },
      { side: 'SELL', qty: 39, price: 101.7491, commission: 1, ts: 82 },
    ]);

    // Golden outputs above; the rules they follow below.
    // Sizing: 4 % of equity at the signal price (confidence >= 0.7), whole shares.
    const entry = approved[0];
    if (entry?.kind !== 'risk.approved') throw new Error('no entry');
    expect(entry.order.quantity).toBe(Math.floor((0.04 * 100_000) / entry.signal.signal.price));
    // Fills are at the next bar's open with 5 bps adverse slippage.
    const bars = barsFromCloses('AAPL', T0, SCRIPT);
    for (const f of fills) {
      if (f.kind !== 'order.filled') continue;
      const barAt = bars.find((b) => b.ts === f.ts);
      expect(barAt).toBeDefined();
      const expected = (barAt?.open ?? 0) * (f.side === 'BUY' ? 1.0005 : 0.9995);
      expect(f.price).toBeCloseTo(expected, 4);
    }
    // The account agrees with the fills to the cent.
    const summary = r.engine.portfolio();
    const [buy, sell] = fills as Extract<EngineEvent, { kind: 'order.filled' }>[];
    if (!buy || !sell) throw new Error('expected an entry and an exit fill');
    const pnl = (sell.price - buy.price) * buy.quantity - buy.commission - sell.commission;
    expect(summary.realized_pnl).toBeCloseTo(pnl, 2);
    expect(summary.cash).toBeCloseTo(100_000 + pnl, 2);
    expect(summary.open_positions).toBe(0);
    const exitSignal = r.events.find((e) => e.kind === 'signal.scored' && e.signal.action === 'exit');
    expect(exitSignal?.kind === 'signal.scored' && exitSignal.signal.exitReason).toBe('opposite_signal');

    // And so does the database.
    const orders = await lastValueFrom(r.store.listOrders(10));
    expect(orders.map((o) => o.status)).toEqual(['filled', 'filled']);
    const stored = await lastValueFrom(r.store.listFills());
    expect(stored.map((f) => f.price)).toEqual([buy.price, sell.price]);
    const status = r.engine.schedulerStatus();
    expect(status.stats).toMatchObject({ trades_executed: 2, errors: 0 });
  });

  it('exits a held position at its protective stop after a gap down', async () => {
    current = await rig();
    const r = current;
    await addMomentum(r);
    await play(r, [...SCRIPT.slice(0, 80), 95, 95]);
    const exit = r.events.find((e) => e.kind === 'risk.approved' && e.order.purpose === 'exit');
    expect(exit?.kind === 'risk.approved' && exit.signal.signal.exitReason).toBe('stop');
    const entry = r.events.find((e) => e.kind === 'risk.approved' && e.order.purpose === 'enter');
    expect(entry?.kind === 'risk.approved' && entry.order.stopLoss).toBeGreaterThan(95);
    expect(r.engine.portfolio().open_positions).toBe(0);
  });

  it('lets a bearish sentiment reading veto the same entry through confluence', async () => {
    const readings = new Subject<SentimentReading>();
    let tracked: readonly string[] = [];
    current = await rig({
      readings$: readings,
      optionsFlow$: NEVER,
      earnings$: NEVER,
      track: (s) => (tracked = s),
    });
    const r = current;
    const added = await addMomentum(r);
    expect(tracked).toEqual(['AAPL']);
    // Sentiment is polled for active symbols only: disabling the strategy drops the symbol, enabling brings it back.
    await r.engine.setStrategyEnabled(added.id, false);
    expect(tracked).toEqual([]);
    await r.engine.setStrategyEnabled(added.id, true);
    expect(tracked).toEqual(['AAPL']);
    readings.next({
      kind: 'sentiment.updated',
      ts: T0,
      symbol: 'AAPL',
      source: 'test',
      score: -0.9,
      confidence: 0.9,
      mentions: 50,
    });
    await play(r, SCRIPT.slice(0, 70));
    const decision = r.events.find((e) => e.kind === 'risk.rejected' || e.kind === 'risk.approved');
    expect(decision?.kind).toBe('risk.rejected');
    if (decision?.kind !== 'risk.rejected') return;
    // (0.5 x 0.7 technical - 0.3 x 0.9 sentiment) / 0.8 = 0.1: below the 0.5 minimum, the first rule in SPEC order.
    expect(decision.rule).toBe('min_confidence');
    expect(decision.signal.confidence).toBeLessThan(0.5);
    const sentiment = decision.signal.confluence.components.find((c) => c.name === 'sentiment');
    expect(sentiment).toMatchObject({ present: true, score: -0.9 });
    expect(r.events.filter((e) => e.kind === 'order.placed')).toHaveLength(0);
  });

  it('stops trading for good when a stage of the graph dies, and says so in /health', async () => {
    current = await rig();
    const r = current;
    r.brokerEvents.error(new Error('broker stream broke'));
    const health = r.engine.health();
    expect(health.status).toBe('degraded');
    expect(health.problems.join(' ')).toContain('internal failure');
    expect(r.engine.schedulerStatus().state).toBe('error');
    expect(() => r.engine.startScheduler()).toThrow(/restart the process/);
    await expect(
      r.engine.executeOrder({ symbol: 'AAPL', side: 'BUY', quantity: 1, price_per_share: 100 }),
    ).rejects.toThrow(/internal failure/);
  });

  it('does not trade while the scheduler is stopped, and trades the same market once started', async () => {
    current = await rig();
    const r = current;
    await addMomentum(r);
    r.engine.stopScheduler();
    await play(r, SCRIPT.slice(0, 65));
    expect(r.events.filter((e) => e.kind === 'risk.approved')).toHaveLength(0);
    r.engine.startScheduler();
    await play(r, SCRIPT.slice(65, 80), 65);
    expect(r.events.filter((e) => e.kind === 'risk.approved').length).toBeGreaterThan(0);
  });
});
