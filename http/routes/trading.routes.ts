import type Router from '@koa/router';
import type { EngineApi } from '../../engine/engine-api.js';
import { isoOf, orderJson, scoredSignalJson } from '../serializers.js';

/**
 * Portfolio, manual orders and on-demand signals. A manual order passes the same risk rules as
 * strategy signals; evaluating a symbol's signals trades nothing.
 */
export const registerTradingRoutes = (router: Router, engine: EngineApi): void => {
  router.get('/api/trading/portfolio/summary', (ctx) => {
    ctx.body = engine.portfolio();
  });
  router.post('/api/trading/execute', async (ctx) => {
    const result = await engine.executeOrder(ctx.request.body);
    ctx.status = 201;
    ctx.body = { order: orderJson(result.order), warnings: result.warnings };
  });
  router.post('/api/trading/signal', (ctx) => {
    const e = engine.evaluateSignals(ctx.request.body);
    const signals = e.signals.map(scoredSignalJson);
    // The headline signal: the most confident actionable one, else the first HOLD (with its reason).
    const actionable = [...e.signals]
      .filter((s) => s.signal.action !== 'none')
      .sort((a, b) => b.confidence - a.confidence);
    const top = actionable[0] ?? e.signals[0];
    ctx.body = {
      symbol: e.symbol,
      evaluated_at: isoOf(e.ts),
      price: e.price ?? null,
      signal: top === undefined ? null : scoredSignalJson(top),
      signals,
      halted: e.halted,
      traded: false,
    };
  });
};
