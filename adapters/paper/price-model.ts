import { roundCents } from './paper-fill-model.js';

/** One minute of the simulated timeline: shared by every symbol so their paths stay aligned. */
export interface MinuteSlot {
  /** Minute open, epoch ms. */
  readonly ts: number;
  /** Position of this minute in the timeline since the market's first session (0-based). */
  readonly index: number;
  readonly minuteOfSession: number;
  readonly sessionMinutes: number;
}

/** OHLCV of one simulated minute; prices in whole cents, volume in whole shares. */
interface SimulatedOhlcv {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Starting level, per-minute volatility (stdev of log return) and typical shares per minute. */
interface SymbolProfile {
  readonly startPrice: number;
  readonly volatility: number;
  readonly baseVolume: number;
}

const KNOWN_PROFILES: Readonly<Record<string, SymbolProfile>> = {
  SPY: { startPrice: 580, volatility: 0.0006, baseVolume: 60_000 },
  QQQ: { startPrice: 500, volatility: 0.0008, baseVolume: 40_000 },
  IWM: { startPrice: 220, volatility: 0.0009, baseVolume: 30_000 },
  DIA: { startPrice: 420, volatility: 0.0006, baseVolume: 5_000 },
  AAPL: { startPrice: 230, volatility: 0.001, baseVolume: 50_000 },
  MSFT: { startPrice: 420, volatility: 0.0009, baseVolume: 20_000 },
  NVDA: { startPrice: 130, volatility: 0.0015, baseVolume: 250_000 },
  AMZN: { startPrice: 190, volatility: 0.0011, baseVolume: 40_000 },
  GOOGL: { startPrice: 170, volatility: 0.001, baseVolume: 25_000 },
  META: { startPrice: 560, volatility: 0.0012, baseVolume: 12_000 },
  TSLA: { startPrice: 250, volatility: 0.0015, baseVolume: 90_000 },
};

/** Mean minutes between trend-regime switches. */
const REGIME_MEAN_MINUTES = 150;
/** Drift of a trending regime per minute, as a fraction of the symbol's volatility. */
const TREND_DRIFT = 0.12;
/** Overnight gap stdev, as a multiple of the per-minute volatility. */
const GAP_VOLATILITY = 8;
/** Per-minute pull of the log price back to its start level (keeps multi-year runs in range). */
const MEAN_REVERSION = 1e-5;
const WICK = 0.6;
/** Seed-dependent spread of the first price around the profile's level (log units). */
const START_JITTER = 0.03;

/** 32-bit FNV-1a: a stable hash for seeding per-symbol generators. */
export const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
};

/** mulberry32: a small, fast, seedable PRNG with uniform output in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** Real-looking levels for well-known tickers; other symbols get stable levels from their hash. */
const profileOf = (symbol: string): SymbolProfile => {
  const known = KNOWN_PROFILES[symbol];
  if (known) return known;
  const h = fnv1a(symbol);
  return {
    startPrice: 20 + (h % 48_000) / 100,
    volatility: 0.0006 + ((h >>> 8) % 60) / 100_000,
    baseVolume: 5_000 + ((h >>> 16) % 45_000),
  };
};

const cents = (price: number): number => Math.max(0.01, roundCents(price));

/**
 * The deterministic price path of one symbol: a geometric random walk with a slowly switching trend
 * regime (up / down / flat), overnight gaps and U-shaped intraday volume. The output for minute k
 * depends only on (seed, symbol) and the slots 0..k, never on other symbols, so subscribing late
 * and fast-forwarding reproduces exactly the bars an early subscriber saw.
 */
export class PricePath {
  private readonly random: () => number;
  private readonly profile: SymbolProfile;
  private readonly anchor: number;
  private logPrice: number;
  private regime: -1 | 0 | 1;
  private nextIndex = 0;

  constructor(seed: number, symbol: string) {
    this.random = mulberry32(fnv1a(`${seed}:${symbol}`));
    this.profile = profileOf(symbol);
    this.anchor = Math.log(this.profile.startPrice);
    this.logPrice = this.anchor + START_JITTER * (2 * this.random() - 1);
    this.regime = this.drawRegime();
  }

  /** The bar of `slot`; slots must be passed in timeline order, each exactly once. */
  next(slot: MinuteSlot): SimulatedOhlcv {
    if (slot.index !== this.nextIndex) {
      throw new Error(`PricePath expected minute #${this.nextIndex}, got #${slot.index}`);
    }
    this.nextIndex += 1;
    const sigma = this.profile.volatility;
    if (slot.minuteOfSession === 0 && slot.index > 0) this.logPrice += GAP_VOLATILITY * sigma * this.gaussian();
    if (this.random() < 1 / REGIME_MEAN_MINUTES) this.regime = this.drawRegime();
    const drift = this.regime * TREND_DRIFT * sigma - MEAN_REVERSION * (this.logPrice - this.anchor);
    const openLog = this.logPrice;
    const closeLog = openLog + drift + sigma * this.gaussian();
    this.logPrice = closeLog;
    const highLog = Math.max(openLog, closeLog) + WICK * sigma * Math.abs(this.gaussian());
    const lowLog = Math.min(openLog, closeLog) - WICK * sigma * Math.abs(this.gaussian());
    return {
      open: cents(Math.exp(openLog)),
      high: cents(Math.exp(highLog)),
      low: cents(Math.exp(lowLog)),
      close: cents(Math.exp(closeLog)),
      volume: this.volume(slot),
    };
  }

  private volume(slot: MinuteSlot): number {
    const span = Math.max(1, slot.sessionMinutes - 1);
    const u = (2 * slot.minuteOfSession) / span - 1;
    const shape = 0.6 + 1.8 * u * u;
    const noise = Math.exp(0.35 * this.gaussian() - 0.06);
    return Math.max(100, Math.round(this.profile.baseVolume * shape * noise));
  }

  private drawRegime(): -1 | 0 | 1 {
    const u = this.random();
    return u < 0.35 ? 1 : u < 0.7 ? -1 : 0;
  }

  private gaussian(): number {
    const u1 = 1 - this.random();
    const u2 = this.random();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
