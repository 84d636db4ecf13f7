import type Router from '@koa/router';
import type Koa from 'koa';
import { DomainError } from '../../engine/errors.js';
import type { IbkrControl } from '../ibkr-control.js';

export interface IbkrRouteDeps {
  readonly broker: { readonly name: string; isConnected(): boolean };
  readonly ibkr?: IbkrControl;
}

const PAPER_MESSAGE = 'BROKER=paper uses the built-in paper broker; IBKR is not enabled';

const requireIbkr = (ibkr: IbkrControl | undefined): IbkrControl => {
  if (ibkr === undefined) throw new DomainError('not_connected', 'IBKR is not enabled: BROKER=paper');
  return ibkr;
};

/**
 * `/api/trading/ibkr/*` (seed paths). Status always answers 200; the other endpoints delegate to the
 * IBKR adapter's control, or answer 503 not_connected when the paper broker is in use. `test` also
 * answers GET because the seed's README calls it that way.
 */
export const registerIbkrRoutes = (router: Router, deps: IbkrRouteDeps): void => {
  const delegate =
    (call: (c: IbkrControl) => Promise<unknown>): Koa.Middleware =>
    async (ctx) => {
      ctx.body = await call(requireIbkr(deps.ibkr));
    };
  router.get('/api/trading/ibkr/status', async (ctx) => {
    ctx.body =
      deps.ibkr === undefined
        ? { connected: false, broker: deps.broker.name, mode: 'paper', message: PAPER_MESSAGE }
        : { ...(await deps.ibkr.status()), broker: deps.broker.name };
  });
  router.post(
    '/api/trading/ibkr/connect',
    delegate((c) => c.connect()),
  );
  router.post(
    '/api/trading/ibkr/disconnect',
    delegate((c) => c.disconnect()),
  );
  router.post(
    '/api/trading/ibkr/test',
    delegate((c) => c.test()),
  );
  router.get(
    '/api/trading/ibkr/test',
    delegate((c) => c.test()),
  );
  router.get(
    '/api/trading/ibkr/account',
    delegate((c) => c.account()),
  );
  router.get(
    '/api/trading/ibkr/positions',
    delegate(async (c) => ({ positions: await c.positions() })),
  );
};
