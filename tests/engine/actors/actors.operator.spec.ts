import { marbles } from 'rxjs-marbles';
import { map } from 'rxjs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { superviseStep, symbolActors } from '../../../engine/actors/actors.operator.js';
import { type ActorInput, createSymbolActor, type StrategyLookup } from '../../../engine/actors/symbol-actor.js';
import type { StrategyChanged } from '../../../engine/messages/engine-event.js';
import type { StrategyRecord } from '../../../engine/messages/strategy.js';
import type { BaseStrategyConfig, StrategyDefinition } from '../../../engine/strategies/strategy.js';
import { T0, bar, position } from '../../support/factories.js';

/** A tiny strategy for exercising the actor: BUY when the close is above 100, throws on a close of 666. */
const probe: StrategyDefinition<BaseStrategyConfig, { last: number; bars: number }> = {
  type: 'probe',
  description: 'test strategy',
  configSchema: z.object({ symbol: z.string(), timeframe: z.enum(['1m', '5m', '15m', '1h', '1d']) }),
  init: () => ({ last: 0, bars: 0 }),
  onBar: (s, b) => {
    if (b.close === 666) throw new Error('strategy bug');
    s.last = b.close;
    s.bars += 1;
    return s;
  },
  evaluate: (s, config, ctx) => ({
    kind: 'signal.generated',
    ts: ctx.ts,
    strategyId: ctx.strategyId,
    strategyType: 'probe',
    symbol: config.symbol,
    timeframe: config.timeframe,
    side: s.last > 100 ? 'BUY' : 'HOLD',
    action: s.last > 100 ? 'enter' : 'none',
    confidence: 0.9,
    price: s.last,
    entry: s.last,
    stopLoss: s.last * 0.98,
    takeProfit: s.last * 1.05,
    reason: `bars=${s.bars}`,
    indicators: { bars: s.bars },
  }),
  warmupBars: () => 0,
};
const lookup: StrategyLookup = { get: (t) => (t === 'probe' ? (probe as never) : undefined) };

const record = (symbol: string, timeframe: '1m' | '5m' = '1m', enabled = true): StrategyRecord => ({
  id: `probe_${symbol}`,
  strategyType: 'probe',
  symbol,
  timeframe,
  config: { symbol, timeframe },
  enabled,
  createdTs: 0,
  updatedTs: 0,
});
const added = (r: StrategyRecord): StrategyChanged => ({
  kind: 'strategy.changed',
  ts: T0,
  change: 'added',
  strategy: r,
});
/** Scheduler ticks go to every actor; the symbol only documents which actor the case watches. */
const tick = (_symbol: string, minute: number, loop: 'evaluate' | 'exit_check' = 'evaluate'): ActorInput => ({
  kind: 'scheduler.tick',
  ts: T0 + minute * 60_000,
  loop,
});

const describeOut = map((o: { kind: string; symbol: string; reason?: string; exitReason?: string }) =>
  o.kind === 'signal.generated' ? `${o.symbol}:${o.exitReason ?? o.reason ?? ''}` : `${o.symbol}:${o.kind}`,
);

