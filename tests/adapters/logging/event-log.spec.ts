import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { logEngineEvents } from '../../../adapters/logging/event-log.js';
import type { EngineEvent } from '../../../engine/messages/engine-event.js';
import { T0, bar, fill, scored } from '../../support/factories.js';

const recording = () => {
  const lines: { level: string; obj: Record<string, unknown>; msg: string | undefined }[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
};

describe('logEngineEvents', () => {
  it('says what the bot does (signals, decisions, fills, failures) with event time, and skips bars', () => {
    const events$ = new Subject<EngineEvent>();
    const { lines, logger } = recording();
    const sub = logEngineEvents(events$, logger);
    events$.next(bar('AAPL', 0, 100));
    events$.next(scored());
    events$.next({
      kind: 'risk.rejected',
      ts: T0,
      symbol: 'AAPL',
      signal: scored(),
      rule: 'size_zero',
      reason: 'too small',
    });
    events$.next(fill('o-1', 'BUY', 10, 100.5));
    events$.next({ kind: 'actor.halted', ts: T0, symbol: 'AAPL', error: 'boom' });
    sub.unsubscribe();
    events$.next(fill('o-2', 'BUY', 1, 1));
    expect(lines.map((l) => l.level)).toEqual(['info', 'info', 'info', 'error']);
    expect(lines[0]?.msg).toContain('signal BUY AAPL (enter)');
    expect(lines[1]?.msg).toContain('size_zero: too small');
    expect(lines[2]?.msg).toBe('filled BUY 10 AAPL @ 100.5 (commission 1)');
    expect(lines[3]?.msg).toContain('halted: boom');
    for (const line of lines) expect(line.obj['at']).toBe(new Date(T0).toISOString());
  });

  it("logs the broker's account figures, and a settled-cash mismatch as a warning", () => {
    const events$ = new Subject<EngineEvent>();
    const { lines, logger } = recording();
    logEngineEvents(events$, logger);
    events$.next({ kind: 'broker.account_reported', ts: T0, dayTradesRemaining: 2, settledCash: null });
    const compared = { kind: 'risk.settled_cash_reconciled', ts: T0, localSettledCash: 10_000 } as const;
    events$.next({ ...compared, brokerSettledCash: 4_000, difference: -6_000, mismatch: true });
    events$.next({ ...compared, brokerSettledCash: 10_000.5, difference: 0.5, mismatch: false });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['info', 'broker account: DayTradesRemaining 2, SettledCash not reported'],
      [
        'warn',
        "settled cash differs from IBKR's by -6000.00 (local 10000.00, IBKR 4000.00); buys use the lower figure",
      ],
      ['info', 'settled cash agrees with IBKR'],
    ]);
    expect(lines[1]?.obj).toMatchObject({ local_settled_cash: 10_000, broker_settled_cash: 4_000, difference: -6_000 });
  });
});
