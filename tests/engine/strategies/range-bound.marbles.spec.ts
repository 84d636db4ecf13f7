import { map } from 'rxjs';
import { marbles } from 'rxjs-marbles';
import { describe, it } from 'vitest';
import { barEndTs } from '../../../engine/messages/market.js';
import type { Signal } from '../../../engine/messages/signal.js';
import { rangeBoundStrategy } from '../../../engine/strategies/range-bound.strategy.js';
import { strategySignals } from '../../../engine/strategies/strategy.operator.js';
import { long, nyBar, rbConfig } from './range-bound-fixtures.js';

const config = rbConfig({ volume_confirmation: false });

/** Monday's one-bar session sets PDL 100 / PDH 110 for Tuesday. */
const a = nyBar('2024-06-03', '09:30', { close: 105, high: 110, low: 100 });
/** Tuesday, mid-range: nothing. */
const b = nyBar('2024-06-04', '09:30', { close: 105 });
/** Tuesday at PDL: a BUY. */
const c = nyBar('2024-06-04', '09:35', { close: 100.05 });
/** Tuesday near PDH: a long's target exit. */
const d = nyBar('2024-06-04', '09:40', { close: 109.9 });

const brief = (s: Signal) => ({
  side: s.side,
  action: s.action,
  exitReason: s.exitReason,
  ts: s.ts,
  stopLoss: s.stopLoss,
  takeProfit: s.takeProfit,
});

describe('strategySignals(rangeBoundStrategy)', () => {
  it(
    'emits the BUY on the frame of the bar at PDL, nothing for HOLDs, and completes with the source',
    marbles((m) => {
      const out = m.cold('a-b-c-d|', { a, b, c, d }).pipe(strategySignals(rangeBoundStrategy, config), map(brief));
      m.expect(out).toBeObservable('----x--|', {
        x: {
          side: 'BUY',
          action: 'enter',
          exitReason: undefined,
          ts: barEndTs(c),
          stopLoss: 100 * (1 - 0.005),
          takeProfit: 110,
        },
      });
    }),
  );

  it(
    'exits a long held from the entry on at the PDH target',
    marbles((m) => {
      const position = (ts: number) =>
        ts > barEndTs(c) ? long(100.05, { stopLoss: 99.5, takeProfit: 110 }) : undefined;
      const out = m
        .cold('a-b-c-d|', { a, b, c, d })
        .pipe(strategySignals(rangeBoundStrategy, config, { position }), map(brief));
      m.expect(out).toBeObservable('----x-y|', {
        x: {
          side: 'BUY',
          action: 'enter',
          exitReason: undefined,
          ts: barEndTs(c),
          stopLoss: 99.5,
          takeProfit: 110,
        },
        y: { side: 'SELL', action: 'exit', exitReason: 'target', ts: barEndTs(d), stopLoss: 99.5, takeProfit: 110 },
      });
    }),
  );

  it(
    'passes a source error on after the signals before it',
    marbles((m) => {
      const boom = new Error('feed lost');
      const out = m.cold('a-c-#', { a, c }, boom).pipe(
        strategySignals(rangeBoundStrategy, config),
        map((s) => s.side),
      );
      m.expect(out).toBeObservable('--x-#', { x: 'BUY' }, boom);
    }),
  );

  it(
    'turns a bar the strategy cannot place in time into an error (no silent skip)',
    marbles((m) => {
      const broken = { ...b, ts: Number.POSITIVE_INFINITY };
      const out = m.cold('a-x-c|', { a, x: broken, c }).pipe(strategySignals(rangeBoundStrategy, config));
      const error = new RangeError('Invalid timestamp Infinity: expected finite epoch milliseconds');
      m.expect(out).toBeObservable('--#', undefined, error);
    }),
  );
});
