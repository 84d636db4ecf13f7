import { lastValueFrom } from 'rxjs';
import type { OrderIdStore } from '../ibkr/order-id-store.js';
import type { EngineSnapshot, StorePort } from '../../engine/ports/store.port.js';

/** The stored value holding the highest IBKR order id this database has ever reserved. */
export const ORDER_ID_HIGH_WATER = 'ibkr.order_id_high_water';

const validMark = (stored: unknown): number => {
  if (stored === undefined) return 0;
  if (typeof stored === 'number' && Number.isSafeInteger(stored) && stored >= 0) return stored;
  throw new Error(
    `the database holds an invalid IBKR order-id high-water mark (${ORDER_ID_HIGH_WATER} = ${JSON.stringify(stored)}); ` +
      'refusing to start, because a wrong mark could make the bot reuse an order id',
  );
};

/**
 * The IBKR adapter's order-id high-water mark, kept in the database beside the orders it numbers,
 * so a restart (or a gateway that rolled its nextValidId back) never reuses an id. `load` answers
 * from the snapshot read at start (this process is the database's only writer); `save` resolves
 * only once the value is committed, as the adapter requires before it sends the id. A stored value
 * that is not a whole number >= 0 stops start-up: guessing could reuse an id.
 */
export const storedOrderIds = (store: Pick<StorePort, 'saveValue'>, snapshot: EngineSnapshot): OrderIdStore => {
  let highWater = validMark(snapshot.values[ORDER_ID_HIGH_WATER]);
  return {
    load: () => Promise.resolve(highWater),
    save: async (next) => {
      const mark = Math.max(highWater, next);
      await lastValueFrom(store.saveValue(ORDER_ID_HIGH_WATER, mark), { defaultValue: undefined });
      highWater = mark;
    },
  };
};
