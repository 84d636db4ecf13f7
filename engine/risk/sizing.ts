/** Confidence tiers of SPEC section 6.7: < 0.4 low, 0.4..0.7 medium, >= 0.7 high. */
export interface SizingTiers {
  readonly low: number;
  readonly medium: number;
  readonly high: number;
}

/** Fraction of equity for a confidence. Edges belong to the upper tier (0.4 -> medium, 0.7 -> high). */
export const tierFraction = (confidence: number, tiers: SizingTiers): number =>
  confidence >= 0.7 ? tiers.high : confidence >= 0.4 ? tiers.medium : tiers.low;

/**
 * Whole shares for an entry: the tier's fraction of equity, capped at `maxPositionPct` of equity,
 * divided by the price and floored. 0 means the order is too small to place (rule `size_zero`).
 */
export const sharesFor = (
  confidence: number,
  equity: number,
  price: number,
  tiers: SizingTiers,
  maxPositionPct: number,
): number => {
  if (!(price > 0) || !(equity > 0)) return 0;
  const fraction = Math.min(tierFraction(confidence, tiers), maxPositionPct);
  return Math.max(0, Math.floor((equity * fraction) / price + 1e-9));
};
