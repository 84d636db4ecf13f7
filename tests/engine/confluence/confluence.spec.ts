import { marbles } from 'rxjs-marbles';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { confluence, scoreConfluence } from '../../../engine/confluence/confluence.js';
import type { OptionsFlowReading, SentimentReading } from '../../../engine/messages/market.js';
import { T0, signal } from '../../support/factories.js';

const W = { technical: 0.5, sentiment: 0.3, options: 0.2 };
const sent = (score: number, ts = T0): SentimentReading => ({
  kind: 'sentiment.updated',
  ts,
  symbol: 'AAPL',
  source: 'stocktwits',
  score,
  confidence: 0.8,
  mentions: 10,
});
const opt = (score: number, ts = T0): OptionsFlowReading => ({
  kind: 'options.updated',
  ts,
  symbol: 'AAPL',
  score,
  confidence: 0.7,
});

describe('scoreConfluence', () => {
  it.each([
    // side, confidence, sentiment, options, score, level, bias
    ['BUY', 0.8, undefined, undefined, 0.8, 'high', 'bullish'],
    ['BUY', 0.7, undefined, undefined, 0.7, 'medium', 'bullish'],
    ['BUY', 0.8, -0.5, undefined, (0.5 * 0.8 - 0.3 * 0.5) / 0.8, 'low', 'bullish'],
    ['SELL', 0.7, -0.6, undefined, (0.5 * 0.7 + 0.3 * 0.6) / 0.8, 'medium', 'bearish'],
    ['BUY', 0.8, 0.5, 0.5, 0.5 * 0.8 + 0.3 * 0.5 + 0.2 * 0.5, 'medium', 'bullish'],
    ['BUY', 0.6, -1, -1, 0, 'low', 'bearish'],
  ] as const)('%s %f with sentiment %s options %s -> %f %s %s', (side, conf, s, o, score, level, bias) => {
    const c = scoreConfluence(
      signal({ side, confidence: conf }),
      {
        ...(s === undefined ? {} : { sentiment: { score: s, confidence: 0.8, sources: 1, divergent: false } }),
        ...(o === undefined ? {} : { options: { score: o, confidence: 0.8 } }),
      },
      W,
    );
    expect(c.score).toBeCloseTo(score, 10);
    expect(c.level).toBe(level);
    expect(c.directionalBias).toBe(bias);
    expect(c.components.map((x) => x.name)).toEqual(['technical', 'sentiment', 'options']);
    const present = c.components.filter((x) => x.present);
    expect(present.reduce((sum, x) => sum + x.effectiveWeight, 0)).toBeCloseTo(1, 12);
    for (const x of c.components) expect(x.explanation.length).toBeGreaterThan(10);
  });

  it('renormalises absent components away and says so', () => {
    const c = scoreConfluence(signal(), {}, W);
    expect(c.components[0]?.effectiveWeight).toBe(1);
    expect(c.components[1]?.effectiveWeight).toBe(0);
    expect(c.components[1]?.explanation).toContain('renormalised');
  });
});

describe('confluence operator', () => {
  it(
    'uses the latest reading per symbol, never one stamped after the signal',
    marbles((m) => {
      const sig = signal({ ts: T0 + 60_000 });
      const input = m.cold('a-b-c-d|', { a: sent(0.5, T0), b: sig, c: sent(-0.9, T0 + 120_000), d: sig });
      const sentimentUsed = input.pipe(
        confluence(W),
        map((s) => s.confluence.components[1]?.score),
      );
      m.expect(sentimentUsed).toBeObservable('--x---x|', { x: 0.5 });
    }),
  );

  it(
    'scores entries by confluence and keeps an exit signal’s own confidence',
    marbles((m) => {
      const exit = signal({ side: 'SELL', action: 'exit', exitReason: 'stop', confidence: 1 });
      const entry = signal({ confidence: 0.8 });
      const input = m.cold('a-b-c|', { a: opt(-0.9), b: exit, c: entry });
      const confidences = input.pipe(
        confluence(W),
        map((s) => Math.round(s.confidence * 1000) / 1000),
      );
      // entry: (0.5 * 0.8 - 0.2 * 0.9) / 0.7 = 0.314
      m.expect(confidences).toBeObservable('--x-y|', { x: 1, y: 0.314 });
    }),
  );

  it(
    'propagates an upstream error instead of swallowing it',
    marbles((m) => {
      const input = m.cold('a-#', { a: signal() }, new Error('boom'));
      m.expect(
        input.pipe(
          confluence(W),
          map((s) => s.symbol),
        ),
      ).toBeObservable('a-#', { a: 'AAPL' }, new Error('boom'));
    }),
  );
});
