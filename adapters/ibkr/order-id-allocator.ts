import type { OrderIdStore } from './order-id-store.js';

/**
 * Request ids (market data, history, account summary ...) are drawn from this band and order ids
 * must stay below it: @stoqey/ib and IB Gateway report an order's errors under its order id, so
 * the two number spaces must never meet.
 */
export const REQUEST_ID_BAND = { first: 2_000_000_000, last: 2_147_000_000 } as const;

/**
 * Hands out IBKR order ids: each is above the gateway's `nextValidId`, above every id seen in
 * open-order or order-status messages, and above the persisted high-water mark, which is saved
 * before the id is returned. Reservations are serialised, so concurrent submits never share an id.
 */
export class OrderIdAllocator {
  private highWater = 0;
  private gatewayNext = 0;
  private loaded: Promise<void> | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: OrderIdStore) {}

  /** Read the persisted mark (idempotent). */
  load(): Promise<void> {
    this.loaded ??= this.store.load().then((mark) => {
      if (!Number.isInteger(mark) || mark < 0) throw new Error(`order id store returned an invalid mark: ${mark}`);
      this.highWater = Math.max(this.highWater, mark);
    });
    return this.loaded;
  }

  /** The gateway said the next valid id is `id` (NEXT_VALID_ID). */
  observeNextValidId(id: number): void {
    if (Number.isInteger(id) && id > 0) this.gatewayNext = Math.max(this.gatewayNext, id);
  }

  /** The gateway showed an order with this id (ours or another session's): never hand it out. */
  observeUsedId(id: number): void {
    if (Number.isInteger(id) && id > 0 && id < REQUEST_ID_BAND.first)
      this.gatewayNext = Math.max(this.gatewayNext, id + 1);
  }

  /** The highest id reserved so far. */
  get mark(): number {
    return this.highWater;
  }

  /** The id the next reservation would start at. */
  peek(): number {
    return Math.max(this.gatewayNext, this.highWater + 1, 1);
  }

  /** Reserve `count` consecutive ids, persisting the new mark before resolving. */
  reserve(count: number): Promise<readonly number[]> {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`reserve: count must be a whole number >= 1, got ${count}`);
    const run = async (): Promise<readonly number[]> => {
      await this.load();
      const first = this.peek();
      const last = first + count - 1;
      if (last >= REQUEST_ID_BAND.first)
        throw new Error(`IBKR order id ${last} would enter the request-id band (>= ${REQUEST_ID_BAND.first})`);
      await this.store.save(last);
      this.highWater = Math.max(this.highWater, last);
      return Array.from({ length: count }, (_, i) => first + i);
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }
}
