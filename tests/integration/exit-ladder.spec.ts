import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Observable, defer, lastValueFrom, throwError } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPaperBroker } from '../../adapters/paper/paper-broker.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../engine/config.js';
import { type Engine, createEngine } from '../../engine/graph.js';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import type { OrderIntent } from '../../engine/messages/order.js';
import type { RiskApproved } from '../../engine/messages/risk.js';
import type { EngineSnapshot, StorePort } from '../../engine/ports/store.port.js';
import { EXIT_STATES_KEY } from '../../engine/risk/exit-state-book.js';
import { CorruptExitStateError, type ExitState } from '../../engine/risk/exit-state.js';
import { strategyRegistry } from '../../engine/strategies/strategy-registry.js';
import { type SqliteStore, openStore } from '../../storage/sqlite-store.js';
import { T0, sequentialIds } from '../support/factories.js';
import { ScriptedMarket, barsFromCloses } from '../support/scripted-market.js';

const MIN = 60_000;
const CONFIG: EngineConfig = {
  ...DEFAULT_ENGINE_CONFIG,
  scheduler: { ...DEFAULT_ENGINE_CONFIG.scheduler, positionSyncEnabled: false },
};

/** 60 quiet minutes, then the climb that makes momentum buy 39 AAPL at 100.3001 (filled at minute 61). */
const TO_ENTRY = [...Array.from({ length: 60 }, (_, i) => 100 + (i % 2 === 0 ? 0.05 : -0.05)), 100.25, 100.4];
/** After the entry: +5 % (105.315) is crossed at 105.5, +10 % (110.33) at 110.5, +20 % (120.36) at 121. */
const TO_STEP_1 = [103, 105.5];
const TO_STEP_2 = [106, 107, 108, 110.5];
const TO_STEP_3 = [111, 115, 118, 121, 122];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tradebot-ladder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Rig {
  readonly engine: Engine;
  readonly store: SqliteStore;
  readonly market: ScriptedMarket;
  readonly events: EngineEvent[];
  readonly errors: { context: string; err: unknown }[];
  /** Plays closes as 1-minute bars from `minute`, waiting for the engine after each. */
  play(closes: readonly number[], minute: number): Promise<void>;
  close(): Promise<void>;
}

interface RigOptions {
  readonly url: string;
  /** Market time the run starts at (the scripted market's clock). */
  readonly startMinute?: number;
  readonly idPrefix: string;
  /** Wraps the real store (to watch or fail writes). */
  readonly wrap?: (store: SqliteStore) => StorePort;
}

const rig = async (o: RigOptions): Promise<Rig> => {
  const store = await openStore({ url: o.url });
  const snapshot: EngineSnapshot = await lastValueFrom(store.load());
  const market = new ScriptedMarket(T0 + (o.startMinute ?? 0) * MIN);
  const paper = createPaperBroker({ bars$: market.bars$, slippageBps: 5, openOrders: [...snapshot.openOrders] });
  const errors: { context: string; err: unknown }[] = [];
  const engine = createEngine({
    config: CONFIG,
    marketData: market,
    broker: paper,
    store: o.wrap ? o.wrap(store) : store,
    clock: { now: () => 0 },
    ids: sequentialIds(o.idPrefix),
    scheduler: market.scheduler,
    registry: strategyRegistry,
    snapshot,
    onError: (context, err) => errors.push({ context, err }),
  });
  const events: EngineEvent[] = [];
  engine.events$.subscribe((e) => events.push(e));
  engine.start();
  return {
    engine,
    store,
    market,
    events,
    errors,
    play: async (closes, minute) => {
      for (const b of barsFromCloses('AAPL', T0 + minute * MIN, closes)) {
        market.playMinute([b]);
        await engine.idle();
      }
    },
    close: async () => {
      await engine.stop();
      paper.dispose();
      await store.close();
    },
  };
};

const exitsApproved = (events: readonly EngineEvent[]): RiskApproved[] =>
  events.filter((e): e is RiskApproved => e.kind === 'risk.approved' && e.order.purpose === 'exit');
const described = (events: readonly EngineEvent[]) =>
  exitsApproved(events).map((e) => ({
    reason: e.signal.signal.exitReason,
    step: e.signal.signal.indicators['ladder_step'],
    quantity: e.order.quantity,
  }));
const held = (r: Rig): number => r.engine.portfolio().positions.find((p) => p.symbol === 'AAPL')?.quantity ?? 0;
const storedStates = async (store: SqliteStore): Promise<Record<string, ExitState>> =>
  (await lastValueFrom(store.load())).values[EXIT_STATES_KEY] as Record<string, ExitState>;

/** Momentum opens the position; then it is disabled, so only the exit rules act on it. */
const enterWithMomentum = async (r: Rig): Promise<void> => {
  await r.engine.addStrategy({ strategy_type: 'momentum', config: { symbol: 'AAPL', timeframe: '1m' }, enabled: true });
  await r.play(TO_ENTRY, 0);
  expect(held(r)).toBe(39);
  // Its own exits (exhaustion, opposite setup) would otherwise compete with the ladder on a climb.
  await r.engine.setStrategyEnabled('momentum_AAPL', false);
};

