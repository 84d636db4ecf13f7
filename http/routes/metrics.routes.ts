import type Router from '@koa/router';
import type { HttpMetrics } from '../metrics.js';

/** `GET /metrics`: Prometheus text format from this server's registry. */
export const registerMetricsRoutes = (router: Router, metrics: HttpMetrics): void => {
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
};
