import { describe, expect, it } from 'vitest';
import { OrderIdAllocator, REQUEST_ID_BAND } from '../../../adapters/ibkr/order-id-allocator.js';
import { memoryOrderIdStore, type OrderIdStore } from '../../../adapters/ibkr/order-id-store.js';

describe('OrderIdAllocator', () => {
  it('starts at the gateway next valid id and counts up', async () => {
    const a = new OrderIdAllocator(memoryOrderIdStore());
    a.observeNextValidId(1000);
    expect(await a.reserve(1)).toEqual([1000]);
    expect(await a.reserve(3)).toEqual([1001, 1002, 1003]);
  });

  it('never reuses an id when the gateway rolls its next valid id back (restart)', async () => {
    const store = memoryOrderIdStore();
    const a = new OrderIdAllocator(store);
    a.observeNextValidId(1000);
    await a.reserve(5);
    a.observeNextValidId(1000);
    expect(await a.reserve(1)).toEqual([1005]);
    // A new process with the same store, told 1000 again by a restarted gateway.
    const b = new OrderIdAllocator(store);
    b.observeNextValidId(1000);
    expect(await b.reserve(1)).toEqual([1006]);
  });

  it('skips ids seen in open orders and order statuses', async () => {
    const a = new OrderIdAllocator(memoryOrderIdStore());
    a.observeNextValidId(10);
    a.observeUsedId(57);
    expect(await a.reserve(1)).toEqual([58]);
  });

  it('persists the mark before handing the id out', async () => {
    const saved: number[] = [];
    let release: () => void = () => undefined;
    const store: OrderIdStore = {
      load: async () => 0,
      save: (n) =>
        new Promise<void>((resolve) => {
          saved.push(n);
          release = resolve;
        }),
    };
    const a = new OrderIdAllocator(store);
    a.observeNextValidId(1);
    let got: readonly number[] | undefined;
    const pending = a.reserve(2).then((ids) => (got = ids));
    await new Promise((r) => setImmediate(r));
    expect(saved).toEqual([2]);
    expect(got).toBeUndefined();
    release();
    await pending;
    expect(got).toEqual([1, 2]);
  });

  it('gives concurrent reservations distinct ids', async () => {
    const a = new OrderIdAllocator(memoryOrderIdStore());
    a.observeNextValidId(100);
    const all = (await Promise.all([a.reserve(1), a.reserve(2), a.reserve(1)])).flat();
    expect(new Set(all).size).toBe(4);
    expect([...all].sort()).toEqual([100, 101, 102, 103]);
  });

  it('does not hand out an id when the mark cannot be saved', async () => {
    const a = new OrderIdAllocator({ load: async () => 0, save: async () => Promise.reject(new Error('disk full')) });
    await expect(a.reserve(1)).rejects.toThrow(/disk full/);
  });

  it('refuses to enter the request-id band', async () => {
    const a = new OrderIdAllocator(memoryOrderIdStore(REQUEST_ID_BAND.first - 2));
    expect(await a.reserve(1)).toEqual([REQUEST_ID_BAND.first - 1]);
    await expect(a.reserve(1)).rejects.toThrow(/request-id band/);
  });
});
