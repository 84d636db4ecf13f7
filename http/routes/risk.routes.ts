import type Router from '@koa/router';
import type { EngineApi } from '../../engine/engine-api.js';

/**
 * Risk status and the kill switch. Engaging stops new entries (exits stay allowed) and survives a
 * restart; both mutating calls follow the API token rule like every POST/DELETE.
 */
export const registerRiskRoutes = (router: Router, engine: EngineApi): void => {
  router.get('/api/risk/status', (ctx) => {
    ctx.body = engine.riskStatus();
  });
  router.post('/api/risk/kill-switch', async (ctx) => {
    ctx.body = await engine.setKillSwitch(true, ctx.request.body);
  });
  router.delete('/api/risk/kill-switch', async (ctx) => {
    ctx.body = await engine.setKillSwitch(false, ctx.request.body);
  });
};
