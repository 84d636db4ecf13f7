import { describe, expect, it } from 'vitest';
import { Subject, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { createPaperBroker } from '../../../adapters/paper/paper-broker.js';
import type { PaperBroker, PaperBrokerOptions } from '../../../adapters/paper/paper-broker.js';
import { createSimulatedMarket } from '../../../adapters/paper/simulated-market.js';
import { DomainError } from '../../../engine/errors.js';
import type { Bar } from '../../../engine/messages/market.js';
import type { BrokerEvent, FillEvent, OrderIntent, OrderRecord } from '../../../engine/messages/order.js';

const T0 = Date.UTC(2026, 2, 9, 13, 30);
let minute = 0;

const bar = (p: Partial<Bar> & { open: number }): Bar => {
  minute += 1;
  const { open } = p;
  return {
    kind: 'bar',
    symbol: 'SPY',
    ts: T0 + minute * 60_000,
    timeframe: '1m',
    high: Math.max(open, p.close ?? open) + 0.5,
    low: Math.min(open, p.close ?? open) - 0.5,
    close: open,
    volume: 100_000,
    ...p,
  };
};

const order = (p: Partial<OrderIntent> = {}): OrderIntent => ({
  kind: 'order.submit',
  ts: T0,
  clientOrderId: 'o1',
  accountId: 'paper',
  symbol: 'SPY',
  side: 'BUY',
  quantity: 100,
  type: 'market',
  purpose: 'enter',
  strategyId: 's1',
  reason: 'test',
  ...p,
});

interface Harness {
  bars: Subject<Bar>;
  broker: PaperBroker;
  events: BrokerEvent[];
  fills: () => FillEvent[];
  submit: (o: OrderIntent) => Promise<unknown[]>;
}

const harness = (options: Omit<PaperBrokerOptions, 'bars$'> = {}): Harness => {
  const bars = new Subject<Bar>();
  const broker = createPaperBroker({ bars$: bars, ...options });
  const events: BrokerEvent[] = [];
  broker.events$.subscribe((e) => events.push(e));
  return {
    bars,
    broker,
    events,
    fills: () => events.filter((e): e is FillEvent => e.kind === 'order.filled' || e.kind === 'order.partially_filled'),
    submit: (o) => lastValueFrom(broker.submit(o).pipe(toArray())),
  };
};

describe('paper broker: acceptance and market orders', () => {
  it('accepts an order, then fills a market buy at the next bar open with adverse slippage', async () => {
    const h = harness();
    expect(h.broker.name).toBe('paper');
    expect(h.broker.isConnected()).toBe(true);
    expect(await firstValueFrom(h.broker.connection$)).toBe('connected');
    expect(await h.submit(order({ ts: T0 + 5 }))).toEqual([undefined]);
    expect(h.events).toEqual([
      { kind: 'order.accepted', ts: T0 + 5, clientOrderId: 'o1', symbol: 'SPY', brokerOrderId: 'paper-1' },
    ]);
    const next = bar({ open: 100 });
    h.bars.next(next);
    expect(h.fills()).toEqual([
      {
        kind: 'order.filled',
        ts: next.ts,
        clientOrderId: 'o1',
        symbol: 'SPY',
        execId: 'o1-1',
        side: 'BUY',
        quantity: 100,
        price: 100.05,
        commission: 1,
        cumulativeQuantity: 100,
        remaining: 0,
      },
    ]);
  });

  it('fills a market sell below the open, with the configured slippage, rounded to 4 decimals', async () => {
    const h = harness({ slippageBps: 3 });
    await h.submit(order({ side: 'SELL', clientOrderId: 's1' }));
    h.bars.next(bar({ open: 123.45 }));
    expect(h.fills()[0]?.price).toBe(123.413);
    await h.submit(order({ side: 'SELL', clientOrderId: 's2' }));
    h.bars.next(bar({ open: 101.11 }));
    expect(h.fills()[1]?.price).toBe(Math.round(101.11 * (1 - 3 / 1e4) * 1e4) / 1e4);
  });

  it('never fills on a bar already seen, nor on the bar during which the order arrived', async () => {
    const h = harness();
    h.bars.next(bar({ open: 100 }));
    await h.submit(order());
    expect(h.fills()).toEqual([]);
    h.events.length = 0;

    const inside: OrderIntent = order({ clientOrderId: 'inside' });
    h.broker.events$.subscribe((e) => {
      if (e.kind === 'order.filled' && e.clientOrderId === 'o1') h.broker.submit(inside).subscribe();
    });
    const second = bar({ open: 101 });
    h.bars.next(second);
    expect(h.fills().map((f) => [f.clientOrderId, f.ts])).toEqual([['o1', second.ts]]);
    const third = bar({ open: 102 });
    h.bars.next(third);
    expect(h.fills().map((f) => [f.clientOrderId, f.ts, f.price])).toEqual([
      ['o1', second.ts, 101.0505],
      ['inside', third.ts, 102.051],
    ]);
  });

  it('fills only on bars of the order symbol', async () => {
    const h = harness();
    await h.submit(order({ symbol: 'AAPL' }));
    h.bars.next(bar({ open: 500 }));
    expect(h.fills()).toEqual([]);
    h.bars.next(bar({ symbol: 'AAPL', open: 200 }));
    expect(h.fills()[0]?.price).toBe(200.1);
  });
});

describe('paper broker: limit and stop orders', () => {
  it('fills a buy limit only when the low touches it, at the limit or the better open', async () => {
    const h = harness();
    await h.submit(order({ type: 'limit', limitPrice: 99 }));
    h.bars.next(bar({ open: 100, low: 99.01, high: 100.5 }));
    expect(h.fills()).toEqual([]);
    h.bars.next(bar({ open: 100, low: 99, high: 100.5 }));
    expect(h.fills()[0]?.price).toBe(99);
    await h.submit(order({ clientOrderId: 'o2', type: 'limit', limitPrice: 101 }));
    h.bars.next(bar({ open: 100.2 }));
    expect(h.fills()[1]?.price).toBe(100.2);
  });

  it('fills a sell limit only when the high touches it, at the limit or the better open', async () => {
    const h = harness();
    await h.submit(order({ side: 'SELL', type: 'limit', limitPrice: 105 }));
    h.bars.next(bar({ open: 104, high: 104.99, low: 103 }));
    expect(h.fills()).toEqual([]);
    h.bars.next(bar({ open: 104, high: 105.2, low: 103 }));
    expect(h.fills()[0]?.price).toBe(105);
    await h.submit(order({ clientOrderId: 'o2', side: 'SELL', type: 'limit', limitPrice: 100 }));
    h.bars.next(bar({ open: 102 }));
    expect(h.fills()[1]?.price).toBe(102);
  });

  it('triggers a sell stop when the low reaches it and fills at the worse of stop and open, with slippage', async () => {
    const h = harness();
    await h.submit(order({ side: 'SELL', type: 'stop', stopPrice: 95 }));
    h.bars.next(bar({ open: 97, low: 95.01, high: 98 }));
    expect(h.fills()).toEqual([]);
    h.bars.next(bar({ open: 97, low: 94.5, high: 98 }));
    expect(h.fills()[0]?.price).toBe(94.9525);
    await h.submit(order({ clientOrderId: 'gap', side: 'SELL', type: 'stop', stopPrice: 95 }));
    h.bars.next(bar({ open: 90, low: 89, high: 91 }));
    expect(h.fills()[1]?.price).toBe(89.955);
  });

  it('triggers a buy stop when the high reaches it', async () => {
    const h = harness();
    await h.submit(order({ type: 'stop', stopPrice: 101 }));
    h.bars.next(bar({ open: 100, high: 100.99, low: 99 }));
    expect(h.fills()).toEqual([]);
    h.bars.next(bar({ open: 103, high: 104, low: 102.5 }));
    expect(h.fills()[0]?.price).toBe(103.0515);
  });

  it('a stop-limit becomes a limit once triggered and does not fill beyond the limit', async () => {
    const h = harness();
    await h.submit(order({ type: 'stop_limit', stopPrice: 101, limitPrice: 102 }));
    h.bars.next(bar({ open: 100, high: 100.9, low: 99 }));
    h.bars.next(bar({ open: 104, high: 105, low: 103 }));
    expect(h.fills()).toEqual([]);
    h.bars.next(bar({ open: 103, high: 103.5, low: 101.8 }));
    expect(h.fills()[0]?.price).toBe(102);
    await h.submit(order({ clientOrderId: 'o2', type: 'stop_limit', stopPrice: 101, limitPrice: 102 }));
    h.bars.next(bar({ open: 100, high: 101.5, low: 99.5 }));
    expect(h.fills()[1]?.price).toBe(101);
  });
});

describe('paper broker: partial fills and commission', () => {
  it('fills at most the participation share of each bar, the rest keeps working', async () => {
    const h = harness();
    await h.submit(order({ quantity: 1_000 }));
    h.bars.next(bar({ open: 100, volume: 1_000 }));
    h.bars.next(bar({ open: 101, volume: 2_000 }));
    h.bars.next(bar({ open: 102, volume: 10_000 }));
    expect(h.fills().map((f) => [f.kind, f.execId, f.quantity, f.cumulativeQuantity, f.remaining])).toEqual([
      ['order.partially_filled', 'o1-1', 250, 250, 750],
      ['order.partially_filled', 'o1-2', 500, 750, 250],
      ['order.filled', 'o1-3', 250, 1_000, 0],
    ]);
    const total = h.fills().reduce((s, f) => s + f.commission, 0);
    expect(total).toBeCloseTo(5, 10);
  });

  it('charges the per-order minimum once across partial fills', async () => {
    const h = harness();
    await h.submit(order({ quantity: 400 }));
    for (let i = 0; i < 4; i += 1) h.bars.next(bar({ open: 50, volume: 400 }));
    expect(h.fills().map((f) => f.commission)).toEqual([1, 0, 0.5, 0.5]);
    expect(h.fills().reduce((s, f) => s + f.commission, 0)).toBe(2);
  });

  it('shares a bar volume between orders in acceptance order', async () => {
    const h = harness();
    await h.submit(order({ clientOrderId: 'a', quantity: 200 }));
    await h.submit(order({ clientOrderId: 'b', quantity: 200 }));
    h.bars.next(bar({ open: 10, volume: 1_000 }));
    expect(h.fills().map((f) => [f.clientOrderId, f.quantity])).toEqual([
      ['a', 200],
      ['b', 50],
    ]);
  });

  it('does not fill when the participation share is less than one share', async () => {
    const h = harness();
    await h.submit(order({ quantity: 10 }));
    h.bars.next(bar({ open: 10, volume: 3 }));
    expect(h.fills()).toEqual([]);
    h.bars.next(bar({ open: 10, volume: 40 }));
    expect(h.fills().map((f) => f.quantity)).toEqual([10]);
  });

  it.each([
    ['the minimum', 10, 100, 1],
    ['per share', 1_000, 100, 5],
    ['the cap of 1 % of value', 1_000, 0.2, 2],
  ])('charges %s', async (_label, quantity, open, expected) => {
    const h = harness({ slippageBps: 0 });
    await h.submit(order({ quantity }));
    h.bars.next(bar({ open, low: open, volume: 1_000_000 }));
    expect(h.fills()[0]?.commission).toBe(expected);
  });

  it('applies a custom commission schedule', async () => {
    const h = harness({ slippageBps: 0, commission: { perShare: 0.01, min: 2.5, maxPctOfValue: 0.5 } });
    await h.submit(order({ quantity: 100 }));
    h.bars.next(bar({ open: 10 }));
    expect(h.fills()[0]?.commission).toBe(2.5);
  });
});

describe('paper broker: rejections and cancels', () => {
  it.each([
    [{ quantity: 0 }, /quantity must be a whole number of shares > 0/],
    [{ quantity: 1.5 }, /quantity must be a whole number/],
    [{ type: 'limit' as const }, /a limit order needs a limitPrice/],
    [{ type: 'stop_limit' as const, limitPrice: 10 }, /a stop_limit order needs a stopPrice/],
    [{ type: 'stop' as const }, /a stop order needs a stopPrice/],
    [{ type: 'limit' as const, limitPrice: Number.NaN }, /limitPrice must be a finite number > 0/],
    [{ type: 'stop' as const, stopPrice: -1 }, /stopPrice must be a finite number > 0/],
    [{ type: 'limit' as const, limitPrice: Number.POSITIVE_INFINITY }, /limitPrice must be a finite number > 0/],
  ])('rejects %o and still completes', async (patch, text) => {
    const h = harness();
    expect(await h.submit(order(patch))).toEqual([undefined]);
    expect(h.events).toHaveLength(1);
    expect(h.events[0]).toMatchObject({
      kind: 'order.rejected',
      clientOrderId: 'o1',
      symbol: 'SPY',
      code: 'invalid_order',
    });
    expect(h.events[0]?.kind === 'order.rejected' && h.events[0].text).toMatch(text);
    h.bars.next(bar({ open: 100 }));
    expect(h.fills()).toEqual([]);
  });

  it('rejects a duplicate clientOrderId, also after the first one filled', async () => {
    const h = harness();
    await h.submit(order());
    await h.submit(order({ quantity: 5 }));
    h.bars.next(bar({ open: 100 }));
    await h.submit(order());
    expect(h.events.map((e) => e.kind)).toEqual(['order.accepted', 'order.rejected', 'order.filled', 'order.rejected']);
    expect(h.events[1]).toMatchObject({
      code: 'invalid_order',
      text: expect.stringMatching(/duplicate clientOrderId o1/),
    });
    expect(h.fills().map((f) => f.quantity)).toEqual([100]);
  });

  it('cancels a working order, which then never fills', async () => {
    const h = harness();
    await h.submit(order({ type: 'limit', limitPrice: 50 }));
    const seen = bar({ open: 100 });
    h.bars.next(seen);
    expect(await lastValueFrom(h.broker.cancel('o1').pipe(toArray()))).toEqual([undefined]);
    expect(h.events.at(-1)).toEqual({
      kind: 'order.cancelled',
      ts: seen.ts + 60_000,
      clientOrderId: 'o1',
      symbol: 'SPY',
      reason: 'cancelled by user',
    });
    h.bars.next(bar({ open: 40 }));
    expect(h.fills()).toEqual([]);
  });

  it('cancel of an unknown or finished order errors with not_found', async () => {
    const h = harness();
    const unknown = await firstValueFrom(h.broker.cancel('nope')).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DomainError);
    expect((unknown as DomainError).code).toBe('not_found');
    await h.submit(order());
    h.bars.next(bar({ open: 100 }));
    const finished = await firstValueFrom(h.broker.cancel('o1')).catch((e: unknown) => e);
    expect((finished as DomainError).code).toBe('not_found');
  });

  it('cancels the rest of a partially filled order', async () => {
    const h = harness();
    await h.submit(order({ quantity: 1_000 }));
    h.bars.next(bar({ open: 100, volume: 1_000 }));
    await firstValueFrom(h.broker.cancel('o1'));
    h.bars.next(bar({ open: 100, volume: 1_000 }));
    expect(h.fills().map((f) => f.cumulativeQuantity)).toEqual([250]);
    expect(h.events.at(-1)?.kind).toBe('order.cancelled');
  });
});

