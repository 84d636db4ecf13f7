import { type Observable, type OperatorFunction, filter, map, scan } from 'rxjs';
import type { OptionsFlowReading, SentimentReading } from '../messages/market.js';
import type {
  Confluence,
  ConfluenceComponent,
  ConfluenceLevel,
  DirectionalBias,
  ScoredSignal,
  Signal,
} from '../messages/signal.js';

export interface ConfluenceWeights {
  readonly technical: number;
  readonly sentiment: number;
  readonly options: number;
}

/** Latest non-technical inputs for a symbol, as known at the signal's event time. */
export interface ConfluenceInputs {
  readonly sentiment?: { readonly score: number; readonly confidence: number; readonly source: string };
  readonly options?: { readonly score: number; readonly confidence: number };
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const fmt = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(2);

export const confluenceLevel = (score: number): ConfluenceLevel =>
  score >= 0.8 ? 'high' : score >= 0.6 ? 'medium' : 'low';

/** Bias of the combined signed score; within +-0.1 it is neutral. */
export const directionalBias = (signed: number): DirectionalBias =>
  signed > 0.1 ? 'bullish' : signed < -0.1 ? 'bearish' : 'neutral';

/**
 * SPEC section 4: a weighted combination of signed component scores (technical from the signal's
 * side and confidence, sentiment and options flow when present), weights renormalised over the
 * present components. The score is the combination's agreement with the signal's side in 0..1, so a
 * component pointing against the side lowers it.
 */
export const scoreConfluence = (signal: Signal, inputs: ConfluenceInputs, weights: ConfluenceWeights): Confluence => {
  const direction = signal.side === 'SELL' ? -1 : 1;
  const technical = clamp(direction * signal.confidence, -1, 1);
  const raw = [
    {
      name: 'technical' as const,
      present: true,
      score: technical,
      weight: weights.technical,
      why: `${signal.strategyType} ${signal.side} confidence ${signal.confidence.toFixed(2)}: ${signal.reason}`,
    },
    {
      name: 'sentiment' as const,
      present: inputs.sentiment !== undefined,
      score: clamp(inputs.sentiment?.score ?? 0, -1, 1),
      weight: weights.sentiment,
      why: inputs.sentiment
        ? `${inputs.sentiment.source} sentiment ${fmt(inputs.sentiment.score)} (confidence ${inputs.sentiment.confidence.toFixed(2)})`
        : 'no sentiment reading for the symbol',
    },
    {
      name: 'options' as const,
      present: inputs.options !== undefined,
      score: clamp(inputs.options?.score ?? 0, -1, 1),
      weight: weights.options,
      why: inputs.options ? `options flow ${fmt(inputs.options.score)}` : 'no options-flow reading for the symbol',
    },
  ];
  const totalWeight = raw.reduce((sum, c) => sum + (c.present ? c.weight : 0), 0);
  const components: ConfluenceComponent[] = raw.map((c) => {
    const effectiveWeight = c.present && totalWeight > 0 ? c.weight / totalWeight : 0;
    return {
      name: c.name,
      present: c.present,
      score: c.present ? c.score : 0,
      weight: c.weight,
      effectiveWeight,
      explanation: c.present
        ? `${c.why}; contributes ${fmt(c.score * effectiveWeight)} (weight ${c.weight} -> ${effectiveWeight.toFixed(2)})`
        : `${c.why}; weight ${c.weight} renormalised away`,
    };
  });
  const signed = components.reduce((sum, c) => sum + c.score * c.effectiveWeight, 0);
  const score = clamp(direction * signed, 0, 1);
  return { score, level: confluenceLevel(score), directionalBias: directionalBias(signed), components };
};

/**
 * Scores each actionable signal against the latest sentiment and options-flow readings for its
 * symbol as of the signal's event time: a reading stamped after the signal is never used (no look-ahead). The final confidence of an
 * entry is the confluence score; an exit keeps its own confidence (exits are never scored away).
 */
export const confluence =
  (weights: ConfluenceWeights): OperatorFunction<Signal | SentimentReading | OptionsFlowReading, ScoredSignal> =>
  (input$: Observable<Signal | SentimentReading | OptionsFlowReading>) =>
    input$.pipe(
      scan(
        (acc, e) => {
          if (e.kind === 'sentiment.updated') {
            remember(acc.sentiment, e);
            acc.out = undefined;
          } else if (e.kind === 'options.updated') {
            remember(acc.options, e);
            acc.out = undefined;
          } else {
            acc.out = scoreSignal(e, asOf(acc.sentiment, e.symbol, e.ts), asOf(acc.options, e.symbol, e.ts), weights);
          }
          return acc;
        },
        {
          sentiment: new Map<string, SentimentReading[]>(),
          options: new Map<string, OptionsFlowReading[]>(),
          out: undefined as ScoredSignal | undefined,
        },
      ),
      map((acc) => acc.out),
      filter((s): s is ScoredSignal => s !== undefined),
    );

/** Readings kept per symbol: enough to answer "as of" a signal's time when feeds run ahead of it. */
const HISTORY = 32;

const remember = <R extends { readonly symbol: string; readonly ts: number }>(by: Map<string, R[]>, r: R): void => {
  const list = by.get(r.symbol);
  if (!list) {
    by.set(r.symbol, [r]);
    return;
  }
  let i = list.length;
  while (i > 0 && (list[i - 1] as R).ts > r.ts) i--;
  list.splice(i, 0, r);
  if (list.length > HISTORY) list.shift();
};

/** The latest reading published at or before `ts` (no look-ahead). */
const asOf = <R extends { readonly ts: number }>(by: Map<string, R[]>, symbol: string, ts: number): R | undefined => {
  const list = by.get(symbol);
  if (!list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) if ((list[i] as R).ts <= ts) return list[i];
  return undefined;
};

/** One signal scored against the given readings (the confluence operator's step, also used on demand). */
export const scoreSignal = (
  signal: Signal,
  sentiment: SentimentReading | undefined,
  options: OptionsFlowReading | undefined,
  weights: ConfluenceWeights,
): ScoredSignal => {
  const inputs: ConfluenceInputs = {
    ...(sentiment
      ? { sentiment: { score: sentiment.score, confidence: sentiment.confidence, source: sentiment.source } }
      : {}),
    ...(options ? { options: { score: options.score, confidence: options.confidence } } : {}),
  };
  const c = scoreConfluence(signal, inputs, weights);
  return {
    kind: 'signal.scored',
    ts: signal.ts,
    symbol: signal.symbol,
    signal,
    confluence: c,
    confidence: signal.action === 'exit' ? signal.confidence : c.score,
  };
};
