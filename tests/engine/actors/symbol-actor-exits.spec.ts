import { marbles } from 'rxjs-marbles';
import { map } from 'rxjs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { symbolActors } from '../../../engine/actors/actors.operator.js';
import {
  type ActorEmission,
  type ActorInput,
  type StrategyLookup,
  type SymbolActorState,
  createSymbolActor,
  reduceSymbolActor,
  restartSymbolActor,
} from '../../../engine/actors/symbol-actor.js';
import type { Position } from '../../../engine/messages/account.js';
import type { ExitStateChanged } from '../../../engine/messages/engine-event.js';
import type { Signal } from '../../../engine/messages/signal.js';
import { type ExitConfig, ExitConfigSchema } from '../../../engine/risk/exit-config.js';
import { type ExitState, lockedExitState } from '../../../engine/risk/exit-state.js';
import type { BaseStrategyConfig, StrategyDefinition } from '../../../engine/strategies/strategy.js';
import { T0, bar, position } from '../../support/factories.js';

const MIN = 60_000;
/** T0 is 09:30 ET on 2026-11-02 (EST): the session closes 390 minutes later. */
const CLOSE = T0 + 390 * MIN;

/**
 * A strategy that, while it holds a position, signals the exit named by its last close: a close of
 * 1xx.5 exits on `target` (at the position's take-profit), a close below 90 exits on `stop`.
 */
const exiter: StrategyDefinition<BaseStrategyConfig, { last: number }> = {
  type: 'exiter',
  description: 'test strategy',
  configSchema: z.object({ symbol: z.string(), timeframe: z.enum(['1m', '5m', '15m', '1h', '1d']) }),
  init: () => ({ last: 0 }),
  onBar: (_s, b) => ({ last: b.close }),
  evaluate: (s, config, ctx) => {
    const p = ctx.position;
    if (p === undefined) return undefined;
    const exitReason = s.last < 90 ? 'stop' : 'target';
    return {
      kind: 'signal.generated',
      ts: ctx.ts,
      strategyId: ctx.strategyId,
      strategyType: 'exiter',
      symbol: config.symbol,
      timeframe: config.timeframe,
      side: 'SELL',
      action: 'exit',
      confidence: 1,
      price: s.last,
      entry: s.last,
      stopLoss: p.stopLoss ?? 0,
      takeProfit: p.takeProfit ?? s.last,
      reason: `${exitReason}: strategy`,
      indicators: {},
      exitReason,
    };
  },
  warmupBars: () => 0,
};
const lookup: StrategyLookup = { get: (t) => (t === 'exiter' ? (exiter as never) : undefined) };

const exits = (over: Record<string, unknown> = {}): ExitConfig => ExitConfigSchema.parse(over);
const NO_LADDER = exits({ ladder: [] });

const held = (quantity: number, avg: number, over: Partial<Position> = {}): ActorInput => ({
  kind: 'position.updated',
  ts: T0,
  symbol: 'AAPL',
  position: position('AAPL', quantity, avg, { strategyId: 'exiter_AAPL', ...over }),
  unrealizedPnl: 0,
});
const check = (minute: number): ActorInput => ({ kind: 'exit.check', ts: T0 + minute * MIN, symbol: 'AAPL' });
const exitLoop = (ts: number): ActorInput => ({ kind: 'scheduler.tick', ts, loop: 'exit_check' });
const evaluation = (minute: number): ActorInput => ({
  kind: 'scheduler.tick',
  ts: T0 + minute * MIN,
  loop: 'evaluate',
});
const closeAt = (minute: number, close: number): ActorInput => bar('AAPL', minute, close);

const withStrategy = (): SymbolActorState => {
  const state = createSymbolActor('AAPL');
  reduceSymbolActor(
    state,
    {
      kind: 'strategy.changed',
      ts: T0,
      change: 'added',
      strategy: {
        id: 'exiter_AAPL',
        strategyType: 'exiter',
        symbol: 'AAPL',
        timeframe: '1m',
        config: { symbol: 'AAPL', timeframe: '1m' },
        enabled: true,
        createdTs: 0,
        updatedTs: 0,
      },
    },
    lookup,
  );
  return state;
};

const feed = (state: SymbolActorState, inputs: readonly ActorInput[], config: ExitConfig): ActorEmission[] =>
  inputs.flatMap((input) => [...reduceSymbolActor(state, input, lookup, config)]);
const signals = (out: readonly ActorEmission[]): Signal[] =>
  out.filter((o): o is Signal => o.kind === 'signal.generated');
