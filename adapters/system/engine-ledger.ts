import { lastValueFrom } from 'rxjs';
import type { IbkrLedger } from '../ibkr/ibkr-broker.js';
import type { EngineApi } from '../../engine/engine-api.js';
import type { StorePort } from '../../engine/ports/store.port.js';

/**
 * Our side of the books for IBKR reconciliation: the orders the database holds as not finished
 * (read fresh on every run, so orders of an earlier process are included) and the positions the
 * engine holds now (signed shares per symbol). `engine` is called at reconciliation time, so the
 * ledger can be handed to the adapter before the engine that uses the adapter exists.
 */
export const engineLedger = (
  store: Pick<StorePort, 'load'>,
  engine: () => Pick<EngineApi, 'portfolio'>,
): IbkrLedger => ({
  openOrders: async () => (await lastValueFrom(store.load())).openOrders,
  positions: () =>
    Promise.resolve(
      Object.fromEntries(
        engine()
          .portfolio()
          .positions.map((p) => [p.symbol, p.quantity]),
      ),
    ),
});