describe('paper broker: restart', () => {
  const record = (p: Partial<OrderRecord> = {}): OrderRecord => ({
    intent: order({ clientOrderId: 'r1', quantity: 300 }),
    status: 'partially_filled',
    filledQuantity: 100,
    avgFillPrice: 50,
    brokerOrderId: 'paper-7',
    updatedTs: T0,
    ...p,
  });

  it('restored open orders keep working with their filled quantity and commission already charged', async () => {
    const h = harness({ slippageBps: 0, openOrders: [record()] });
    h.bars.next(bar({ open: 50 }));
    expect(h.fills()).toEqual([
      expect.objectContaining({
        kind: 'order.filled',
        clientOrderId: 'r1',
        execId: 'r1-101',
        quantity: 200,
        cumulativeQuantity: 300,
        remaining: 0,
        commission: 0.5,
      }),
    ]);
    await h.submit(order({ clientOrderId: 'new' }));
    expect(h.events.at(-1)).toMatchObject({ kind: 'order.accepted', brokerOrderId: 'paper-8' });
  });

  it('does not resume finished orders but still knows their ids', async () => {
    const h = harness({ openOrders: [record({ status: 'filled', filledQuantity: 300 })] });
    h.bars.next(bar({ open: 50 }));
    expect(h.fills()).toEqual([]);
    await h.submit(order({ clientOrderId: 'r1' }));
    expect(h.events.map((e) => e.kind)).toEqual(['order.rejected']);
  });

  it('a restored partially filled stop order counts as triggered', () => {
    const intent = order({ clientOrderId: 'st', side: 'SELL', type: 'stop', stopPrice: 40, quantity: 300 });
    const h = harness({ slippageBps: 0, openOrders: [record({ intent })] });
    h.bars.next(bar({ open: 50, low: 49 }));
    expect(h.fills().map((f) => [f.price, f.quantity])).toEqual([[50, 200]]);
  });

  it('refuses inconsistent restored orders with a clear error', () => {
    expect(() => harness({ openOrders: [record({ filledQuantity: 301 })] })).toThrow(
      /openOrders\.0\.filledQuantity: filledQuantity exceeds/,
    );
    expect(() => harness({ openOrders: [record({ intent: order({ quantity: -3 }) })] })).toThrow(
      /openOrders\.0\.intent: quantity must be a whole number/,
    );
  });
});

