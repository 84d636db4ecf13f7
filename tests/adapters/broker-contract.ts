import { afterEach, describe, expect, it } from 'vitest';
import { lastValueFrom } from 'rxjs';
import type { BrokerEvent, FillEvent, OrderIntent } from '../../engine/messages/order.js';
import { isFill } from '../../engine/messages/order.js';
import type { BrokerPort } from '../../engine/ports/broker.port.js';

/**
 * A broker under the contract, with the hooks that make its market do what a test needs. Every
 * broker (paper, IBKR) must pass the same suite.
 */
export interface BrokerUnderContract {
  readonly broker: BrokerPort;
  /** A valid order this broker can work (a fresh clientOrderId each call). */
  order(over?: Partial<OrderIntent>): OrderIntent;
  /** Arrange that `order` fills completely; returns the order to submit. */
  filling(order: OrderIntent): OrderIntent;
  /** Arrange that `order` stays working until cancelled; returns the order to submit. */
  resting(order: OrderIntent): OrderIntent;
  /** Arrange that the broker rejects `order`; returns the order to submit. */
  rejected(order: OrderIntent): OrderIntent;
  /** Let pending work happen (one bar for the paper market, a short wait for a real socket). */
  advance(): Promise<void>;
  /** Deliver the executions already reported once more (same execIds), when the transport can. */
  replayExecutions?(): Promise<void>;
  dispose(): Promise<void>;
}

const submit = (b: BrokerUnderContract, order: OrderIntent): Promise<void> =>
  lastValueFrom(b.broker.submit(order), { defaultValue: undefined });

/**
 * The broker contract (BrokerPort in engine/ports/broker.port.ts): submit completes once handed
 * over; the order is acknowledged, then filled; cancel and reject end an order with one event;
 * a fill with an execId already reported is never reported again; every event names its order by
 * clientOrderId. `makeBroker` builds a fresh, connected broker per test.
 */
export const brokerContract = (name: string, makeBroker: () => Promise<BrokerUnderContract>): void => {
  describe(`broker contract: ${name}`, () => {
    let current: BrokerUnderContract | undefined;
    let events: BrokerEvent[] = [];

    const start = async (): Promise<BrokerUnderContract> => {
      current = await makeBroker();
      events = [];
      current.broker.events$.subscribe((e) => events.push(e));
      return current;
    };

    afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });

    const of = (order: OrderIntent): BrokerEvent[] => events.filter((e) => e.clientOrderId === order.clientOrderId);
    const fillsOf = (order: OrderIntent): FillEvent[] => of(order).filter(isFill);

    const waitFor = async (b: BrokerUnderContract, condition: () => boolean, what: string): Promise<void> => {
      for (let i = 0; i < 400 && !condition(); i += 1) await b.advance();
      if (!condition()) throw new Error(`broker contract (${name}): never saw ${what}`);
    };

    it('is connected and names itself', async () => {
      const b = await start();
      expect(b.broker.isConnected()).toBe(true);
      expect(['paper', 'ibkr']).toContain(b.broker.name);
    });

    it('submit -> acknowledged -> filled, every event carrying the clientOrderId', async () => {
      const b = await start();
      const order = b.filling(b.order());
      await submit(b, order);
      await waitFor(b, () => of(order).some((e) => e.kind === 'order.filled'), 'order.filled');
      const mine = of(order);
      expect(mine[0]?.kind).toBe('order.accepted');
      expect(mine.at(-1)?.kind).toBe('order.filled');
      for (const e of mine) {
        expect(e.clientOrderId).toBe(order.clientOrderId);
        expect(e.symbol).toBe(order.symbol);
        expect(Number.isFinite(e.ts)).toBe(true);
      }
      const fills = fillsOf(order);
      expect(fills.reduce((n, f) => n + f.quantity, 0)).toBe(order.quantity);
      expect(fills.at(-1)).toMatchObject({ cumulativeQuantity: order.quantity, remaining: 0, side: order.side });
      for (const f of fills) {
        expect(f.price).toBeGreaterThan(0);
        expect(Number.isFinite(f.commission) && f.commission >= 0).toBe(true);
        expect(f.execId.length).toBeGreaterThan(0);
      }
    });

    it('keeps two orders apart by clientOrderId', async () => {
      const b = await start();
      const first = b.filling(b.order());
      const second = b.filling(b.order({ quantity: 3 }));
      await submit(b, first);
      await submit(b, second);
      await waitFor(b, () => [first, second].every((o) => of(o).some((e) => e.kind === 'order.filled')), 'both fills');
      expect(fillsOf(first).reduce((n, f) => n + f.quantity, 0)).toBe(first.quantity);
      expect(fillsOf(second).reduce((n, f) => n + f.quantity, 0)).toBe(3);
    });

    it('cancels a working order: one order.cancelled, no fill', async () => {
      const b = await start();
      const order = b.resting(b.order());
      await submit(b, order);
      await waitFor(b, () => of(order).some((e) => e.kind === 'order.accepted'), 'order.accepted');
      await lastValueFrom(b.broker.cancel(order.clientOrderId), { defaultValue: undefined });
      await waitFor(b, () => of(order).some((e) => e.kind === 'order.cancelled'), 'order.cancelled');
      for (let i = 0; i < 3; i += 1) await b.advance();
      expect(of(order).map((e) => e.kind)).toEqual(['order.accepted', 'order.cancelled']);
    });

    it('refuses to cancel an order it does not know', async () => {
      const b = await start();
      await expect(lastValueFrom(b.broker.cancel('no-such-order'), { defaultValue: undefined })).rejects.toThrow();
    });

    it('reports a rejection with a code and a text', async () => {
      const b = await start();
      const order = b.rejected(b.order());
      await submit(b, order);
      await waitFor(b, () => of(order).some((e) => e.kind === 'order.rejected'), 'order.rejected');
      const rejected = of(order).find((e) => e.kind === 'order.rejected');
      expect(rejected).toMatchObject({
        clientOrderId: order.clientOrderId,
        code: expect.stringMatching(/\S/),
        text: expect.stringMatching(/\S/),
      });
      expect(of(order).filter(isFill)).toEqual([]);
    });

    it('never reports a fill with an execId twice', async () => {
      const b = await start();
      const order = b.filling(b.order());
      await submit(b, order);
      await waitFor(b, () => of(order).some((e) => e.kind === 'order.filled'), 'order.filled');
      await b.replayExecutions?.();
      for (let i = 0; i < 3; i += 1) await b.advance();
      const ids = events.filter(isFill).map((f) => f.execId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(fillsOf(order).reduce((n, f) => n + f.quantity, 0)).toBe(order.quantity);
    });
  });
};
