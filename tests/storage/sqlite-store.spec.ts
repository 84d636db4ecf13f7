import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../engine/errors.js';
import { Journal } from '../../engine/journal.js';
import type { Bar } from '../../engine/messages/market.js';
import type {
  OrderAccepted,
  OrderCancelled,
  OrderFailed,
  OrderPlaced,
  OrderRejected,
} from '../../engine/messages/order.js';
import { EMPTY_STATS } from '../../engine/scheduler/scheduler-stats.js';
import { openStore, type SqliteStore } from '../../storage/sqlite-store.js';
import {
  T0,
  account,
  accountUpdated,
  approved,
  fill,
  intent,
  position,
  positionUpdated,
  rejected,
  run,
  scored,
  strategy,
} from './store-fixtures.js';

const placed = (o = intent(), ts = T0 + 500): OrderPlaced => ({ kind: 'order.placed', ts, order: o });
const accepted = (id = 'c-1', ts = T0 + 1_000): OrderAccepted => ({
  kind: 'order.accepted',
  ts,
  clientOrderId: id,
  symbol: 'AAPL',
  brokerOrderId: 'B-77',
});
const bar: Bar = {
  kind: 'bar',
  symbol: 'AAPL',
  ts: T0,
  timeframe: '5m',
  open: 1,
  high: 2,
  low: 1,
  close: 2,
  volume: 9,
};