const stateEvents = (out: readonly ActorEmission[]): ExitStateChanged[] =>
  out.filter((o): o is ExitStateChanged => o.kind === 'exit.state_changed');

describe('the symbol actor runs the exit rules on bar checks and exit-loop ticks', () => {
  it.each([
    // name, position, config, inputs, exit reason, level indicator
    [
      'stop',
      held(100, 100, { stopLoss: 98 }),
      NO_LADDER,
      [closeAt(1, 99), check(1), closeAt(2, 97.9), check(2)],
      'stop',
      98,
    ],
    [
      'trailing_stop',
      held(100, 100),
      exits({ trailing_stop_pct: 0.05, ladder: [] }),
      [closeAt(1, 104), check(1), closeAt(2, 110), check(2), closeAt(3, 104.6), check(3), closeAt(4, 104.5), check(4)],
      'trailing_stop',
      104.5,
    ],
    [
      'flatten',
      held(100, 100),
      exits({ flatten_before_close_minutes: 15, ladder: [] }),
      [closeAt(370, 101), exitLoop(CLOSE - 16 * MIN), exitLoop(CLOSE - 15 * MIN)],
      'flatten',
      undefined,
    ],
    [
      'time',
      held(100, 100),
      exits({ max_holding_minutes: 60, ladder: [] }),
      [closeAt(30, 101), exitLoop(T0 + 59 * MIN), exitLoop(T0 + 60 * MIN)],
      'time',
      undefined,
    ],
    // A target below the ladder's first step (+5 %) is a full exit.
    [
      'target',
      held(100, 100, { takeProfit: 103 }),
      exits(),
      [closeAt(1, 102.9), check(1), closeAt(2, 103), check(2)],
      'target',
      103,
    ],
  ] as const)(
    '%s: a full exit, level-triggered, after the state it changed',
    (_name, pos, config, inputs, reason, level) => {
      const state = withStrategy();
      feed(state, [pos], config);
      const out = feed(state, inputs, config);
      const exitsOut = signals(out);
      expect(exitsOut).toHaveLength(1);
      const exit = exitsOut[0] as Signal;
      expect(exit).toMatchObject({
        action: 'exit',
        side: 'SELL',
        exitReason: reason,
        confidence: 1,
        strategyId: 'exiter_AAPL',
        strategyType: 'exiter',
        symbol: 'AAPL',
      });
      expect(exit.exitQuantity).toBeUndefined(); // the whole position
      if (level === undefined) expect(exit.indicators['level']).toBeUndefined();
      else expect(exit.indicators['level']).toBeCloseTo(level, 9);
      expect(exit.indicators['exit_quantity']).toBe(100);
      // The state was created on the first check and is emitted before any signal.
      expect(out[0]?.kind).toBe('exit.state_changed');
      expect(state.exit?.firedSteps).toEqual([]);
    },
  );

  it('ladder: sells 25 %, then 50 % of the rest, then the rest, each step once, with its quantity on the signal', () => {
    const state = withStrategy();
    const config = exits();
    feed(state, [held(100, 100)], config);

    const first = feed(state, [closeAt(1, 105), check(1), check(1)], config);
    expect(first.map((o) => o.kind)).toEqual(['exit.state_changed', 'signal.generated']);
    expect(stateEvents(first)[0]?.state).toMatchObject({
      firedSteps: [0],
      awaitingFill: { steps: [0], quantityBefore: 100, expectedQuantity: 75 },
    });
    expect(signals(first)[0]).toMatchObject({ exitReason: 'ladder', exitQuantity: 25, indicators: { ladder_step: 1 } });

    // Still at +5 % and waiting for the fill: nothing more.
    expect(signals(feed(state, [closeAt(2, 106), check(2)], config))).toEqual([]);
    feed(state, [held(75, 100)], config);
    const second = feed(state, [closeAt(3, 110), check(3)], config);
    expect(signals(second)[0]).toMatchObject({ exitReason: 'ladder', exitQuantity: 37 });
    feed(state, [held(38, 100)], config);
    const third = signals(feed(state, [closeAt(4, 120), check(4)], config))[0];
    expect(third).toMatchObject({ exitReason: 'ladder', side: 'SELL', indicators: { exit_quantity: 38 } });
    expect(third?.exitQuantity).toBeUndefined(); // the last step sells everything left
    expect(state.exit?.firedSteps).toEqual([0, 1, 2]);
    // The position is closed: its exit state goes, and that is emitted for persistence.
    const closed = feed(state, [held(0, 0)], config);
    expect(closed).toEqual([{ kind: 'exit.state_changed', ts: T0, symbol: 'AAPL', state: null }]);
    expect(state.exit).toBeUndefined();
  });

  it('hands a take-profit within the ladder (momentum +5 %) to the ladder, on the exit rules and in the strategy', () => {
    const state = withStrategy();
    const config = exits();
    feed(state, [held(100, 100, { takeProfit: 105, stopLoss: 80 })], config);
    // The strategy's own `target` exit (close 105.5 >= 105) is dropped: the ladder sells a quarter.
    const out = feed(state, [closeAt(1, 105.5), evaluation(2), check(1)], config);
    expect(signals(out).map((s) => [s.exitReason, s.exitQuantity])).toEqual([['ladder', 25]]);
    // The strategy's other exits still go through (and sell everything).
    const stop = signals(feed(state, [closeAt(2, 85), evaluation(3)], config));
    expect(stop.map((s) => [s.exitReason, s.exitQuantity])).toEqual([['stop', undefined]]);
  });

  it('with the ladder off, the same target is a full exit again, from the strategy and the exit rules', () => {
    const state = withStrategy();
    feed(state, [held(100, 100, { takeProfit: 105 })], NO_LADDER);
    const out = signals(feed(state, [closeAt(1, 105.5), evaluation(2), check(1)], NO_LADDER));
    expect(out.map((s) => [s.strategyType, s.exitReason, s.exitQuantity])).toEqual([
      ['exiter', 'target', undefined],
      ['exiter', 'target', undefined],
    ]);
  });

  it('a fail-closed (locked) state refuses every ladder step; the take-profit is a full exit again', () => {
    const p = position('AAPL', 100, 100, { takeProfit: 105, strategyId: 'exiter_AAPL' });
    const state = createSymbolActor('AAPL', lockedExitState(p));
    const config = exits();
    feed(state, [held(100, 100, { takeProfit: 105 })], config);
    expect(signals(feed(state, [closeAt(1, 104.9), check(1)], config))).toEqual([]);
    const out = signals(feed(state, [closeAt(2, 106), check(2)], config));
    expect(out.map((s) => [s.exitReason, s.exitQuantity])).toEqual([['target', undefined]]);
  });

  it('checks nothing without a position or before the first price, and emits nothing when nothing changed', () => {
    const state = withStrategy();
    expect(feed(state, [check(0), exitLoop(T0)], exits())).toEqual([]);
    feed(state, [held(100, 100)], exits());
    expect(feed(state, [exitLoop(T0 + MIN)], exits())).toEqual([]);
    expect(feed(state, [closeAt(1, 100), check(1)], exits()).map((o) => o.kind)).toEqual(['exit.state_changed']);
    // Same price, same state object: nothing to persist, nothing to send.
    expect(feed(state, [check(2), exitLoop(T0 + 2 * MIN)], exits())).toEqual([]);
    // A bar alone never checks exits (the graph sends `exit.check` when the exit loop may run).
    expect(feed(state, [closeAt(3, 50)], exits())).toEqual([]);
  });

  it('a supervisor restart keeps the fired steps', () => {
    const state = withStrategy();
    feed(state, [held(100, 100), closeAt(1, 105), check(1)], exits());
    const fresh = restartSymbolActor(state, lookup);
    expect(fresh.exit).toBe(state.exit);
    expect(fresh.exit?.firedSteps).toEqual([0]);
  });
});

