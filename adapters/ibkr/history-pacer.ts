/**
 * IBKR's historical-data pacing rules (TWS API "Historical Data Limitations"): no identical request
 * within 15 s, fewer than 6 requests for the same contract, exchange and tick type within 2 s, at
 * most 60 requests in any 10 minutes (BID_ASK requests count twice), at most 50 open at once.
 */
export interface HistoryPacingRules {
  readonly identicalGapMs: number;
  readonly perContractWindowMs: number;
  /** Most requests per contract key inside `perContractWindowMs` (IBKR: fewer than 6). */
  readonly perContractMax: number;
  readonly windowMs: number;
  /** Most request weight inside `windowMs`. */
  readonly windowMax: number;
  /** Most requests sent and not yet answered. */
  readonly maxInFlight: number;
}

export const IBKR_HISTORY_PACING: HistoryPacingRules = {
  identicalGapMs: 15_000,
  perContractWindowMs: 2_000,
  perContractMax: 5,
  windowMs: 600_000,
  windowMax: 60,
  maxInFlight: 50,
};

/**
 * The rules with a margin for transit time: IBKR measures at its end, and a request delayed on the
 * wire (Nagle, a busy gateway) arrives closer to the next one than it was sent. The adapter's default.
 */
export const SAFE_HISTORY_PACING: HistoryPacingRules = {
  identicalGapMs: 16_000,
  perContractWindowMs: 2_500,
  perContractMax: 5,
  windowMs: 605_000,
  windowMax: 60,
  maxInFlight: 50,
};

/** What the rules look at in a request. */
export interface PacedRequest {
  /** Everything that makes two requests identical (contract, end, duration, bar size, what to show, RTH). */
  readonly identity: string;
  /** Contract + exchange + what-to-show. */
  readonly contractKey: string;
  /** 2 for BID_ASK, else 1. */
  readonly weight: number;
}

interface Sent {
  readonly at: number;
  readonly request: PacedRequest;
}

/**
 * Pure bookkeeping of the pacing rules: `earliest` says when a request may go, `record` notes that
 * it went, `settle` that its answer arrived. Holds no timers; the history client drives it with its
 * scheduler. Times are epoch ms from that scheduler.
 */
export class HistoryPacer {
  private readonly sent: Sent[] = [];
  private inFlight = 0;

  constructor(readonly rules: HistoryPacingRules = IBKR_HISTORY_PACING) {
    for (const [name, value] of Object.entries(rules))
      if (!Number.isInteger(value) || value < 1)
        throw new Error(`HistoryPacer: ${name} must be a whole number >= 1, got ${String(value)}`);
  }

  /** Requests sent and not yet settled. */
  get open(): number {
    return this.inFlight;
  }

  /**
   * The earliest time >= now at which `request` may be sent under every time rule, or undefined
   * when only the in-flight cap blocks it (it may go once an answer settles).
   */
  earliest(request: PacedRequest, now: number): number | undefined {
    this.forget(now);
    if (request.weight > this.rules.windowMax)
      throw new Error(`HistoryPacer: weight ${request.weight} exceeds the window budget ${this.rules.windowMax}`);
    let at = now;
    for (const s of this.sent)
      if (s.request.identity === request.identity) at = Math.max(at, s.at + this.rules.identicalGapMs);

    const sameContract = this.sent.filter((s) => s.request.contractKey === request.contractKey).map((s) => s.at);
    at = Math.max(at, this.slotAfter(sameContract, 1, this.rules.perContractMax, this.rules.perContractWindowMs, at));

    const weighted = this.sent.flatMap((s) => Array<number>(s.request.weight).fill(s.at));
    at = Math.max(at, this.slotAfter(weighted, request.weight, this.rules.windowMax, this.rules.windowMs, at));
    if (this.inFlight >= this.rules.maxInFlight) return undefined;
    return at;
  }

  /** Note that `request` was sent at `at` (must not be before the last recorded send). */
  record(request: PacedRequest, at: number): void {
    const last = this.sent[this.sent.length - 1];
    if (last && at < last.at) throw new Error(`HistoryPacer: record at ${at} is before the last send at ${last.at}`);
    this.sent.push({ at, request });
    this.inFlight += 1;
  }

  /** An answer (data or error) arrived for one sent request. */
  settle(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** Forget in-flight requests whose answers can no longer come (the session closed). */
  resetInFlight(): void {
    this.inFlight = 0;
  }

  /**
   * The earliest t >= from such that the sends in the closed window [t - window, t] plus `weight`
   * new ones stay <= max (closed: a send exactly one window earlier still counts). `times` ascend.
   */
  private slotAfter(times: readonly number[], weight: number, max: number, window: number, from: number): number {
    const inWindow = times.filter((t) => t >= from - window);
    const excess = inWindow.length + weight - max;
    if (excess <= 0) return from;
    // The oldest `excess` sends must leave the window: t - window > blocker.
    const blocker = inWindow[excess - 1] as number;
    return blocker + window + 1;
  }

  private forget(now: number): void {
    const horizon = now - Math.max(this.rules.windowMs, this.rules.identicalGapMs, this.rules.perContractWindowMs);
    while (this.sent.length > 0 && (this.sent[0] as Sent).at < horizon) this.sent.shift();
  }
}
