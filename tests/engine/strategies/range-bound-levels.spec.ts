import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  isTradingDay,
  previousTradingDay,
  sessionBounds,
  sessionDateOf,
} from '../../../engine/calendar/nyse-calendar.js';
import { TIMEFRAME_MS, type Timeframe } from '../../../engine/messages/market.js';
import { PreviousSessionLevels } from '../../../engine/strategies/range-bound-levels.js';
import { nyTs } from './range-bound-fixtures.js';

interface Tick {
  readonly ts: number;
  readonly high: number;
  readonly low: number;
}

const at = (date: string, time: string, high: number, low = high): Tick => ({ ts: nyTs(date, time), high, low });

function track(timeframe: Timeframe, ticks: readonly Tick[]): PreviousSessionLevels {
  const levels = new PreviousSessionLevels(timeframe);
  for (const t of ticks) levels.update(t.ts, t.high, t.low);
  return levels;
}

const view = (l: PreviousSessionLevels) => ({ found: l.found, high: l.high, low: l.low, from: l.levelsDate });
const none = { found: false, high: Number.NaN, low: Number.NaN, from: '' };

describe('PreviousSessionLevels: which bars make a session (5m)', () => {
  it.each([
    [
      'a regular day: 09:30 and 15:55 bars count, 09:25 and 16:00 do not',
      [
        at('2024-06-03', '09:25', 200, 1),
        at('2024-06-03', '09:30', 110, 105),
        at('2024-06-03', '15:55', 106, 100),
        at('2024-06-03', '16:00', 300, 2),
        at('2024-06-04', '08:00', 50),
      ],
      { found: true, high: 110, low: 100, from: '2024-06-03' },
    ],
    [
      'a partial session (three bars in the afternoon) still counts',
      [at('2024-06-03', '14:00', 101, 99), at('2024-06-03', '14:05', 102, 100), at('2024-06-04', '09:30', 1)],
      { found: true, high: 102, low: 99, from: '2024-06-03' },
    ],
    ['the first day has no levels', [at('2024-06-03', '09:30', 110, 100), at('2024-06-03', '15:55', 110, 100)], none],
    [
      'a skipped trading day (06-04) leaves no levels on 06-05',
      [at('2024-06-03', '09:30', 110, 100), at('2024-06-05', '09:30', 105)],
      none,
    ],
    [
      'a day with only pre-market bars is not a session seen',
      [at('2024-06-03', '09:30', 110, 100), at('2024-06-04', '08:00', 105), at('2024-06-05', '09:30', 105)],
      none,
    ],
    [
      'weekend bars do not break Friday -> Monday',
      [at('2024-05-31', '10:00', 110, 100), at('2024-06-01', '10:00', 300, 1), at('2024-06-03', '09:30', 105)],
      { found: true, high: 110, low: 100, from: '2024-05-31' },
    ],
    [
      'after 2024-07-04: the 07-03 early close, from 13:00 left out',
      [
        at('2024-07-03', '12:55', 110, 100),
        at('2024-07-03', '13:00', 300, 1),
        at('2024-07-03', '15:55', 300, 1),
        at('2024-07-05', '09:30', 105),
      ],
      { found: true, high: 110, low: 100, from: '2024-07-03' },
    ],
    [
      'after Thanksgiving 2024-11-28: Wednesday 11-27',
      [at('2024-11-27', '15:55', 110, 100), at('2024-11-29', '09:30', 105)],
      { found: true, high: 110, low: 100, from: '2024-11-27' },
    ],
    [
      'Monday after the 2024-11-29 early close: only bars before 13:00',
      [at('2024-11-29', '09:30', 110, 100), at('2024-11-29', '13:00', 300, 1), at('2024-12-02', '09:30', 105)],
      { found: true, high: 110, low: 100, from: '2024-11-29' },
    ],
    [
      'Monday 2024-04-01 after Good Friday: Thursday 03-28',
      [at('2024-03-28', '10:00', 110, 100), at('2024-03-29', '10:00', 300, 1), at('2024-04-01', '09:30', 105)],
      { found: true, high: 110, low: 100, from: '2024-03-28' },
    ],
    [
      'Tuesday 2024-04-02 after a Monday never seen: none (Thursday is older)',
      [at('2024-03-28', '10:00', 110, 100), at('2024-04-02', '09:30', 105)],
      none,
    ],
  ] as const)('%s', (_name, ticks, expected) => {
    expect(view(track('5m', ticks))).toEqual(expected);
  });
});