describe('symbolActors with restored exit states', () => {
  const restored: ExitState = {
    version: 1,
    symbol: 'AAPL',
    openedTs: T0,
    direction: 'long',
    originalQuantity: 100,
    extremePrice: 106,
    firedSteps: [0],
    awaitingFill: null,
  };
  const describeOut = map((o: { kind: string; exitReason?: string; exitQuantity?: number; state?: unknown }) =>
    o.kind === 'signal.generated' ? `${o.exitReason ?? ''}:${o.exitQuantity ?? 'all'}` : o.kind,
  );

  it(
    'seeds the restored state into the new actor: a fired step is not sold again, the next one is',
    marbles((m) => {
      const input = m.cold('a-(bc)-(de)|', {
        a: held(75, 100),
        b: closeAt(1, 107),
        c: check(1), // +7 %: step 1 fired before the restart, step 2 not reached
        d: closeAt(2, 110),
        e: check(2), // +10 %: step 2 sells half of the 75 held
      });
      const restoredStates = new Map([['AAPL', restored]]);
      m.expect(
        input.pipe(symbolActors(lookup, 3, new Map(), { config: exits(), restored: restoredStates }), describeOut),
      ).toBeObservable('--x----(yz)|', { x: 'exit.state_changed', y: 'exit.state_changed', z: 'ladder:37' });
    }),
  );
});
