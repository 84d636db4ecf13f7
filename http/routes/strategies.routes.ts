import type Router from '@koa/router';
import { z } from 'zod';
import type { EngineApi } from '../../engine/engine-api.js';
import { DomainError } from '../../engine/errors.js';
import { scoredSignalJson, strategyJson, strategyTypeJson } from '../serializers.js';

const RecentQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/**
 * Strategy management (seed paths). "Active" keeps the seed's name: every strategy configured in the
 * evaluator, each with its `enabled` flag. The engine validates configs and owns ids.
 */
export const registerStrategyRoutes = (router: Router, engine: EngineApi): void => {
  router.get('/api/strategies', (ctx) => {
    ctx.body = { strategy_types: engine.strategyTypes().map(strategyTypeJson) };
  });
  router.post('/api/strategies/add', async (ctx) => {
    const added = await engine.addStrategy(ctx.request.body);
    ctx.status = 201;
    ctx.body = strategyJson(added);
  });
  router.get('/api/strategies/active', (ctx) => {
    const strategies = engine.listStrategies().map(strategyJson);
    ctx.body = { strategies, count: strategies.length };
  });
  router.get('/api/strategies/signals/recent', (ctx) => {
    const { limit } = RecentQuery.parse(ctx.query);
    const signals = engine.recentSignals(limit).map(scoredSignalJson);
    ctx.body = { signals, count: signals.length };
  });
  router.post('/api/strategies/:id/enable', async (ctx) => {
    ctx.body = strategyJson(await engine.setStrategyEnabled(String(ctx.params['id']), true));
  });
  router.post('/api/strategies/:id/disable', async (ctx) => {
    ctx.body = strategyJson(await engine.setStrategyEnabled(String(ctx.params['id']), false));
  });
  // After the fixed paths above, so `active` and `signals` are never read as a type.
  router.get('/api/strategies/:type', (ctx) => {
    const type = String(ctx.params['type']);
    const info = engine.strategyTypes().find((t) => t.type === type);
    if (info === undefined) {
      const known = engine
        .strategyTypes()
        .map((t) => t.type)
        .join(', ');
      throw new DomainError('not_found', `unknown strategy type "${type}"; known: ${known}`);
    }
    ctx.body = strategyTypeJson(info);
  });
  router.delete('/api/strategies/:id', async (ctx) => {
    const removed = await engine.removeStrategy(String(ctx.params['id']));
    ctx.body = { deleted: removed.id };
  });
};
