import type Router from '@koa/router';
import type { EngineApi } from '../../engine/engine-api.js';
import { orderJson } from '../serializers.js';

/** Portfolio and manual orders. A manual order passes the same risk rules as strategy signals. */
export const registerTradingRoutes = (router: Router, engine: EngineApi): void => {
  router.get('/api/trading/portfolio/summary', (ctx) => {
    ctx.body = engine.portfolio();
  });
  router.post('/api/trading/execute', async (ctx) => {
    const result = await engine.executeOrder(ctx.request.body);
    ctx.status = 201;
    ctx.body = { order: orderJson(result.order), warnings: result.warnings };
  });
};
