import { type Observable, type OperatorFunction, filter, map } from 'rxjs';
import {
  type AggregatedSentiment,
  type AggregationConfig,
  DEFAULT_AGGREGATION,
  aggregateSentiment,
  sourceDecay,
} from '../sentiment/aggregate.js';
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
  readonly sentiment?: {
    readonly score: number;
    readonly confidence: number;
    /** Sources in the aggregate. */
    readonly sources: number;
    /** The sources disagree (see the aggregator's divergence). */
    readonly divergent: boolean;
  };
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
  // Written out for the three components rather than mapped over a list: it runs for every signal,
  // and the intermediate arrays and closures were most of its garbage.
  const direction = signal.side === 'SELL' ? -1 : 1;
  const sentiment = inputs.sentiment;
  const options = inputs.options;
  const totalWeight =
    weights.technical +
    (sentiment !== undefined ? weights.sentiment : 0) +
    (options !== undefined ? weights.options : 0);
  const technical = component(
    'technical',
    true,
    clamp(direction * signal.confidence, -1, 1),
    weights.technical,
    totalWeight,
    `${signal.strategyType} ${signal.side} confidence ${signal.confidence.toFixed(2)}: ${signal.reason}`,
  );
  const sentimentPart = component(
    'sentiment',
    sentiment !== undefined,
    clamp(sentiment?.score ?? 0, -1, 1),
    weights.sentiment,
    totalWeight,
    sentiment
      ? `sentiment ${fmt(sentiment.score)} from ${sentiment.sources} ${sentiment.sources === 1 ? 'source' : 'sources'} (confidence ${sentiment.confidence.toFixed(2)}${sentiment.divergent ? ', sources diverge' : ''})`
      : 'no sentiment reading for the symbol',
  );
  const optionsPart = component(
    'options',
    options !== undefined,
    clamp(options?.score ?? 0, -1, 1),
    weights.options,
    totalWeight,
    options ? `options flow ${fmt(options.score)}` : 'no options-flow reading for the symbol',
  );
  const signed =
    technical.score * technical.effectiveWeight +
    sentimentPart.score * sentimentPart.effectiveWeight +
    optionsPart.score * optionsPart.effectiveWeight;
  const score = clamp(direction * signed, 0, 1);
  return {
    score,
    level: confluenceLevel(score),
    directionalBias: directionalBias(signed),
    components: [technical, sentimentPart, optionsPart],
  };
};

/** One component: its weight renormalised over the present components' `totalWeight`, and why. */
const component = (
  name: ConfluenceComponent['name'],
  present: boolean,
  score: number,
  weight: number,
  totalWeight: number,
  why: string,
): ConfluenceComponent => {
  const effectiveWeight = present && totalWeight > 0 ? weight / totalWeight : 0;
  return {
    name,
    present,
    score: present ? score : 0,
    weight,
    effectiveWeight,
    explanation: present
      ? `${why}; contributes ${fmt(score * effectiveWeight)} (weight ${weight} -> ${effectiveWeight.toFixed(2)})`
      : `${why}; weight ${weight} renormalised away`,
  };
};

/** How long an options-flow reading stays usable: a day-old put/call ratio says nothing about today. */
export const OPTIONS_MAX_AGE_MS = 24 * 3_600_000;

/** Readings kept per symbol for options flow (latest as of a time). */
const OPTIONS_HISTORY = 32;
/** Sentiment readings kept per symbol and source: bounded memory whatever the feed rate. */
const SENTIMENT_HISTORY = 256;

/**
 * The non-technical inputs confluence reads, per symbol, as of any time: sentiment readings of every
 * source (aggregated on demand, with decay relative to the asking time) and options-flow readings.
 * Readings may arrive out of order; a reading stamped after the asking time is never used.
 */
export class ConfluenceBook {
  /** symbol -> source -> readings in time order (per source, so a chatty source never evicts a slow one). */
  private readonly sentiment = new Map<string, Map<string, SentimentReading[]>>();
  private readonly options = new Map<string, OptionsFlowReading[]>();
  /**
   * The latest time asked about. Readings are pruned by age relative to it, never relative to the
   * newest reading: a reading published later must not evict one an earlier question still needs.
   */
  private askedTs = Number.NEGATIVE_INFINITY;

  constructor(readonly aggregation: AggregationConfig = DEFAULT_AGGREGATION) {}

