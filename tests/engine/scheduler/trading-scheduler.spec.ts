import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from '../../../engine/config.js';
import { DomainError } from '../../../engine/errors.js';
import type { EngineEvent, SchedulerTick } from '../../../engine/messages/engine-event.js';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';
import { TradingScheduler } from '../../../engine/scheduler/trading-scheduler.js';
import { T0, bar, fill, scored } from '../../support/factories.js';

const make = (
  over: Partial<typeof DEFAULT_ENGINE_CONFIG.scheduler> = {},
  marketOpen = true,
  connected = false,
  statsChanged?: () => void,
) => {
  const clock = {
    t: 1_000_000,
    now() {
      return this.t;
    },
  };
  const scheduler = new EventTimeScheduler(T0);
  const published: EngineEvent[] = [];
  const s = new TradingScheduler({
    config: { ...DEFAULT_ENGINE_CONFIG.scheduler, ...over },
    scheduler,
    clock,
    isMarketOpen: () => marketOpen,
    brokerConnected: () => connected,
    ibkrConnected: () => false,
    openPositions: () => 2,
    publish: (e) => published.push(e),
    initialStats: undefined,
    ...(statsChanged ? { statsChanged } : {}),
  });
  const ticks = () =>
    published
      .filter((e): e is SchedulerTick => e.kind === 'scheduler.tick')
      .map((e) => `${e.loop}@${(e.ts - T0) / 1000}`);
  return { s, scheduler, clock, published, ticks };
};

describe('TradingScheduler', () => {
  it('runs the evaluation loop every interval and the exit loop every exit interval while running', () => {
    const { s, scheduler, ticks } = make({ positionSyncEnabled: false });
    s.start();
    scheduler.advanceTo(T0 + 120_000);
    expect(ticks()).toEqual([
      'exit_check@30',
      'evaluate@60',
      'exit_check@60',
      'exit_check@90',
      'evaluate@120',
      'exit_check@120',
    ]);
    expect(s.stats.evaluations_run).toBe(2);
    expect(s.stats.last_evaluation).toBe(T0 + 120_000);
  });

  it('keeps exit checks and stops new evaluations while paused; stop ends all loops', () => {
    const { s, scheduler, ticks } = make({ positionSyncEnabled: false });
    s.start();
    s.pause();
    scheduler.advanceTo(T0 + 60_000);
    expect(ticks()).toEqual(['exit_check@30', 'exit_check@60']);
    s.resume();
    scheduler.advanceTo(T0 + 120_000);
    expect(ticks()).toContain('evaluate@120');
    s.stop();
    const before = ticks().length;
    scheduler.advanceTo(T0 + 600_000);
    expect(ticks()).toHaveLength(before);
    expect(s.status().state).toBe('stopped');
  });

  it('publishes no tick outside market hours when market_hours_only, and says can_run false', () => {
    const { s, scheduler, ticks } = make({}, false);
    s.start();
    scheduler.advanceTo(T0 + 300_000);
    expect(ticks().filter((t) => !t.startsWith('position_sync'))).toEqual([]);
    expect(s.status()).toMatchObject({ can_run: false, is_market_hours: false });
  });

  it('requires the broker connection when configured', () => {
    const { s } = make({ requireBrokerConnection: true }, true, false);
    expect(s.canRun()).toBe(false);
    expect(make({ requireBrokerConnection: true }, true, true).s.canRun()).toBe(true);
  });

  it.each([
    ['pause', 'stopped'],
    ['resume', 'stopped'],
    ['resume', 'running'],
  ] as const)('refuses to %s while %s with a conflict', (action, state) => {
    const { s } = make();
    if (state === 'running') s.start();
    expect(() => s[action]()).toThrowError(DomainError);
    expect(s.state).toBe(state);
  });

  it('start and stop are idempotent and publish each state change once', () => {
    const { s, published } = make();
    s.start();
    s.start();
    s.stop();
    s.stop();
    expect(
      published
        .filter((e) => e.kind === 'scheduler.state_changed')
        .map((e) => e.kind === 'scheduler.state_changed' && e.state),
    ).toEqual(['running', 'stopped']);
  });

  it('says when the counters change, and hands out values that later events do not change', () => {
    let changes = 0;
    const { s, scheduler } = make({ positionSyncEnabled: false }, true, false, () => changes++);
    const before = s.stats;
    s.observe(scored().signal);
    s.observe({ ...scored().signal, side: 'HOLD', action: 'none' }); // not counted
    s.observe(bar('AAPL', 1, 100)); // not counted
    expect(changes).toBe(1);
    const after = s.stats;
    expect(s.stats).toBe(after); // one copy per change, however often it is read
    s.start();
    scheduler.advanceTo(T0 + 60_000);
    expect(changes).toBe(2); // the evaluation
    expect(before.signals_generated).toBe(0);
    expect(after).toMatchObject({ signals_generated: 1, evaluations_run: 0 });
    expect(s.stats).toMatchObject({ signals_generated: 1, evaluations_run: 1, last_evaluation: T0 + 60_000 });
  });

  it('counts signals, executed and rejected trades and errors from events, and reports the seed status shape', () => {
    const { s, clock } = make();
    s.start();
    clock.t += 90_000;
    s.observe(scored().signal);
    s.observe({ ...scored().signal, side: 'HOLD', action: 'none' });
    s.observe(fill('a', 'BUY', 1, 100, { ts: T0 + 5 }));
    s.observe({ kind: 'risk.rejected', ts: T0, symbol: 'AAPL', signal: scored(), rule: 'x', reason: 'y' });
    s.observe({ kind: 'actor.halted', ts: T0, symbol: 'AAPL', error: 'boom' });
    s.observe(bar('AAPL', 1, 100));
    const status = s.status();
    expect(status.stats).toMatchObject({
      signals_generated: 1,
      trades_executed: 1,
      trades_rejected: 1,
      errors: 1,
      last_trade: T0 + 5,
      uptime_seconds: 90,
      monitored_positions: 2,
    });
    expect(Object.keys(status).sort()).toEqual(
      ['can_run', 'config', 'ibkr_connected', 'is_market_hours', 'market_time', 'state', 'stats'].sort(),
    );
    expect(status.config).toMatchObject({ evaluation_interval: 60, exit_check_interval: 30, min_confidence: 0.5 });
  });

  it('stays in error after a failure: start refuses, stop leaves it, no loop runs', () => {
    const { s, scheduler, ticks } = make();
    s.start();
    s.fail();
    expect(() => s.start()).toThrowError(/restart the process/);
    s.stop();
    expect(s.state).toBe('error');
    scheduler.advanceTo(T0 + 600_000);
    expect(ticks()).toEqual([]);
    expect(s.canRun()).toBe(false);
  });

  it('starts from persisted counters', () => {
    const scheduler = new EventTimeScheduler(T0);
    const s = new TradingScheduler({
      config: DEFAULT_ENGINE_CONFIG.scheduler,
      scheduler,
      clock: { now: () => 0 },
      isMarketOpen: () => true,
      brokerConnected: () => false,
      ibkrConnected: () => false,
      openPositions: () => 0,
      publish: () => undefined,
      initialStats: {
        evaluations_run: 7,
        signals_generated: 3,
        trades_executed: 2,
        trades_rejected: 1,
        errors: 0,
        last_evaluation: 5,
        last_trade: 4,
      },
    });
    expect(s.status().stats.evaluations_run).toBe(7);
  });
});