describe('the profit-taking ladder through the paper system', () => {
  it('sells 25 %, then 50 % of the rest, then the rest as the position climbs through +5, +10, +20 %, each step once', async () => {
    const r = await rig({ url: ':memory:', idPrefix: 'a' });
    try {
      await enterWithMomentum(r);
      const entry = r.events.find((e): e is RiskApproved => e.kind === 'risk.approved');
      // Momentum's own +5 % target (from the signal price 100.25) lies within the ladder's range.
      expect(entry?.order.takeProfit).toBeCloseTo(105.2625, 6);

      await r.play(TO_STEP_1, 62);
      expect(described(r.events)).toEqual([{ reason: 'ladder', step: 1, quantity: 9 }]);
      await r.play(TO_STEP_2, 64);
      expect(held(r)).toBe(30); // the step-2 sell is placed; it fills on the next bar
      await r.play(TO_STEP_3, 68);

      expect(described(r.events)).toEqual([
        { reason: 'ladder', step: 1, quantity: 9 },
        { reason: 'ladder', step: 2, quantity: 15 },
        { reason: 'ladder', step: 3, quantity: 15 },
      ]);
      // Each step once: no other exit was even asked for (a repeat would show up as exit_pending).
      expect(r.events.filter((e) => e.kind === 'risk.rejected')).toEqual([]);
      const ladder = exitsApproved(r.events)[0];
      expect(ladder?.order.reason).toMatch(/^exit \(ladder\): ladder step 1 of 3/);
      expect(held(r)).toBe(0);
      const fills = (await lastValueFrom(r.store.listFills())).filter((f) => f.side === 'SELL');
      expect(fills.map((f) => f.quantity)).toEqual([9, 15, 15]);
      // The closed position's exit state is gone from the database too.
      await r.engine.idle();
      expect(await storedStates(r.store)).toEqual({});
    } finally {
      await r.close();
    }
  });

  it('checks exits on bars only while the exit loop may run (not with the scheduler stopped)', async () => {
    const r = await rig({ url: ':memory:', idPrefix: 'a' });
    try {
      await enterWithMomentum(r);
      r.engine.stopScheduler();
      await r.play(TO_STEP_1, 62);
      expect(exitsApproved(r.events)).toEqual([]);
      r.engine.startScheduler();
      await r.play([105.6], 64);
      expect(described(r.events)).toEqual([{ reason: 'ladder', step: 1, quantity: 9 }]);
    } finally {
      await r.close();
    }
  });

  it('reports the exit rules and the ladder progress in the risk status', async () => {
    const r = await rig({ url: ':memory:', idPrefix: 'a' });
    try {
      await enterWithMomentum(r);
      await r.play([...TO_STEP_1, 106], 62);
      const status = r.engine.riskStatus();
      expect(status.not_enforced).toEqual([]);
      expect(status.exits.config).toEqual({
        trailing_stop_pct: null,
        ladder: [
          { gain: 0.05, sell_fraction: 0.25 },
          { gain: 0.1, sell_fraction: 0.5 },
          { gain: 0.2, sell_fraction: 1 },
        ],
        max_holding_minutes: null,
        flatten_before_close_minutes: null,
        ladder_fill_timeout_seconds: 120,
      });
      expect(status.exits.positions).toMatchObject([
        { symbol: 'AAPL', direction: 'long', original_quantity: 39, fired_steps: [1], ladder_locked: false },
      ]);
      expect(status.exits.positions[0]?.trailing_anchor).toBe(106);
      expect(status.exits.positions[0]?.awaiting_fill).toBeNull(); // the 9 shares sold on the 106 bar
    } finally {
      await r.close();
    }
  });
});

