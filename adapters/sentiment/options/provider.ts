import { SYMBOL_PATTERN } from '../../../engine/messages/symbol.js';
import { ProviderError, asProviderError } from '../http/provider-error.js';
import {
  type Availability,
  type ProviderDeps,
  type ProviderReading,
  type SentimentProvider,
  clampScore,
  clampUnit,
} from '../provider.js';
import type { OptionsConfig } from './config.js';
import { type FlowAlert, FlowAlertsResponseSchema } from './schema.js';

// ─── the IBKR side, as the provider sees it ─────────────────────────────────────────────────────

/** One figure and when it arrived (epoch ms). */
export interface OptionTick {
  readonly value: number;
  readonly ts: number;
}

/**
 * The latest option figures of one underlying (IBKR generic ticks 100, 101, 104, 105, 106 on the
 * stock). Volumes and open interest are contracts for the trading day; volatilities are decimals
 * (0.32 = 32 %).
 */
export interface OptionStatsSnapshot {
  readonly symbol: string;
  /** Tick 29. */
  readonly callVolume?: OptionTick;
  /** Tick 30. */
  readonly putVolume?: OptionTick;
  /** Tick 27. */
  readonly callOpenInterest?: OptionTick;
  /** Tick 28. */
  readonly putOpenInterest?: OptionTick;
  /** Tick 87: average daily option volume. */
  readonly avgOptionVolume?: OptionTick;
  /** Tick 24: IB's 30-day implied volatility. */
  readonly impliedVol?: OptionTick;
  /** Tick 23: 30-day historical volatility. */
  readonly historicalVol?: OptionTick;
  /** Why figures are missing or partial (e.g. `IBKR 354: Requested market data is not subscribed.`). */
  readonly reason?: string;
}

/** Where option figures come from (IBKR's option ticks in live mode; a fake in tests). */
export interface OptionStatsSource {
  /** The latest figures of `symbol`, or undefined when it is not tracked. */
  optionStats(symbol: string): OptionStatsSnapshot | undefined;
  /** Why no figures can arrive at all right now (e.g. not connected), or undefined when they can. */
  unavailableReason(): string | undefined;
  /** Start following `symbols` (idempotent); the provider calls it for every symbol it is asked about. */
  track?(symbols: readonly string[]): void;
}

// ─── scoring (pure) ─────────────────────────────────────────────────────────────────────────────

/** Equity put/call volume ratio of a quiet market: scores 0 here, bullish below, bearish above. */
export const NEUTRAL_PUT_CALL = 0.7;
/** Contracts at the neutral ratio added to both sides, so a few contracts cannot swing the ratio. */
export const PUT_CALL_PRIOR = 20;
/** Put share of volume at the neutral ratio (0.7 / 1.7 ≈ 0.41). */
export const NEUTRAL_PUT_SHARE = NEUTRAL_PUT_CALL / (1 + NEUTRAL_PUT_CALL);
/** Flow alerts older than this are not scored (a rolling day, like IBKR's day volumes). */
export const ALERT_WINDOW_MS = 24 * 3_600_000;
/** How far back the previous reading (for the IV change and "nothing new") is looked up. */
export const HISTORY_LOOKBACK_MS = 7 * 24 * 3_600_000;
/** Alerts asked for per request (the endpoint's default 100; at most 200). */
export const ALERT_LIMIT = 100;

/** The put/call ratio the score uses: volumes with PUT_CALL_PRIOR neutral contracts added. */
export const smoothedPutCall = (callVolume: number, putVolume: number): number =>
  (putVolume + NEUTRAL_PUT_CALL * PUT_CALL_PRIOR) / (callVolume + PUT_CALL_PRIOR);

/** -tanh(ln(pc / 0.7)): 0.7 → 0, 0.35 → +0.6, 1.4 → -0.6; symmetric in log space. */
export const putCallScore = (ratio: number): number =>
  ratio > 0 && Number.isFinite(ratio) ? clampScore(-Math.tanh(Math.log(ratio / NEUTRAL_PUT_CALL))) : 0;

/**
 * How unusual today's volume is scales both the score and the confidence, never the direction:
 * 0.5 + 0.25 × (volume / average volume), within 0.5..1 (a normal day 0.75, twice normal or more
 * 1). Unknown average: 0.75, as a normal day.
 */
