import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryPacer, IBKR_HISTORY_PACING, type PacedRequest } from '../../../adapters/ibkr/history-pacer.js';

const req = (identity: string, contractKey = 'AAPL|SMART|TRADES', weight = 1): PacedRequest => ({
  identity,
  contractKey,
  weight,
});

/** Send `r` as early as the pacer allows, starting at `from`; returns the send time. */
const sendAsap = (pacer: HistoryPacer, r: PacedRequest, from: number): number => {
  const at = pacer.earliest(r, from);
  if (at === undefined) throw new Error('blocked by in-flight');
  pacer.record(r, at);
  pacer.settle();
  return at;
};

/** Checks IBKR's rules (TWS API "Historical Data Limitations") on a log of sends. */
const violations = (log: readonly { at: number; r: PacedRequest }[]): string[] => {
  const problems: string[] = [];
  log.forEach((a, i) => {
    const before = log.slice(0, i);
    if (before.some((b) => b.r.identity === a.r.identity && a.at - b.at < 15_000))
      problems.push(`identical within 15 s at ${a.at}`);
    const sameContract = log.filter((b) => b.r.contractKey === a.r.contractKey && b.at <= a.at && a.at - b.at <= 2_000);
    if (sameContract.length >= 6) problems.push(`6 for one contract within 2 s at ${a.at}`);
    const weight = log.filter((b) => b.at <= a.at && a.at - b.at <= 600_000).reduce((n, b) => n + b.r.weight, 0);
    if (weight > 60) problems.push(`${weight} in 10 min at ${a.at}`);
  });
  return problems;
};

describe('HistoryPacer', () => {
  it('holds an identical request until 15 s after the first', () => {
    const pacer = new HistoryPacer();
    expect(sendAsap(pacer, req('q1'), 0)).toBe(0);
    expect(pacer.earliest(req('q1'), 1_000)).toBe(15_000);
    expect(pacer.earliest(req('q2'), 1_000)).toBe(1_000);
  });

  it('allows 5 requests per contract in 2 s and holds the 6th until the first leaves the window', () => {
    const pacer = new HistoryPacer();
    const times = [0, 10, 20, 30, 40].map((t, i) => sendAsap(pacer, req(`q${i}`), t));
    expect(times).toEqual([0, 10, 20, 30, 40]);
    expect(pacer.earliest(req('q5'), 50)).toBe(2_001);
    expect(pacer.earliest(req('other', 'MSFT|SMART|TRADES'), 50)).toBe(50);
  });

  it('allows 60 requests in 10 minutes, counting BID_ASK twice', () => {
    const pacer = new HistoryPacer();
    for (let i = 0; i < 58; i += 1) sendAsap(pacer, req(`q${i}`, `C${i}`), i * 10);
    expect(pacer.earliest(req('bidask', 'X|SMART|BID_ASK', 2), 1_000)).toBe(1_000);
    sendAsap(pacer, req('bidask', 'X|SMART|BID_ASK', 2), 1_000);
    // 60 weight used: the next waits until the first send (at 0) is more than 10 minutes old.
    expect(pacer.earliest(req('late', 'Y'), 1_010)).toBe(600_001);
  });

  it('waits for answers when maxInFlight requests are open', () => {
    const pacer = new HistoryPacer({ ...IBKR_HISTORY_PACING, maxInFlight: 2 });
    pacer.record(req('a', 'A'), 0);
    pacer.record(req('b', 'B'), 0);
    expect(pacer.earliest(req('c', 'C'), 0)).toBeUndefined();
    pacer.settle();
    expect(pacer.open).toBe(1);
    expect(pacer.earliest(req('c', 'C'), 0)).toBe(0);
  });

  it('refuses settings that are not whole numbers >= 1 and records out of order', () => {
    expect(() => new HistoryPacer({ ...IBKR_HISTORY_PACING, perContractMax: 0 })).toThrow(/perContractMax/);
    const pacer = new HistoryPacer();
    pacer.record(req('a'), 100);
    expect(() => pacer.record(req('b'), 50)).toThrow(/before the last send/);
  });

  it('never breaks a rule however a burst is composed', () => {
    const request = fc.record({
      contract: fc.constantFrom('AAPL', 'MSFT', 'SPY'),
      variant: fc.integer({ min: 0, max: 3 }),
      bidAsk: fc.boolean(),
      at: fc.integer({ min: 0, max: 20_000 }),
    });
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 90 }), (burst) => {
        const pacer = new HistoryPacer();
        const log: { at: number; r: PacedRequest }[] = [];
        let clock = 0;
        for (const b of [...burst].sort((x, y) => x.at - y.at)) {
          const kind = b.bidAsk ? 'BID_ASK' : 'TRADES';
          const r = req(`${b.contract}|${b.variant}|${kind}`, `${b.contract}|SMART|${kind}`, b.bidAsk ? 2 : 1);
          clock = sendAsap(pacer, r, Math.max(clock, b.at));
          log.push({ at: clock, r });
        }
        expect(violations(log)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
