import { type Observable, Subject, type Subscription } from 'rxjs';
import type { Bar } from '../../engine/messages/market.js';
import type { ExtraReadings, ExtraReading } from '../sentiment/sentiment-service.js';
import { fnv1a, mulberry32 } from './price-model.js';

export interface SimulatedSentimentOptions {
  readonly seed: number;
  /** The simulated market's bars: readings follow market time, never the wall clock. */
  readonly bars$: Observable<Bar>;
  /** Simulated minutes between readings of one symbol. */
  readonly everyMinutes?: number;
}

const MINUTE = 60_000;
/** Readings between which the price move is measured (with the default 15-minute spacing: half an hour). */
const TAPE_READINGS = 2;
/** How long the simulated crowd's mood lasts before it moves on. */
const MOOD_MS = 2 * 60 * MINUTE;
/** Slots that shape one reading: an exponentially weighted sum of the last few shocks. */
const MEMORY = 8;
const PERSISTENCE = 0.7;

/** A standard-normal-ish shock in -1..1 for (seed, symbol, stream, slot): the same inputs give the same shock. */
const shock = (seed: number, symbol: string, stream: string, slot: number): number => {
  const random = mulberry32(fnv1a(`${seed}:${stream}:${symbol}:${slot}`));
  return random() + random() + random() - 1.5;
};

const clamp = (x: number): number => Math.max(-1, Math.min(1, x));

/** A slowly drifting signed score in -1..1 that depends only on (seed, symbol, stream, slot). */
const drift = (seed: number, symbol: string, stream: string, slot: number): number => {
  let sum = 0;
  let norm = 0;
  for (let k = 0; k < MEMORY; k++) {
    const w = PERSISTENCE ** k;
    sum += w * shock(seed, symbol, stream, slot - k);
    norm += w;
  }
  return Math.max(-1, Math.min(1, (3 * sum) / norm));
};

/**
 * The paper-mode sentiment demo: every `everyMinutes` of simulated market time, each tracked symbol
 * gets a `simulated` sentiment reading and a `simulated_options` options-flow reading: a seeded drift
 * that depends on (seed, symbol, time slot) alone, leaning with the price move since the symbol's
 * previous reading (social sentiment chases the tape), so momentum entries often find agreement and
 * fading ones do not. No network, no key. It exists so that confluence, the API and the dashboard show sentiment without
 * any provider configured; the status endpoint names it, so it is never mistaken for a real source.
 */
export function createSimulatedSentiment(options: SimulatedSentimentOptions): ExtraReadings {
  const every = (options.everyMinutes ?? 15) * MINUTE;
  const out = new Subject<ExtraReading>();
  const tracked = new Set<string>();
  const lastSlot = new Map<string, number>();
  /** Closes at the last few readings, per symbol: the crowd follows the tape, so sentiment leans with it. */
  const closes = new Map<string, number[]>();
  let sub: Subscription | undefined;
  const onBar = (bar: Bar): void => {
    if (!tracked.has(bar.symbol)) return;
    const end = bar.ts + MINUTE;
    const slot = Math.floor(end / every);
    if (lastSlot.get(bar.symbol) === slot) return;
    lastSlot.set(bar.symbol, slot);
    const ts = slot * every;
    const random = mulberry32(fnv1a(`${options.seed}:meta:${bar.symbol}:${slot}`));
    const history = closes.get(bar.symbol) ?? [];
    closes.set(bar.symbol, history);
    const previous = history.length >= TAPE_READINGS ? history[0] : undefined;
    history.push(bar.close);
    if (history.length > TAPE_READINGS) history.shift();
    // A 0.5 % move over the last half hour leans the crowd by tanh(0.75) = 0.64.
    const tape = previous === undefined || previous <= 0 ? 0 : Math.tanh(150 * (bar.close / previous - 1));
    // The mood changes slowly (two-hour steps) and leans a little with the tape.
    const mood = Math.floor(ts / MOOD_MS);
    const score = clamp(0.8 * drift(options.seed, bar.symbol, 'sentiment', mood) + 0.2 * tape);
    out.next({
      channel: 'sentiment',
      reading: {
        source: 'simulated',
        symbol: bar.symbol,
        score,
        confidence: 0.45 + 0.45 * random(),
        mentions: Math.round(20 + 80 * random() * (1 + Math.abs(score))),
        sourceTs: ts,
        detail: { simulated: true, slot },
      },
    });
    const flow = clamp(0.5 * score + 0.5 * drift(options.seed, bar.symbol, 'options', mood));
    out.next({
      channel: 'options',
      reading: {
        source: 'simulated_options',
        symbol: bar.symbol,
        score: flow,
        confidence: 0.4 + 0.4 * random(),
        mentions: Math.round(1_000 + 9_000 * random()),
        sourceTs: ts,
        detail: { simulated: true, slot, put_call_ratio: Math.exp(-flow) * 0.7 },
      },
    });
  };
  return {
    name: 'simulated',
    readings$: out.asObservable(),
    track: (symbols) => {
      tracked.clear();
      for (const s of symbols) tracked.add(s);
    },
    start: () => {
      sub ??= options.bars$.subscribe(onBar);
    },
    stop: () => {
      sub?.unsubscribe();
      sub = undefined;
    },
  };
}