export const volumeFactor = (volumeRatio: number | undefined): number =>
  volumeRatio === undefined || !Number.isFinite(volumeRatio)
    ? 0.75
    : Math.max(0.5, Math.min(1, 0.5 + 0.25 * volumeRatio));

/**
 * An IV jump (relative rise ≥ `threshold` since the previous reading) is read through who traded:
 * with puts the majority (put share > 0.5) it is a fear/hedging bid, bearish (-j); with calls
 * leading (put share below the neutral 0.41) it is speculative call demand, mildly bullish (+j/2,
 * half because rising IV is also plain uncertainty); in between, no direction. The strength j is
 * change / (2 × threshold), capped at 1 (a jump of exactly the threshold is 0.5).
 */
export const ivJumpScore = (ivChange: number | undefined, putShare: number, threshold: number): number => {
  if (ivChange === undefined || !Number.isFinite(ivChange) || ivChange < threshold) return 0;
  const strength = Math.min(1, ivChange / (2 * threshold));
  if (putShare > 0.5) return -strength;
  if (putShare < NEUTRAL_PUT_SHARE) return strength / 2;
  return 0;
};

/** Evidence from the day's option volume: 0 at 100 contracts or fewer, 1 at 100 000 or more (log). */
export const volumeEvidence = (contracts: number): number => clampUnit(Math.log10(contracts / 100) / 3);

/** Evidence from alert premium: 0 at $10k or less, 1 at $10M or more (log). */
export const premiumEvidence = (premium: number): number => clampUnit(Math.log10(premium / 10_000) / 3);

/** A scored part of the reading. */
export interface ScoredPart {
  readonly score: number;
  readonly confidence: number;
}

export interface IbkrFigures {
  readonly callVolume: number;
  readonly putVolume: number;
  readonly avgOptionVolume: number | undefined;
  /** Relative IV change since the previous reading (0.2 = +20 %), when both are known. */
  readonly ivChange: number | undefined;
}

/**
 * IBKR's day figures: the put/call score, blended 60/40 with the IV-jump score when IV jumped,
 * times the volume factor; confidence = volume evidence × volume factor. Undefined without volume.
 */
export const scoreIbkr = (f: IbkrFigures, ivJumpThreshold: number): ScoredPart | undefined => {
  const total = f.callVolume + f.putVolume;
  if (!(total > 0)) return undefined;
  const pc = putCallScore(smoothedPutCall(f.callVolume, f.putVolume));
  const jump = ivJumpScore(f.ivChange, f.putVolume / total, ivJumpThreshold);
  const direction = f.ivChange !== undefined && f.ivChange >= ivJumpThreshold ? 0.6 * pc + 0.4 * jump : pc;
  const factor = volumeFactor(f.avgOptionVolume && f.avgOptionVolume > 0 ? total / f.avgOptionVolume : undefined);
  return { score: clampScore(direction * factor), confidence: clampUnit(volumeEvidence(total) * factor) };
};

/**
 * One alert's direction: calls +, puts -, times the aggressor balance (ask-side − bid-side premium)
 * / total premium, so calls sold at the bid count bearish and puts sold at the bid bullish. Without
 * side fields the alert counts as bought (flow alerts flag aggressive opening trades).
 */
export const alertDirection = (a: FlowAlert): number => {
  const sign = a.type === 'call' ? 1 : -1;
  const ask = a.total_ask_side_prem ?? undefined;
  const bid = a.total_bid_side_prem ?? undefined;
  if (ask === undefined && bid === undefined) return sign;
  const base = Math.max(a.total_premium, (ask ?? 0) + (bid ?? 0));
  return base > 0 ? sign * clampScore(((ask ?? 0) - (bid ?? 0)) / base) : 0;
};

/** Premium-weighted mean direction of the alerts; confidence from the total premium. */
export const scoreAlerts = (alerts: readonly FlowAlert[]): ScoredPart | undefined => {
  const premium = alerts.reduce((sum, a) => sum + Math.max(0, a.total_premium), 0);
  if (!(premium > 0)) return undefined;
  const weighted = alerts.reduce((sum, a) => sum + Math.max(0, a.total_premium) * alertDirection(a), 0);
  return { score: clampScore(weighted / premium), confidence: premiumEvidence(premium) };
};