describe('paper broker: options and lifecycle', () => {
  it.each([
    [{ slippageBps: -1 }, /slippageBps/],
    [{ maxVolumeParticipation: 0 }, /maxVolumeParticipation/],
    [{ maxVolumeParticipation: 1.5 }, /maxVolumeParticipation/],
    [{ commission: { perShare: -0.005, min: 1, maxPctOfValue: 0.01 } }, /commission\.perShare/],
  ])('rejects %o', (patch, message) => {
    expect(() => harness(patch)).toThrow(message);
  });

  it('rejects a bars$ that is not an Observable', () => {
    expect(() => createPaperBroker({ bars$: [] as never })).toThrow(/bars\$ must be an Observable/);
  });

  it('dispose detaches from the market and refuses further commands', async () => {
    const h = harness();
    await h.submit(order());
    let completed = false;
    h.broker.events$.subscribe({ complete: () => (completed = true) });
    expect(h.bars.observed).toBe(true);
    h.broker.dispose();
    expect(h.bars.observed).toBe(false);
    expect(completed).toBe(true);
    h.bars.next(bar({ open: 100 }));
    expect(h.fills()).toEqual([]);
    expect(h.broker.isConnected()).toBe(false);
    const error = await firstValueFrom(h.broker.submit(order({ clientOrderId: 'late' }))).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe('not_connected');
  });
});

describe('paper broker against the simulated market', () => {
  it('fills a market order at the open of the next simulated minute', async () => {
    const market = createSimulatedMarket({ seed: 9, startDate: '2026-03-09', symbols: ['SPY', 'AAPL'] });
    const broker = createPaperBroker({ bars$: market.bars$ });
    const fills: FillEvent[] = [];
    broker.events$.subscribe((e) => {
      if (e.kind === 'order.filled' || e.kind === 'order.partially_filled') fills.push(e);
    });
    const bars: Bar[] = [];
    market.bars$.subscribe((b) => bars.push(b));
    market.step();
    await lastValueFrom(broker.submit(order({ symbol: 'AAPL', ts: market.now() })));
    market.step();
    const next = bars.filter((b) => b.symbol === 'AAPL')[1];
    expect(fills).toHaveLength(1);
    expect(fills[0]?.ts).toBe(next?.ts);
    expect(fills[0]?.price).toBe(Math.round((next?.open ?? 0) * 1.0005 * 1e4) / 1e4);
  });
});