describe('PreviousSessionLevels: DST weeks, by UTC instants', () => {
  it('spring 2024: Friday 03-08 opens 14:30 UTC (EST), Monday 03-11 13:30 UTC (EDT)', () => {
    const utc = (d: number, h: number, m: number) => Date.UTC(2024, 2, d, h, m);
    const ticks: Tick[] = [
      { ts: utc(8, 14, 25), high: 300, low: 1 }, // 09:25 EST: pre-market
      { ts: utc(8, 14, 30), high: 110, low: 105 }, // 09:30 EST
      { ts: utc(8, 20, 55), high: 104, low: 100 }, // 15:55 EST
      { ts: utc(8, 21, 0), high: 300, low: 1 }, // 16:00 EST: closed
      { ts: utc(11, 13, 30), high: 120, low: 115 }, // Monday 09:30 EDT: in session
    ];
    const levels = track('5m', ticks);
    expect(view(levels)).toEqual({ found: true, high: 110, low: 100, from: '2024-03-08' });
    levels.update(utc(11, 20, 0), 300, 1); // 16:00 EDT: closed
    levels.update(utc(12, 13, 30), 117, 117); // Tuesday
    expect(view(levels)).toEqual({ found: true, high: 120, low: 115, from: '2024-03-11' });
  });

  it('autumn 2024: Friday 11-01 opens 13:30 UTC (EDT), Monday 11-04 14:30 UTC (EST)', () => {
    const utc = (d: number, h: number, m: number) => Date.UTC(2024, 10, d, h, m);
    const levels = track('5m', [
      { ts: utc(1, 13, 30), high: 110, low: 100 }, // 09:30 EDT
      { ts: utc(1, 20, 0), high: 300, low: 1 }, // 16:00 EDT
      { ts: utc(4, 14, 0), high: 300, low: 1 }, // Monday 09:00 EST: pre-market
      { ts: utc(4, 20, 55), high: 90, low: 80 }, // 15:55 EST: in session
      { ts: utc(5, 14, 30), high: 85, low: 85 },
    ]);
    expect(view(levels)).toEqual({ found: true, high: 90, low: 80, from: '2024-11-04' });
  });

  it('the day changes at New York midnight, not UTC midnight', () => {
    const levels = track('5m', [
      at('2024-05-31', '10:00', 110, 100),
      at('2024-06-03', '10:00', 120, 115),
      { ts: Date.UTC(2024, 5, 4, 3, 30), high: 1, low: 1 }, // 23:30 Monday in New York
    ]);
    expect(levels.date).toBe('2024-06-03');
    expect(levels.levelsDate).toBe('2024-05-31');
    levels.update(Date.UTC(2024, 5, 4, 4, 0), 1, 1); // 00:00 Tuesday in New York
    expect(levels.date).toBe('2024-06-04');
    expect(levels.previousTradingDate).toBe('2024-06-03');
    expect(view(levels)).toMatchObject({ high: 120, low: 115 });
  });
});

describe('PreviousSessionLevels: other timeframes', () => {
  it('1h clock-hour bars: the 09:00 bar (holding 09:30-10:00) counts, 08:00 and 16:00 do not', () => {
    const levels = track('1h', [
      at('2024-06-03', '08:00', 300, 1),
      at('2024-06-03', '09:00', 120, 104),
      at('2024-06-03', '15:00', 106, 100),
      at('2024-06-03', '16:00', 300, 1),
      at('2024-06-04', '09:00', 105),
    ]);
    expect(view(levels)).toEqual({ found: true, high: 120, low: 100, from: '2024-06-03' });
  });

  it('1h on an early close: the 12:00 bar counts, the 13:00 bar does not', () => {
    const levels = track('1h', [
      at('2024-11-29', '12:00', 110, 100),
      at('2024-11-29', '13:00', 300, 1),
      at('2024-12-02', '10:00', 105),
    ]);
    expect(view(levels)).toEqual({ found: true, high: 110, low: 100, from: '2024-11-29' });
  });

  it('1d bars are UTC days; a whole bar on a trading day is that session; holidays and weekends are not', () => {
    const day = (d: number, m: number, high: number, low: number): Tick => ({ ts: Date.UTC(2024, m, d), high, low });
    const levels = track('1d', [
      day(27, 2, 108, 98),
      day(28, 2, 110, 100), // Thursday
      day(29, 2, 300, 1), // Good Friday: closed, ignored
      day(30, 2, 300, 1), // Saturday
    ]);
    expect(levels.date).toBe('2024-03-30');
    levels.update(Date.UTC(2024, 3, 1), 105, 101); // Monday 04-01
    expect(view(levels)).toEqual({ found: true, high: 110, low: 100, from: '2024-03-28' });
    levels.update(Date.UTC(2024, 3, 2), 105, 101);
    expect(view(levels)).toEqual({ found: true, high: 105, low: 101, from: '2024-04-01' });
  });

  it('1d: a missing daily bar of a trading day leaves no levels', () => {
    const levels = track('1d', [
      { ts: Date.UTC(2024, 5, 3), high: 110, low: 100 },
      { ts: Date.UTC(2024, 5, 5), high: 105, low: 101 },
    ]);
    expect(view(levels)).toEqual(none);
  });

  it('ignores a bar older than the current day instead of rolling back', () => {
    const levels = track('5m', [
      at('2024-06-03', '10:00', 110, 100),
      at('2024-06-04', '10:00', 105),
      at('2024-06-03', '11:00', 300, 1),
    ]);
    expect(levels.date).toBe('2024-06-04');
    expect(view(levels)).toEqual({ found: true, high: 110, low: 100, from: '2024-06-03' });
  });
});