  add(r: SentimentReading | OptionsFlowReading): void {
    if (r.kind === 'sentiment.updated') {
      let bySource = this.sentiment.get(r.symbol);
      if (!bySource) {
        bySource = new Map();
        this.sentiment.set(r.symbol, bySource);
      }
      insertByTs(
        bySource,
        r.source,
        r,
        SENTIMENT_HISTORY,
        this.askedTs - sourceDecay(this.aggregation, r.source).maxAgeMs,
      );
    } else {
      insertByTs(this.options, r.symbol, r, OPTIONS_HISTORY, this.askedTs - OPTIONS_MAX_AGE_MS);
    }
  }

  /** The aggregate of the symbol's readings published at or before `ts`; undefined without a usable one. */
  sentimentAsOf(symbol: string, ts: number): AggregatedSentiment | undefined {
    this.askedTs = Math.max(this.askedTs, ts);
    const bySource = this.sentiment.get(symbol);
    if (!bySource) return undefined;
    const agg = aggregateSentiment(
      [...bySource.values()].flatMap((list) => list),
      ts,
      this.aggregation,
    );
    return agg.sourceCount > 0 ? agg : undefined;
  }

  /** The latest options-flow reading published at or before `ts` and at most a day older. */
  optionsAsOf(symbol: string, ts: number): OptionsFlowReading | undefined {
    this.askedTs = Math.max(this.askedTs, ts);
    const list = this.options.get(symbol);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const r = list[i] as OptionsFlowReading;
      if (r.ts <= ts) return ts - r.ts <= OPTIONS_MAX_AGE_MS ? r : undefined;
    }
    return undefined;
  }

  /** Symbols with at least one sentiment / options reading held. */
  symbols(): { readonly sentiment: readonly string[]; readonly options: readonly string[] } {
    return { sentiment: [...this.sentiment.keys()], options: [...this.options.keys()] };
  }
}

/**
 * Inserts in `ts` order (readings may arrive late), drops readings published before `cutoff` and keeps
 * at most `cap` (the newest). The cap bounds memory; in a replay whose readings run more than `cap`
 * readings of one source ahead of its signals, the oldest can go before they are asked about.
 */
const insertByTs = <R extends { readonly ts: number }>(
  by: Map<string, R[]>,
  key: string,
  r: R,
  cap: number,
  cutoff: number,
): void => {
  let list = by.get(key);
  if (!list) {
    list = [];
    by.set(key, list);
  }
  let i = list.length;
  while (i > 0 && (list[i - 1] as R).ts > r.ts) i--;
  list.splice(i, 0, r);
  let drop = 0;
  while (drop < list.length - 1 && (list[drop] as R).ts < cutoff) drop++;
  if (list.length - drop > cap) drop = list.length - cap;
  if (drop > 0) list.splice(0, drop);
};

/**
 * Scores each actionable signal against the symbol's sentiment aggregate and options flow as of the
 * signal's event time: a reading stamped after the signal is never used (no look-ahead). The final
 * confidence of an entry is the confluence score; an exit keeps its own confidence (exits are never
 * scored away). `book` is where readings are kept; pass one to read it elsewhere (the API).
 */
export const confluence =
  (
    weights: ConfluenceWeights,
    book: ConfluenceBook = new ConfluenceBook(),
  ): OperatorFunction<Signal | SentimentReading | OptionsFlowReading, ScoredSignal> =>
  (input$: Observable<Signal | SentimentReading | OptionsFlowReading>) =>
    input$.pipe(
      map((e) => {
        if (e.kind !== 'signal.generated') {
          book.add(e);
          return undefined;
        }
        return scoreSignal(e, book.sentimentAsOf(e.symbol, e.ts), book.optionsAsOf(e.symbol, e.ts), weights);
      }),
      filter((s): s is ScoredSignal => s !== undefined),
    );

/** One signal scored against the given inputs (the confluence operator's step, also used on demand). */
export const scoreSignal = (
  signal: Signal,
  sentiment: AggregatedSentiment | undefined,
  options: OptionsFlowReading | undefined,
  weights: ConfluenceWeights,
): ScoredSignal => {
  const inputs: ConfluenceInputs = {
    ...(sentiment
      ? {
          sentiment: {
            score: sentiment.score,
            confidence: sentiment.confidence,
            sources: sentiment.sourceCount,
            divergent: sentiment.divergent,
          },
        }
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
