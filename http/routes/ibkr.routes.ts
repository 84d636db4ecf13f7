import type Router from '@koa/router';
import type { EngineApi } from '../../engine/engine-api.js';
import { DomainError } from '../../engine/errors.js';
import type { IbkrControl } from '../ibkr-control.js';

const NOT_ENABLED = 'IBKR is not enabled: BROKER=paper';
const PAPER_MESSAGE = 'BROKER=paper uses the built-in paper broker; IBKR is not enabled';

const requireIbkr = (ibkr: IbkrControl | undefined): IbkrControl => {
  if (ibkr === undefined) throw new DomainError('not_connected', NOT_ENABLED);
  return ibkr;
};

type Call = (c: IbkrControl) => Promise<unknown>;

/** The seed's endpoints that delegate to the adapter; `test` also answers GET, as the seed's README calls it. */
const DELEGATED: readonly (readonly ['get' | 'post', string, Call])[] = [
  ['post', 'connect', (c) => c.connect()],
  ['post', 'disconnect', (c) => c.disconnect()],
  ['post', 'test', (c) => c.test()],
  ['get', 'test', (c) => c.test()],
  ['get', 'account', (c) => c.account()],
  ['get', 'positions', async (c) => ({ positions: await c.positions() })],
];

/**
 * `/api/trading/ibkr/*` (seed paths). Status always answers 200; the other endpoints delegate to the
 * IBKR adapter's control, or answer 503 not_connected when the paper broker is in use.
 */
export const registerIbkrRoutes = (router: Router, engine: EngineApi, ibkr: IbkrControl | undefined): void => {
  router.get('/api/trading/ibkr/status', async (ctx) => {
    const broker = engine.health().broker.name;
    ctx.body =
      ibkr === undefined
        ? { connected: false, broker, mode: 'paper', message: PAPER_MESSAGE }
        : { ...(await ibkr.status()), broker };
  });
  for (const [method, name, call] of DELEGATED) {
    router[method](`/api/trading/ibkr/${name}`, async (ctx) => {
      ctx.body = await call(requireIbkr(ibkr));
    });
  }
};
