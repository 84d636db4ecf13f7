import type Router from '@koa/router';
import type { EngineApi } from '../../engine/engine-api.js';

/** `GET /health`: the engine's health plus the server time; 503 while degraded so probes notice. */
export const registerHealthRoutes = (router: Router, engine: EngineApi): void => {
  router.get('/health', (ctx) => {
    const health = engine.health();
    ctx.status = health.status === 'ok' ? 200 : 503;
    ctx.body = { ...health, time: new Date().toISOString() };
  });
};