describe('SqliteStore on :memory: (real migrations)', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('loads an empty snapshot from a fresh database', async () => {
    expect(await run(store.load())).toStrictEqual({
      strategies: [],
      account: undefined,
      openOrders: [],
      stats: undefined,
      values: {},
    });
  });

  describe('saveOrderIntent', () => {
    it('stores the intent as a created order that load() rebuilds exactly', async () => {
      const market = intent({ clientOrderId: 'c-2', type: 'market', ts: T0 + 1 });
      delete (market as { limitPrice?: number }).limitPrice;
      delete (market as { stopLoss?: number }).stopLoss;
      delete (market as { takeProfit?: number }).takeProfit;
      const stop = intent({
        clientOrderId: 'c-3',
        type: 'stop_limit',
        stopPrice: 189,
        ts: T0 + 2,
        side: 'SELL',
        purpose: 'exit',
      });
      for (const o of [intent(), market, stop]) await run(store.saveOrderIntent(o));

      const { openOrders } = await run(store.load());
      expect(openOrders).toStrictEqual([
        { intent: intent(), status: 'created', filledQuantity: 0, avgFillPrice: 0, updatedTs: T0 },
        { intent: market, status: 'created', filledQuantity: 0, avgFillPrice: 0, updatedTs: T0 + 1 },
        { intent: stop, status: 'created', filledQuantity: 0, avgFillPrice: 0, updatedTs: T0 + 2 },
      ]);
      expect(await run(store.listOrderEvents('c-1'))).toMatchObject([
        { clientOrderId: 'c-1', status: 'created', ts: T0 },
      ]);
    });

    it('rejects a duplicate client order id and writes nothing', async () => {
      await run(store.saveOrderIntent(intent()));
      const error = await run(store.saveOrderIntent(intent({ quantity: 99, symbol: 'MSFT' }))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('conflict');
      expect((await run(store.load())).openOrders.map((o) => o.intent)).toStrictEqual([intent()]);
      expect(await run(store.listOrderEvents('c-1'))).toHaveLength(1);
    });

    it.each([
      ['zero quantity', intent({ clientOrderId: 'bad', quantity: 0 })],
      ['fractional quantity', intent({ clientOrderId: 'bad', quantity: 1.5 })],
      ['NaN limit price', intent({ clientOrderId: 'bad', limitPrice: Number.NaN })],
      ['empty client order id', intent({ clientOrderId: '' })],
    ])('rejects an invalid intent (%s) and writes nothing', async (_name, bad) => {
      await expect(run(store.saveOrderIntent(bad))).rejects.toMatchObject({ code: 'validation_error' });
      expect(await run(store.listOrders(10))).toEqual([]);
    });
  });

  describe('append', () => {
    it('projects a scored signal and its approval onto one signals row', async () => {
      const s = scored();
      await run(store.append([bar, s]));
      const [row] = await run(store.listSignals(10));
      expect(row).toMatchObject({
        strategyId: 'ema_AAPL',
        strategyType: 'ema',
        symbol: 'AAPL',
        timeframe: '5m',
        ts: T0,
        side: 'BUY',
        action: 'enter',
        confidence: 0.7,
        finalConfidence: 0.8,
        price: 190,
        entry: 190,
        stopLoss: 185,
        takeProfit: 200,
        reason: 'fast ema crossed above slow ema',
        exitReason: null,
        indicators: { emaFast: 190.1, emaSlow: 189.7 },
        confluence: s.confluence,
        decision: null,
        clientOrderId: null,
      });

      await run(store.append([approved(s, intent(), ['pdt: warning'])]));
      const signals = await run(store.listSignals(10));
      expect(signals).toHaveLength(1);
      expect(signals[0]).toMatchObject({
        decision: 'approved',
        rule: null,
        decisionReason: 'pdt: warning',
        clientOrderId: 'c-1',
      });
    });

    it('inserts the signal from a rejection whose scored signal was not journaled', async () => {
      const other = scored({
        strategyId: 'rsi_MSFT',
        symbol: 'MSFT',
        side: 'SELL',
        exitReason: 'stop',
        action: 'exit',
      });
      await run(store.append([scored(), rejected(other, 'max_positions', 'too many open positions')]));
      const signals = await run(store.listSignals(10));
      expect(signals.map((r) => [r.strategyId, r.decision, r.rule, r.decisionReason, r.exitReason])).toEqual([
        ['rsi_MSFT', 'rejected', 'max_positions', 'too many open positions', 'stop'],
        ['ema_AAPL', null, null, null, null],
      ]);
    });

    it('walks an order through placed, accepted, partial and full fill', async () => {
      await run(store.saveOrderIntent(intent()));
      await run(store.append([placed(), accepted()]));
      let [open] = (await run(store.load())).openOrders;
      expect(open).toMatchObject({ status: 'accepted', brokerOrderId: 'B-77', updatedTs: T0 + 1_000 });

      await run(store.append([fill('order.partially_filled', 'e-1', 4, 190, 4)]));
      [open] = (await run(store.load())).openOrders;
      expect(open).toMatchObject({ status: 'partially_filled', filledQuantity: 4, avgFillPrice: 190 });

      await run(store.append([fill('order.filled', 'e-2', 6, 191, 10, { ts: T0 + 3_000 })]));
      expect((await run(store.load())).openOrders).toEqual([]);
      const [order] = await run(store.listOrders(10));
      expect(order).toMatchObject({ status: 'filled', filledQuantity: 10, updatedTs: T0 + 3_000 });
      expect(order?.avgFillPrice).toBeCloseTo(190.6, 10);
      expect((await run(store.listOrderEvents('c-1'))).map((e) => e.status)).toEqual([
        'created',
        'submitted',
        'accepted',
        'partially_filled',
        'filled',
      ]);
      expect(
        (await run(store.listFills('c-1'))).map((f) => [f.execId, f.quantity, f.price, f.commission, f.side]),
      ).toEqual([
        ['e-1', 4, 190, 1, 'BUY'],
        ['e-2', 6, 191, 1, 'BUY'],
      ]);
    });

    it('under the journal, loses only the event it refuses: the orders around it are kept', async () => {
      const errors: unknown[] = [];
      const journal = new Journal(store, (e) => errors.push(e));
      const [a, b] = [intent({ clientOrderId: 'c-a' }), intent({ clientOrderId: 'c-b' })];
      journal.record(placed(a));
      journal.record(fill('order.partially_filled', 'e-bad', 4, Number.NaN, 4, { clientOrderId: 'c-a' }));
      journal.record(placed(b));
      await journal.flush();
      expect((await run(store.load())).openOrders.map((o) => [o.intent.clientOrderId, o.status])).toEqual([
        ['c-a', 'submitted'],
        ['c-b', 'submitted'],
      ]);
      expect(String(errors.at(-1))).toMatch(/refuses this order.partially_filled event .*NaN.*dropped/);
      expect(journal.pending).toBe(0);
    });

    it('inserts the order from order.placed when its intent row is missing', async () => {
      const o = intent({ clientOrderId: 'c-9' });
      await run(store.append([placed(o)]));
      const { openOrders } = await run(store.load());
      expect(openOrders).toStrictEqual([
        { intent: o, status: 'submitted', filledQuantity: 0, avgFillPrice: 0, updatedTs: T0 + 500 },
      ]);
    });

    it('applies a fill once per exec id, within a batch and across batches', async () => {
      await run(store.saveOrderIntent(intent()));
      const partial = fill('order.partially_filled', 'e-1', 4, 190, 4);
      await run(store.append([placed(), partial, partial]));
      await run(store.append([{ ...partial, price: 999, quantity: 5 }]));
      const [order] = await run(store.listOrders(10));
      expect(order).toMatchObject({ status: 'partially_filled', filledQuantity: 4, avgFillPrice: 190 });
      expect(await run(store.listFills())).toHaveLength(1);
      expect((await run(store.listOrderEvents('c-1'))).filter((e) => e.status === 'partially_filled')).toHaveLength(1);
    });

    it('keeps a fill for an order it does not know', async () => {
      await run(store.append([fill('order.filled', 'e-x', 10, 50, 10, { clientOrderId: 'manual-1' })]));
      expect((await run(store.listFills('manual-1'))).map((f) => f.execId)).toEqual(['e-x']);
      expect(await run(store.listOrders(10))).toEqual([]);
    });

    it.each<[string, OrderCancelled | OrderRejected | OrderFailed, string, string]>([
      [
        'cancelled',
        { kind: 'order.cancelled', ts: T0 + 9_000, clientOrderId: 'c-1', symbol: 'AAPL', reason: 'user cancelled' },
        'cancelled',
        'user cancelled',
      ],
      [
        'rejected',
        { kind: 'order.rejected', ts: T0 + 9_000, clientOrderId: 'c-1', symbol: 'AAPL', code: '201', text: 'margin' },
        'rejected',
        '201: margin',
      ],
      [
        'failed',
        {
          kind: 'order.failed',
          ts: T0 + 9_000,
          clientOrderId: 'c-1',
          symbol: 'AAPL',
          stage: 'send',
          error: 'socket closed',
        },
        'failed',
        'socket closed',
      ],
    ])('ends an order when %s, with its error text', async (_name, event, status, lastError) => {
      await run(store.saveOrderIntent(intent()));
      await run(store.append([placed(), event]));
      expect((await run(store.load())).openOrders).toEqual([]);
      const [order] = await run(store.listOrders(10));
      expect(order).toMatchObject({ status, lastError, updatedTs: T0 + 9_000 });
      expect((await run(store.listOrderEvents('c-1'))).at(-1)).toMatchObject({ status, ts: T0 + 9_000 });
    });

    it('never moves an order status backwards (a late ack after the fill)', async () => {
      await run(store.saveOrderIntent(intent()));
      await run(store.append([placed(), fill('order.filled', 'e-1', 10, 190, 10), accepted('c-1', T0 + 5_000)]));
      const [order] = await run(store.listOrders(10));
      expect(order).toMatchObject({ status: 'filled', brokerOrderId: 'B-77' });
      expect((await run(store.load())).openOrders).toEqual([]);
    });

    it('keeps one positions row per lifecycle and rebuilds the account from it', async () => {
      const opened = position();
      await run(store.append([positionUpdated(opened), accountUpdated(account())]));
      const moved = position({ lastPrice: 195, updatedTs: T0 + 60_000 });
      await run(store.append([positionUpdated(moved)]));

      let snapshot = await run(store.load());
      expect(snapshot.account).toStrictEqual(account({ positions: { AAPL: moved } }));

      const flat = position({ quantity: 0, realizedPnl: 45, lastPrice: 195, updatedTs: T0 + 120_000 });
      await run(
        store.append([
          positionUpdated(flat, T0 + 120_000),
          accountUpdated(account({ cash: 100_043, realizedPnl: 45 })),
        ]),
      );
      snapshot = await run(store.load());
      expect(snapshot.account?.positions).toEqual({});
      expect(snapshot.account?.cash).toBe(100_043);

      const again = position({ quantity: -5, openedTs: T0 + 200_000, updatedTs: T0 + 200_000, avgPrice: 196 });
      await run(store.append([positionUpdated(again)]));
      const rows = await run(store.listPositions());
      expect(rows.map((r) => [r.quantity, r.openedTs, r.closedTs, r.realizedPnl])).toEqual([
        [-5, T0 + 200_000, null, 0],
        [0, T0 + 2_000, T0 + 120_000, 45],
      ]);
      expect((await run(store.load())).account?.positions).toStrictEqual({ AAPL: again });
    });

    it('closes the old lifecycle when a position reverses without passing through zero', async () => {
      await run(store.append([positionUpdated(position())]));
      const reversed = position({ quantity: -3, openedTs: T0 + 9_000, updatedTs: T0 + 9_000, realizedPnl: 12 });
      await run(store.append([positionUpdated(reversed)]));
      const rows = await run(store.listPositions());
      expect(rows.map((r) => [r.quantity, r.closedTs, r.realizedPnl])).toEqual([
        [-3, null, 12],
        [0, T0 + 9_000, 12],
      ]);
    });

    it('commits each batch as one transaction: a bad event rolls back the whole batch', async () => {
      await run(store.saveOrderIntent(intent()));
      const bad = positionUpdated(position({ strategyId: null as unknown as string }));
      await expect(run(store.append([placed(), scored(), bad]))).rejects.toThrow(/strategyId/);
      expect(await run(store.listSignals(10))).toEqual([]);
      expect((await run(store.load())).openOrders[0]?.status).toBe('created');
      await run(store.append([placed()]));
      expect((await run(store.load())).openOrders[0]?.status).toBe('submitted');
    });

    it('rejects a batch holding a non-finite number before writing any of it', async () => {
      const bad = scored({ confidence: Number.NaN });
      await expect(run(store.append([scored(), bad]))).rejects.toMatchObject({
        code: 'validation_error',
        message: expect.stringMatching(/signal\.scored event at index 1: NaN/),
      });
      expect(await run(store.listSignals(10))).toEqual([]);
    });

    it('ignores events it does not keep', async () => {
      await run(
        store.append([
          bar,
          { kind: 'scheduler.state_changed', ts: T0, state: 'running', previous: 'stopped' },
          { kind: 'actor.halted', ts: T0, symbol: 'AAPL', error: 'boom' },
        ]),
      );
      expect(await run(store.load())).toStrictEqual({
        strategies: [],
        account: undefined,
        openOrders: [],
        stats: undefined,
        values: {},
      });
    });
  });

  describe('strategies, stats and values', () => {
    it('upserts and deletes strategies, loading them by creation time', async () => {
      const later = strategy({ id: 'rsi_MSFT', symbol: 'MSFT', strategyType: 'rsi', createdTs: T0 + 10, config: {} });
      await run(store.saveStrategy(later));
      await run(store.saveStrategy(strategy()));
      await run(store.saveStrategy(strategy({ enabled: false, updatedTs: T0 + 99 })));
      expect((await run(store.load())).strategies).toStrictEqual([
        strategy({ enabled: false, updatedTs: T0 + 99 }),
        later,
      ]);

      await run(store.deleteStrategy('ema_AAPL'));
      await run(store.deleteStrategy('no-such-strategy'));
      expect((await run(store.load())).strategies).toStrictEqual([later]);
    });

    it('rejects an invalid strategy and writes nothing', async () => {
      await expect(run(store.saveStrategy(strategy({ timeframe: '2m' as '1m' })))).rejects.toMatchObject({
        code: 'validation_error',
      });
      await expect(run(store.saveStrategy(strategy({ config: { x: Number.NaN } })))).rejects.toMatchObject({
        code: 'validation_error',
      });
      expect((await run(store.load())).strategies).toEqual([]);
    });

    it('upserts the scheduler stats singleton', async () => {
      await run(store.saveStats(EMPTY_STATS));
      const stats = {
        ...EMPTY_STATS,
        evaluations_run: 7,
        signals_generated: 3,
        last_evaluation: T0,
        last_trade: T0 - 5,
      };
      await run(store.saveStats(stats));
      expect((await run(store.load())).stats).toStrictEqual(stats);
      await expect(run(store.saveStats({ ...stats, errors: -1 }))).rejects.toMatchObject({ code: 'validation_error' });
      expect((await run(store.load())).stats).toStrictEqual(stats);
    });

    it('round-trips JSON values and rejects what JSON cannot hold', async () => {
      const values: Record<string, unknown> = {
        cursor: { index: 42, symbols: ['AAPL', 'MSFT'] },
        number: 5,
        real: 1.5,
        numericString: '12',
        text: 'hello',
        flag: false,
        nothing: null,
        list: [1, { a: 'b' }],
      };
      for (const [key, value] of Object.entries(values)) await run(store.saveValue(key, value));
      await run(store.saveValue('number', 6));
      expect((await run(store.load())).values).toStrictEqual({ ...values, number: 6 });

      for (const bad of [undefined, Number.NaN, { x: Infinity }, () => 1, 10n]) {
        await expect(run(store.saveValue('bad', bad))).rejects.toMatchObject({ code: 'validation_error' });
      }
      await expect(run(store.saveValue('', 1))).rejects.toMatchObject({ code: 'validation_error' });
      expect((await run(store.load())).values).not.toHaveProperty('bad');
    });
  });

  describe('observables and ordering', () => {
    it('is cold: nothing is written until subscribed', async () => {
      const write = store.saveValue('k', 1);
      expect((await run(store.load())).values).toEqual({});
      await run(write);
      expect((await run(store.load())).values).toEqual({ k: 1 });
    });

    it('commits concurrent calls in call order', async () => {
      const done = Promise.all([
        run(store.append([accepted()])),
        run(store.saveOrderIntent(intent())),
        run(store.append([placed(), accepted()])),
        run(store.saveValue('k', 1)),
        run(store.saveValue('k', 2)),
        run(store.saveValue('k', 3)),
      ]);
      await done;
      const snapshot = await run(store.load());
      expect(snapshot.values).toEqual({ k: 3 });
      expect(snapshot.openOrders.map((o) => o.status)).toEqual(['accepted']);
      expect((await run(store.listOrderEvents('c-1'))).map((e) => e.status)).toEqual([
        'created',
        'submitted',
        'accepted',
      ]);
    });

    it('answers load() at one point between writes queued around it', async () => {
      const [, snapshot] = await Promise.all([
        run(store.saveStrategy(strategy())),
        run(store.load()),
        run(store.saveOrderIntent(intent())),
      ]);
      expect(snapshot.strategies).toHaveLength(1);
      expect(snapshot.openOrders).toHaveLength(0);
    });

    it('emits exactly once, then completes', async () => {
      const seen: unknown[] = [];
      await new Promise<void>((resolve, reject) =>
        store.saveValue('k', 1).subscribe({ next: (v) => seen.push(v), error: reject, complete: resolve }),
      );
      expect(seen).toEqual([undefined]);
    });

    it('close() waits for queued writes; later calls fail', async () => {
      const pending = run(store.saveValue('k', 1));
      await store.close();
      await expect(pending).resolves.toBeUndefined();
      await expect(run(store.load())).rejects.toMatchObject({ code: 'unavailable' });
      await store.close();
    });

    it('validates list limits', async () => {
      await expect(run(store.listOrders(0))).rejects.toMatchObject({ code: 'validation_error' });
      await expect(run(store.listSignals(1.5))).rejects.toMatchObject({ code: 'validation_error' });
    });
  });
});
