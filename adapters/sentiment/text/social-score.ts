import { parseSymbol } from '../../config/env-fields.js';
import { ProviderError } from '../http/provider-error.js';
import { clampScore, clampUnit } from '../provider.js';

/** Pure scoring shared by the social providers (X, Reddit, StockTwits). */

/** One post's contribution to a social reading. */
export interface WeightedScore {
  /** -1..1 */
  readonly score: number;
  /** >= 0: how far the post moves the mean (relevance x engagement). */
  readonly weight: number;
  /** How much the post counts as evidence for confidence: 0 (nothing readable) .. 1 (an explicit label). */
  readonly evidence: number;
}

export interface CombinedScore {
  readonly score: number;
  readonly confidence: number;
  /** Sum of the evidence of the posts that went into the mean. */
  readonly evidence: number;
  /** Weighted standard deviation of their scores, 0 (all agree) .. 1 (split between -1 and +1). */
  readonly dispersion: number;
}

/** Evidence at which the count factor of confidence reaches 1 - 1/e (63 %). */
export const EVIDENCE_SCALE = 20;

/**
 * Weighted mean of the posts that say something (evidence > 0); confidence grows with the evidence,
 * `1 - exp(-n / 20)`, and is scaled by agreement, `1 - dispersion / 2`, so a crowd split evenly
 * between bulls and bears gets half the confidence of a unanimous one.
 */
export const combineScores = (items: readonly WeightedScore[]): CombinedScore => {
  const used = items.filter((i) => i.evidence > 0 && i.weight > 0 && Number.isFinite(i.score));
  const totalWeight = used.reduce((sum, i) => sum + i.weight, 0);
  if (used.length === 0 || !(totalWeight > 0)) return { score: 0, confidence: 0, evidence: 0, dispersion: 0 };
  const mean = used.reduce((sum, i) => sum + i.weight * i.score, 0) / totalWeight;
  const variance = used.reduce((sum, i) => sum + i.weight * (i.score - mean) ** 2, 0) / totalWeight;
  const dispersion = Math.min(1, Math.sqrt(variance));
  const evidence = used.reduce((sum, i) => sum + i.evidence, 0);
  const confidence = (1 - Math.exp(-evidence / EVIDENCE_SCALE)) * (1 - dispersion / 2);
  return { score: clampScore(mean), confidence: clampUnit(confidence), evidence, dispersion };
};

/**
 * 1 for a post nobody reacted to, growing with the log of reactions: a viral post counts a few
 * times more than an ignored one, never a thousand times (one account must not set the reading).
 */
export const engagementWeight = (reactions: number): number => 1 + Math.log1p(Math.max(0, reactions));

/** The symbol as the engine writes it, or a `config` ProviderError naming the provider. */
export const requireSymbol = (provider: string, raw: string): string => {
  const symbol = parseSymbol(raw);
  if (symbol === undefined) throw new ProviderError('config', `${provider}: '${raw}' is not a ticker symbol`);
  return symbol;
};

/** Rounds figures put in `detail` (readable in the API, stable in tests). */
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;
