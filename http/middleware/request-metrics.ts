import type Koa from 'koa';
import type { HttpMetrics } from '../metrics.js';

/**
 * Records every request with its final status. It wraps the error handler (it is the one layer
 * outside it) so refused and failed requests are counted with the status the client saw.
 */
export const requestMetrics =
  (metrics: HttpMetrics): Koa.Middleware =>
  async (ctx, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === 'string' ? matched : 'unmatched';
      metrics.observeRequest(ctx.method, route, ctx.status, seconds);
    }
  };