describe('symbol actors', () => {
  it(
    'decide once per completed bar of the strategy timeframe, per symbol',
    marbles((m) => {
      const input = m.cold('a-b-c-d-e-f|', {
        a: added(record('AAPL')),
        b: bar('AAPL', 0, 101),
        c: tick('AAPL', 1),
        d: tick('AAPL', 2), // no new bar since the last decision: nothing
        e: bar('AAPL', 1, 99),
        f: tick('AAPL', 3),
      });
      m.expect(input.pipe(symbolActors(lookup, 3), describeOut)).toBeObservable('----x------|', {
        x: 'AAPL:bars=1',
      });
    }),
  );

  it(
    'signal an entry when its setup appears, not again while it lasts, and again once it re-forms',
    marbles((m) => {
      const input = m.cold('a-(bc)-(de)-(fg)-(hi)|', {
        a: added(record('AAPL')),
        b: bar('AAPL', 0, 101),
        c: tick('AAPL', 1), // setup appears: BUY
        d: bar('AAPL', 1, 102),
        e: tick('AAPL', 2), // same setup still there: not repeated
        f: bar('AAPL', 2, 99),
        g: tick('AAPL', 3), // setup gone: re-armed
        h: bar('AAPL', 3, 103),
        i: tick('AAPL', 4), // setup formed again: BUY
      });
      m.expect(input.pipe(symbolActors(lookup, 3), describeOut)).toBeObservable('--x' + '-'.repeat(14) + 'y---|', {
        x: 'AAPL:bars=1',
        y: 'AAPL:bars=4',
      });
    }),
  );

  it(
    'builds the strategy timeframe from 1-minute bars',
    marbles((m) => {
      const input = m.cold('a-(bcdef)-g-(hi)|', {
        a: added(record('AAPL', '5m')),
        b: bar('AAPL', 0, 101),
        c: bar('AAPL', 1, 101),
        d: bar('AAPL', 2, 101),
        e: bar('AAPL', 3, 101),
        f: tick('AAPL', 4), // the 5-minute bar is not complete yet
        g: bar('AAPL', 4, 103),
        h: tick('AAPL', 5),
        i: tick('AAPL', 5),
      });
      m.expect(input.pipe(symbolActors(lookup, 3), describeOut)).toBeObservable('------------x---|', {
        x: 'AAPL:bars=1',
      });
    }),
  );

  it(
    'builds the strategy timeframe from trade ticks',
    marbles((m) => {
      const trade = (second: number, price: number): ActorInput => ({
        kind: 'tick',
        symbol: 'AAPL',
        ts: T0 + second * 1000,
        price,
        size: 100,
      });
      const input = m.cold('a-(bcd)-e-(fg)|', {
        a: added(record('AAPL')),
        b: trade(0, 101),
        c: trade(30, 103),
        d: tick('AAPL', 1), // the first minute has no later trade yet: not complete
        e: trade(61, 102), // a trade in the next minute completes the first
        f: tick('AAPL', 2),
        g: tick('AAPL', 2), // already decided on that bar
      });
      m.expect(input.pipe(symbolActors(lookup, 3), describeOut)).toBeObservable('----------x---|', {
        x: 'AAPL:bars=1',
      });
    }),
  );

  it(
    'check held positions against their protective levels on the exit loop, publishing the exit state first',
    marbles((m) => {
      const held = position('AAPL', 10, 100, { stopLoss: 95, takeProfit: 110, strategyId: 'probe_AAPL' });
      const input = m.cold('a-b-c-d-e-f|', {
        a: added(record('AAPL')),
        b: { kind: 'position.updated' as const, ts: T0, symbol: 'AAPL', position: held, unrealizedPnl: 0 },
        c: bar('AAPL', 0, 96), // above the stop: no exit
        d: tick('AAPL', 1, 'exit_check'),
        e: bar('AAPL', 1, 94),
        f: tick('AAPL', 2, 'exit_check'),
      });
      m.expect(input.pipe(symbolActors(lookup, 3), describeOut)).toBeObservable('------w---x|', {
        w: 'AAPL:exit.state_changed',
        x: 'AAPL:stop',
      });
    }),
  );

  it(
    'restart a throwing actor, then halt it after the restart budget, while other symbols carry on',
    marbles((m) => {
      const input = m.cold('a-b-c-d-e-f-g|', {
        a: added(record('AAPL')),
        b: added(record('MSFT')),
        c: bar('AAPL', 0, 666),
        d: bar('AAPL', 1, 666),
        e: bar('AAPL', 2, 666),
        f: bar('MSFT', 0, 150),
        g: tick('MSFT', 1),
      });
      m.expect(input.pipe(symbolActors(lookup, 1), describeOut)).toBeObservable('----x-y-----z|', {
        x: 'AAPL:actor.restarted',
        y: 'AAPL:actor.halted',
        z: 'MSFT:bars=1',
      });
    }),
  );
});

describe('superviseStep', () => {
  it('ignores input once halted', () => {
    const acc = { state: createSymbolActor('AAPL'), restarts: 3, halted: true, out: [] };
    expect(superviseStep(acc, bar('AAPL', 0, 100), lookup, 3).out).toEqual([]);
  });

  it('restarts with fresh strategy state but keeps the position it knew', () => {
    const acc = { state: createSymbolActor('AAPL'), restarts: 0, halted: false, out: [] };
    superviseStep(acc, added(record('AAPL')), lookup, 3);
    superviseStep(
      acc,
      { kind: 'position.updated', ts: T0, symbol: 'AAPL', position: position('AAPL', 5, 100), unrealizedPnl: 0 },
      lookup,
      3,
    );
    const next = superviseStep(acc, bar('AAPL', 0, 666), lookup, 3);
    expect(next.out[0]).toMatchObject({ kind: 'actor.restarted', attempt: 1, error: 'strategy bug' });
    expect(next.state.position?.quantity).toBe(5);
    expect(next.state.slots.get('probe_AAPL')?.lastBarTs).toBeUndefined();
  });
});
