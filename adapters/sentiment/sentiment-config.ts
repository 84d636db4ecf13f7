import type { z } from 'zod';
import { parseEntries, enumVar, numberVar, requiredList } from '../config/env-fields.js';
import { type AggregationConfig, DEFAULT_AGGREGATION } from '../../engine/sentiment/aggregate.js';
import { SOURCE_NAMES } from './provider.js';
import { PROVIDER_ENV, type ProvidersConfig, providersConfig } from './providers.js';

/** Source names a weight may name: the thirteen, plus the paper-mode simulated source. */
const WEIGHTED_SOURCES: readonly string[] = [...SOURCE_NAMES, 'simulated'];

export const DEFAULT_SOURCE_WEIGHTS = DEFAULT_AGGREGATION.weights;

const DEFAULT_WEIGHTS_RAW = Object.entries(DEFAULT_SOURCE_WEIGHTS)
  .map(([k, v]) => `${k}:${v}`)
  .join(',');

/** `source:weight,...`: the sources named replace their defaults; the others keep theirs. */
function weightsVar() {
  const what = `source:weight with source one of ${WEIGHTED_SOURCES.join(', ')} and weight a number >= 0`;
  return requiredList<Readonly<Record<string, number>>>(DEFAULT_WEIGHTS_RAW, (raw) => {
    const parsed = parseEntries(
      raw,
      what,
      (entry) => {
        const [name, value, extra] = entry.split(':').map((x) => x.trim());
        if (name === undefined || value === undefined || extra !== undefined) return undefined;
        if (!WEIGHTED_SOURCES.includes(name) || !/^\d+(\.\d+)?$/.test(value)) return undefined;
        return [name, Number(value)] as const;
      },
      ([name]) => name,
    );
    if (!parsed.ok) return parsed;
    return { ok: true, value: { ...DEFAULT_SOURCE_WEIGHTS, ...Object.fromEntries(parsed.value) } };
  });
}

/** The variables every source shares (aggregation, polling, the paper-mode simulation). */
export const SENTIMENT_ENV = {
  ...PROVIDER_ENV,
  /** `auto`: the simulated source runs with BROKER=paper only. */
  SENTIMENT_SIMULATED: enumVar(['auto', 'true', 'false'], 'auto'),
  /**
   * `auto`: the real providers poll with BROKER=ibkr only (the paper market runs on simulated time,
   * where today's news would be meaningless); `true` / `false` force them on or off. Each provider is
   * still subject to its own `<PREFIX>_ENABLED` and keys.
   */
  SENTIMENT_PROVIDERS: enumVar(['auto', 'true', 'false'], 'auto'),
  SENTIMENT_WEIGHTS: weightsVar(),
  SENTIMENT_HALF_LIFE_HOURS: numberVar('6', { min: 0, minExclusive: true }),
  SENTIMENT_MIN_CONFIDENCE: numberVar('0.3', { min: 0, max: 1 }),
  SENTIMENT_DIVERGENCE_THRESHOLD: numberVar('0.5', { min: 0, max: 1 }),
  SENTIMENT_MAX_AGE_HOURS: numberVar('48', { min: 0, minExclusive: true }),
  SENTIMENT_RETENTION_DAYS: numberVar('30', { min: 1, integer: true }),
  SENTIMENT_HTTP_TIMEOUT: numberVar('10', { min: 0, minExclusive: true }),
};

export interface SentimentCommonConfig {
  readonly simulated: 'auto' | 'true' | 'false';
  /** Whether the real providers poll (see SENTIMENT_PROVIDERS). */
  readonly live: 'auto' | 'true' | 'false';
  readonly providers: ProvidersConfig;
  readonly aggregation: AggregationConfig;
  readonly retentionDays: number;
  readonly httpTimeoutMs: number;
}

const HOUR = 3_600_000;

export const sentimentCommonConfig = (e: z.output<z.ZodObject<typeof SENTIMENT_ENV>>): SentimentCommonConfig => ({
  simulated: e.SENTIMENT_SIMULATED,
  live: e.SENTIMENT_PROVIDERS,
  providers: providersConfig(e),
  aggregation: {
    weights: e.SENTIMENT_WEIGHTS,
    defaultWeight: 1,
    halfLifeMs: Math.round(e.SENTIMENT_HALF_LIFE_HOURS * HOUR),
    minConfidence: e.SENTIMENT_MIN_CONFIDENCE,
    divergenceThreshold: e.SENTIMENT_DIVERGENCE_THRESHOLD,
    maxAgeMs: Math.round(e.SENTIMENT_MAX_AGE_HOURS * HOUR),
    sourceHalfLifeMs: DEFAULT_AGGREGATION.sourceHalfLifeMs,
  },
  retentionDays: e.SENTIMENT_RETENTION_DAYS,
  httpTimeoutMs: Math.round(e.SENTIMENT_HTTP_TIMEOUT * 1000),
});