describe('ladder persistence', () => {
  it('commits the fired step to SQLite before the order intent of its sell is written', async () => {
    const url = `sqlite:///${join(dir, 'trading.db')}`;
    const seen: { order: string; firedSteps: readonly number[] | undefined }[] = [];
    let reader: SqliteStore | undefined;
    const r = await rig({
      url,
      idPrefix: 'a',
      // At the moment the intent is handed to the store, read what is committed, from a second connection.
      // Values reach the database a moment late, as when the journal's batch waits behind another
      // write: the order of the store's queue alone would then put the intent first.
      wrap: (store) =>
        Object.assign(Object.create(store) as SqliteStore, {
          saveValue: (key: string, value: unknown): Observable<void> =>
            defer(async () => {
              if (key === EXIT_STATES_KEY) await new Promise((resolve) => setTimeout(resolve, 20));
              await lastValueFrom(store.saveValue(key, value), { defaultValue: undefined });
            }),
          saveOrderIntent: (order: OrderIntent): Observable<void> =>
            defer(async () => {
              if (order.purpose === 'exit') {
                reader ??= await openStore({ url });
                const states = (await lastValueFrom(reader.load())).values[EXIT_STATES_KEY] as
                  Record<string, ExitState> | undefined;
                seen.push({ order: `${order.side} ${order.quantity}`, firedSteps: states?.['AAPL']?.firedSteps });
              }
              await lastValueFrom(store.saveOrderIntent(order), { defaultValue: undefined });
            }),
        }),
    });
    try {
      await enterWithMomentum(r);
      await r.play([...TO_STEP_1, ...TO_STEP_2], 62);
      expect(seen).toEqual([
        { order: 'SELL 9', firedSteps: [0] },
        { order: 'SELL 15', firedSteps: [0, 1] },
      ]);
    } finally {
      await r.close();
      await reader?.close();
    }
  });

  it('does not send a ladder sell whose step could not be stored, and does not sell that step later', async () => {
    let failing = true;
    const r = await rig({
      url: ':memory:',
      idPrefix: 'a',
      wrap: (store) =>
        Object.assign(Object.create(store) as SqliteStore, {
          saveValue: (key: string, value: unknown): Observable<void> =>
            failing &&
            key === EXIT_STATES_KEY &&
            ((value as Record<string, ExitState>)['AAPL']?.firedSteps.length ?? 0) > 0
              ? throwError(() => new Error('disk I/O error'))
              : store.saveValue(key, value),
        }),
    });
    try {
      await enterWithMomentum(r);
      await r.play(TO_STEP_1, 62);
      const failed = r.events.find((e) => e.kind === 'order.failed');
      expect(failed).toMatchObject({ stage: 'persist' });
      expect(failed?.kind === 'order.failed' && failed.error).toMatch(/could not be stored.*ladder sell is not sent/);
      expect(r.errors.some((e) => e.context === 'journal')).toBe(true);
      expect(held(r)).toBe(39);
      const orders = await lastValueFrom(r.store.listOrders(10));
      expect(orders.filter((o) => o.side === 'SELL')).toEqual([]);
      // The disk recovers: the step stays fired (it is not sold late); the next step sells from 39.
      failing = false;
      await r.play([106, 107, 110.5, 111], 64);
      expect(described(r.events)).toEqual([
        { reason: 'ladder', step: 1, quantity: 9 },
        { reason: 'ladder', step: 2, quantity: 19 },
      ]);
      expect(held(r)).toBe(20);
    } finally {
      await r.close();
    }
  });

  it('never repeats a ladder step after a restart between its order and its fill', async () => {
    const url = `sqlite:///${join(dir, 'trading.db')}`;
    const first = await rig({ url, idPrefix: 'a' });
    await enterWithMomentum(first);
    await first.play(TO_STEP_1, 62);
    expect(described(first.events)).toEqual([{ reason: 'ladder', step: 1, quantity: 9 }]);
    expect(held(first)).toBe(39); // the sell is placed; its fill would come with the next bar
    await first.close();

    const second = await rig({ url, idPrefix: 'b', startMinute: 64 });
    try {
      expect(second.errors).toEqual([]);
      expect(second.engine.riskStatus().exits.positions).toMatchObject([{ symbol: 'AAPL', fired_steps: [1] }]);
      await second.play([...TO_STEP_2, ...TO_STEP_3], 64);
      expect(described(second.events)).toEqual([
        { reason: 'ladder', step: 2, quantity: 15 },
        { reason: 'ladder', step: 3, quantity: 15 },
      ]);
      expect(held(second)).toBe(0);
      const sells = (await lastValueFrom(second.store.listOrders(100))).filter((o) => o.side === 'SELL');
      expect(sells.map((o) => [o.quantity, o.status])).toEqual([
        [15, 'filled'],
        [15, 'filled'],
        [9, 'filled'],
      ]);
    } finally {
      await second.close();
    }
  });

  it('fails closed on a corrupt stored exit state: reports it, starts, and refuses ladder sells for that position', async () => {
    const url = `sqlite:///${join(dir, 'trading.db')}`;
    const first = await rig({ url, idPrefix: 'a' });
    await first.play([100], 0);
    await first.engine.executeOrder({ symbol: 'AAPL', side: 'BUY', quantity: 40, price_per_share: 100 });
    await first.play([100, 101], 1);
    expect(held(first)).toBe(40);
    await first.close();
    const writer = await openStore({ url });
    await lastValueFrom(writer.saveValue(EXIT_STATES_KEY, { AAPL: { version: 1, symbol: 'AAPL', firedSteps: 'x' } }), {
      defaultValue: undefined,
    });
    await writer.close();

    const second = await rig({ url, idPrefix: 'b', startMinute: 3 });
    try {
      expect(second.errors.map((e) => e.context)).toEqual(['exit state of AAPL']);
      expect(second.errors[0]?.err).toBeInstanceOf(CorruptExitStateError);
      expect(String(second.errors[0]?.err)).toMatch(/firedSteps/);
      expect(second.engine.riskStatus().exits.positions).toMatchObject([{ symbol: 'AAPL', ladder_locked: true }]);
      await second.play([103, 106, 111, 125], 3);
      expect(exitsApproved(second.events)).toEqual([]);
      expect(held(second)).toBe(40);
      // The fail-closed state is what is stored now, so the next restart stays closed too.
      await second.engine.idle();
      expect((await storedStates(second.store))['AAPL']?.firedSteps).toHaveLength(20);
    } finally {
      await second.close();
    }
  });
});
