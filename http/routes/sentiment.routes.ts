import type Router from '@koa/router';
import type { EngineApi } from '../../engine/engine-api.js';
import { DomainError } from '../../engine/errors.js';
import type { SentimentApi } from '../sentiment-api.js';

const hoursOf = (raw: unknown): number => {
  if (raw === undefined) return 24;
  const text = Array.isArray(raw) ? raw[0] : raw;
  return typeof text === 'string' && /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
};

const needSentiment = (sentiment: SentimentApi | undefined): SentimentApi => {
  if (sentiment === undefined) throw new DomainError('unavailable', 'sentiment sources are not configured');
  return sentiment;
};

/**
 * Sentiment (`/api/sentiment/*`), confluence (`/api/confluence/*`) and options flow
 * (`/api/options-flow/*`): read-only views of the sources, their stored readings and what confluence
 * would use now. `{symbol}` is validated (BRK.B is fine, junk is a 400); `hours` is 1..720 (default 24).
 */
export const registerSentimentRoutes = (router: Router, engine: EngineApi, sentiment?: SentimentApi): void => {
  router.get('/api/sentiment/status', (ctx) => {
    ctx.body = needSentiment(sentiment).status();
  });
  router.get('/api/sentiment/aggregated/:symbol', async (ctx) => {
    ctx.body = await needSentiment(sentiment).aggregated(ctx.params['symbol'] ?? '');
  });
  router.get('/api/sentiment/:source/:symbol', async (ctx) => {
    const s = needSentiment(sentiment);
    const source = ctx.params['source'] ?? '';
    const symbol = ctx.params['symbol'] ?? '';
    const readings = await s.sourceReadings(source, symbol, hoursOf(ctx.query['hours']));
    ctx.body = { source, symbol: symbol.trim().toUpperCase(), count: readings.length, readings };
  });
  router.get('/api/confluence/status', (ctx) => {
    ctx.body = engine.confluenceStatus();
  });
  router.get('/api/confluence/:symbol', (ctx) => {
    ctx.body = engine.confluenceFor(ctx.params['symbol']);
  });
  router.get('/api/options-flow/status', (ctx) => {
    const sources = needSentiment(sentiment)
      .status()
      .sources.filter((x) => x.source === 'options' || x.source === 'simulated');
    ctx.body = {
      sources,
      symbols: engine.confluenceStatus().symbols.map((x) => ({ symbol: x.symbol, options: x.options })),
    };
  });
  router.get('/api/options-flow/:symbol', async (ctx) => {
    ctx.body = await needSentiment(sentiment).optionsFlow(ctx.params['symbol'] ?? '', hoursOf(ctx.query['hours']));
  });
};