/** Confidence-weighted mean score (plain mean when no part has confidence); confidence 1 − Π(1 − c). */
export const combineParts = (parts: readonly ScoredPart[]): ScoredPart => {
  const weight = parts.reduce((sum, p) => sum + p.confidence, 0);
  const score =
    weight > 0
      ? parts.reduce((sum, p) => sum + p.score * p.confidence, 0) / weight
      : parts.reduce((sum, p) => sum + p.score, 0) / Math.max(1, parts.length);
  const confidence = 1 - parts.reduce((rest, p) => rest * (1 - p.confidence), 1);
  return { score: clampScore(score), confidence: clampUnit(confidence) };
};

const round = (x: number | undefined, digits = 4): number | null =>
  x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

const newestTick = (stats: OptionStatsSnapshot): number => {
  const ticks = [
    stats.callVolume,
    stats.putVolume,
    stats.callOpenInterest,
    stats.putOpenInterest,
    stats.avgOptionVolume,
    stats.impliedVol,
    stats.historicalVol,
  ];
  return Math.max(...ticks.map((t) => t?.ts ?? Number.NEGATIVE_INFINITY));
};

/** IV of an earlier reading of this provider, when it recorded one. */
const previousIv = (previous: ProviderReading | undefined): number | undefined => {
  const iv = previous?.detail?.['iv'];
  return typeof iv === 'number' && iv > 0 ? iv : undefined;
};

export interface OptionsReadingInput {
  readonly symbol: string;
  readonly stats: OptionStatsSnapshot | undefined;
  /** Alerts already filtered to the symbol and the window; undefined when Unusual Whales is not used. */
  readonly alerts: readonly FlowAlert[] | undefined;
  /** This provider's newest stored reading of the symbol. */
  readonly previous: ProviderReading | undefined;
  readonly ivJumpThreshold: number;
}

/**
 * The reading from IBKR's figures and the flow alerts, or undefined when neither has anything, or
 * nothing arrived since the previous reading (its `sourceTs` is not passed).
 */
export const optionsReading = (input: OptionsReadingInput): ProviderReading | undefined => {
  const { stats, alerts, previous } = input;
  const call = stats?.callVolume?.value;
  const put = stats?.putVolume?.value;
  const avg = stats?.avgOptionVolume?.value;
  const iv = stats?.impliedVol?.value;
  const prevIv = previousIv(previous);
  const ivChange = iv !== undefined && iv > 0 && prevIv !== undefined ? iv / prevIv - 1 : undefined;
  const ibkr =
    stats && call !== undefined && put !== undefined
      ? scoreIbkr({ callVolume: call, putVolume: put, avgOptionVolume: avg, ivChange }, input.ivJumpThreshold)
      : undefined;
  const flow = alerts && alerts.length > 0 ? scoreAlerts(alerts) : undefined;
  const parts = [ibkr, flow].filter((p): p is ScoredPart => p !== undefined);
  if (parts.length === 0) return undefined;
  const sourceTs = Math.max(
    ibkr && stats ? newestTick(stats) : Number.NEGATIVE_INFINITY,
    flow && alerts ? Math.max(...alerts.map((a) => a.created_at)) : Number.NEGATIVE_INFINITY,
  );
  if (previous && sourceTs <= previous.sourceTs) return undefined;
  const combined = combineParts(parts);
  const total = call !== undefined && put !== undefined ? call + put : undefined;
  const premiumOf = (type: FlowAlert['type']): number =>
    (alerts ?? []).filter((a) => a.type === type).reduce((sum, a) => sum + a.total_premium, 0);
  return {
    source: 'options',
    symbol: input.symbol,
    score: combined.score,
    confidence: combined.confidence,
    mentions: (ibkr ? 1 : 0) + (flow && alerts ? alerts.length : 0),
    sourceTs,
    detail: {
      put_call_ratio: call !== undefined && put !== undefined && call > 0 ? round(put / call) : null,
      call_volume: call ?? null,
      put_volume: put ?? null,
      option_volume: total ?? null,
      avg_option_volume: avg ?? null,
      volume_ratio: total !== undefined && avg !== undefined && avg > 0 ? round(total / avg) : null,
      iv: round(iv),
      iv_change: round(ivChange),
      hv: round(stats?.historicalVol?.value),
      call_oi: stats?.callOpenInterest?.value ?? null,
      put_oi: stats?.putOpenInterest?.value ?? null,
      alerts: alerts?.length ?? 0,
      alert_call_premium: alerts ? round(premiumOf('call'), 2) : null,
      alert_put_premium: alerts ? round(premiumOf('put'), 2) : null,
      ibkr_score: round(ibkr?.score),
      flow_score: round(flow?.score),
      ibkr_reason: stats?.reason ?? null,
    },
  };
};