type Expected = { readonly found: boolean; readonly high: number; readonly low: number };

/** The obvious implementation (calendar lookups on every bar): the expected levels after each bar. */
function referenceLevels(timeframe: Timeframe, ticks: readonly Tick[]): Expected[] {
  const sessions = new Map<string, { high: number; low: number }>();
  return ticks.map((t) => {
    const date =
      timeframe === '1d' ? DateTime.fromMillis(t.ts, { zone: 'utc' }).toFormat('yyyy-MM-dd') : sessionDateOf(t.ts);
    const bounds = sessionBounds(date);
    const inSession =
      timeframe === '1d'
        ? isTradingDay(date)
        : bounds !== undefined && t.ts < bounds.close && t.ts + TIMEFRAME_MS[timeframe] > bounds.open;
    if (inSession) {
      const s = sessions.get(date) ?? { high: -Infinity, low: Infinity };
      sessions.set(date, { high: Math.max(s.high, t.high), low: Math.min(s.low, t.low) });
    }
    const previous = sessions.get(previousTradingDay(date));
    return previous === undefined
      ? { found: false, high: Number.NaN, low: Number.NaN }
      : { found: true, high: previous.high, low: previous.low };
  });
}

const timeframeArb = fc.constantFrom<Timeframe>('1m', '5m', '15m', '1h', '1d');

/** Time-ordered bars from 2024-03-01 00:00 New York over holidays, DST changes and gaps of all sizes. */
const ticksArb = (timeframe: Timeframe): fc.Arbitrary<Tick[]> =>
  fc
    .array(
      fc.record({
        skip: fc.oneof(
          fc.constant(1),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: Math.ceil((3 * 86_400_000) / TIMEFRAME_MS[timeframe]) }),
        ),
        mid: fc.integer({ min: 90, max: 110 }),
        spread: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 1, maxLength: 150, size: 'max' },
    )
    .chain((steps) =>
      fc.integer({ min: 0, max: 280 }).map((startDay) => {
        let ts = Date.UTC(2024, 2, 1, 5) + startDay * 86_400_000;
        if (timeframe === '1d') ts = Math.floor(ts / 86_400_000) * 86_400_000;
        return steps.map(({ skip, mid, spread }) => {
          ts += skip * TIMEFRAME_MS[timeframe];
          return { ts, high: mid + spread, low: mid - spread };
        });
      }),
    );

describe('PreviousSessionLevels: property', () => {
  it('after every bar, equals the obvious per-bar calendar implementation', () => {
    fc.assert(
      fc.property(
        timeframeArb.chain((tf) => ticksArb(tf).map((ticks) => [tf, ticks] as const)),
        ([timeframe, ticks]) => {
          const levels = new PreviousSessionLevels(timeframe);
          const actual = ticks.map((t) => {
            levels.update(t.ts, t.high, t.low);
            return { found: levels.found, high: levels.high, low: levels.low };
          });
          expect(actual).toEqual(referenceLevels(timeframe, ticks));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('finds levels on this input space (the property above is not vacuous)', () => {
    let found = 0;
    let missing = 0;
    fc.assert(
      fc.property(
        timeframeArb.chain((tf) => ticksArb(tf).map((ticks) => [tf, ticks] as const)),
        ([timeframe, ticks]) => {
          if (track(timeframe, ticks).found) found++;
          else missing++;
        },
      ),
      { numRuns: 150, seed: 7 },
    );
    expect(found).toBeGreaterThan(10);
    expect(missing).toBeGreaterThan(10);
  });
});