// ─── the provider ───────────────────────────────────────────────────────────────────────────────

/**
 * Unusual Whales publishes per-plan limits (per minute and per day) and answers 429 beyond them;
 * one request per second stays under the smallest we found documented (about 2 per second).
 */
const UW_LIMIT = { requests: 1, perMs: 1_000 } as const;

const requireSymbol = (symbol: string): string => {
  const s = symbol.trim().toUpperCase();
  if (!SYMBOL_PATTERN.test(s)) throw new ProviderError('config', `options: not a ticker symbol: '${symbol}'`);
  return s;
};

/**
 * Options sentiment from IBKR's option ticks on the stock (put/call volume ratio, unusual volume,
 * IV jumps) and, with `UW_API_KEY`, Unusual Whales flow alerts (premium-weighted calls vs puts,
 * ask vs bid side). Either source alone is enough; without IBKR (paper mode) and without a key the
 * provider is unavailable. A reading is made only when a tick or alert arrived since the previous
 * one; its `sourceTs` is the newest tick/alert time that went into it.
 */
export const createOptionsProvider = (
  config: OptionsConfig,
  deps: ProviderDeps,
  source?: OptionStatsSource,
): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, UW_LIMIT);

  const availability = (): Availability => {
    if (!config.enabled) return { available: false, reason: 'disabled (OPTIONS_ENABLED=false)' };
    if (config.uwApiKey !== undefined) return { available: true };
    if (!source)
      return {
        available: false,
        reason:
          'no options data: IBKR option ticks need a live IBKR connection (paper mode has none) and UW_API_KEY is not set',
      };
    const reason = source.unavailableReason();
    return reason === undefined
      ? { available: true }
      : { available: false, reason: `IBKR option ticks unavailable (${reason}) and UW_API_KEY is not set` };
  };

  const fetchAlerts = async (symbol: string, key: string, now: number): Promise<readonly FlowAlert[]> => {
    const url = `${config.baseUrl}/api/option-trades/flow-alerts?ticker_symbol=${encodeURIComponent(symbol)}&limit=${ALERT_LIMIT}`;
    const body = await deps.http.json('options', url, FlowAlertsResponseSchema, {
      headers: { Authorization: `Bearer ${key}` },
    });
    // The filter is the API's; checked again so another ticker's alert can never be scored here.
    return body.data.filter(
      (a) => a.ticker.trim().toUpperCase() === symbol && a.created_at <= now && a.created_at > now - ALERT_WINDOW_MS,
    );
  };

  const fetch = async (raw: string): Promise<readonly ProviderReading[]> => {
    const symbol = requireSymbol(raw);
    const now = deps.now();
    source?.track?.([symbol]);
    const stats = source?.optionStats(symbol);
    const key = config.uwApiKey;
    const alerts = key === undefined ? undefined : await fetchAlerts(symbol, key, now);
    const history = await deps.history.readings(symbol, now - HISTORY_LOOKBACK_MS, now, ['options']);
    const previous = history.filter((r) => r.source === 'options').at(-1);
    const reading = optionsReading({ symbol, stats, alerts, previous, ivJumpThreshold: config.ivJump });
    if (reading) return [reading];
    // Nothing to score and IBKR said why (no OPRA subscription, line limit): make it visible.
    if (alerts === undefined && stats?.reason !== undefined && stats.callVolume === undefined)
      throw new ProviderError('config', `options: ${symbol}: ${stats.reason}`);
    return [];
  };

  return {
    name: 'options',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (symbol) => {
      const state = availability();
      if (!state.available) throw new ProviderError('config', `options: ${state.reason}`);
      try {
        return await fetch(symbol);
      } catch (err) {
        throw asProviderError(err);
      }
    },
  };
};
