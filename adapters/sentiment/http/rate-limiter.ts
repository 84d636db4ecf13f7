/** Requests allowed per host: `requests` per `perMs` milliseconds, with bursts up to `requests`. */
export interface HostLimit {
  readonly requests: number;
  readonly perMs: number;
}

/** A host's limiter as the status endpoint shows it. */
export interface HostLimitState {
  readonly host: string;
  readonly limit: HostLimit;
  /** Requests that could go now without waiting. */
  readonly available: number;
  /** Requests waiting for a token. */
  readonly queued: number;
  /** Set after a 429 whose Retry-After we would not wait for: no request to the host before then. */
  readonly pausedUntil: number | null;
}

export interface RateLimiterOptions {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** For hosts no provider declared. */
  readonly defaultLimit?: HostLimit;
}

interface Bucket {
  limit: HostLimit;
  tokens: number;
  refilledAt: number;
  pausedUntil: number;
  /** The tail of this host's queue: each acquire waits for the one before it (FIFO, no busy loop). */
  tail: Promise<void>;
  queued: number;
}

export const DEFAULT_HOST_LIMIT: HostLimit = { requests: 5, perMs: 1000 };

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Token buckets keyed by host, shared by every provider, so two providers on one API (Finnhub's
 * analyst ratings and earnings, EDGAR's Form 4 and submissions) share that API's budget. The
 * strictest declared limit for a host wins.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly defaultLimit: HostLimit;

  constructor(options: RateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.defaultLimit = options.defaultLimit ?? DEFAULT_HOST_LIMIT;
  }

  /** Declares a host's limit; a second, stricter declaration replaces a looser one. */
  declare(host: string, limit: HostLimit): void {
    if (!(limit.requests >= 1) || !(limit.perMs > 0)) throw new Error(`invalid rate limit for ${host}`);
    const bucket = this.buckets.get(host);
    if (!bucket) {
      this.buckets.set(host, this.newBucket(limit));
      return;
    }
    if (limit.requests / limit.perMs < bucket.limit.requests / bucket.limit.perMs) {
      bucket.limit = limit;
      bucket.tokens = Math.min(bucket.tokens, limit.requests);
    }
  }

  /** Resolves when a request to `host` may go. Waits in FIFO order behind earlier requests. */
  acquire(host: string): Promise<void> {
    const bucket = this.bucket(host);
    bucket.queued++;
    const turn = bucket.tail.then(() => this.take(bucket));
    bucket.tail = turn.catch(() => undefined);
    return turn.finally(() => {
      bucket.queued--;
    });
  }

  /** No request to `host` before `until` (epoch ms); a later pause extends an earlier one. */
  pause(host: string, until: number): void {
    const bucket = this.bucket(host);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, until);
  }

  /** Epoch ms until which the host is paused, or null. */
  pausedUntil(host: string): number | null {
    const b = this.buckets.get(host);
    return b !== undefined && b.pausedUntil > this.now() ? b.pausedUntil : null;
  }

  state(host: string): HostLimitState {
    const b = this.bucket(host);
    this.refill(b);
    return {
      host,
      limit: b.limit,
      available: Math.floor(b.tokens),
      queued: b.queued,
      pausedUntil: b.pausedUntil > this.now() ? b.pausedUntil : null,
    };
  }

  hosts(): readonly string[] {
    return [...this.buckets.keys()];
  }

  private newBucket(limit: HostLimit): Bucket {
    return {
      limit,
      tokens: limit.requests,
      refilledAt: this.now(),
      pausedUntil: 0,
      tail: Promise.resolve(),
      queued: 0,
    };
  }

  private bucket(host: string): Bucket {
    let b = this.buckets.get(host);
    if (!b) {
      b = this.newBucket(this.defaultLimit);
      this.buckets.set(host, b);
    }
    return b;
  }

  private refill(b: Bucket): void {
    const now = this.now();
    const elapsed = Math.max(0, now - b.refilledAt);
    b.tokens = Math.min(b.limit.requests, b.tokens + (elapsed * b.limit.requests) / b.limit.perMs);
    b.refilledAt = now;
  }

  private async take(b: Bucket): Promise<void> {
    for (;;) {
      const pause = b.pausedUntil - this.now();
      if (pause > 0) {
        await this.sleep(pause);
        continue;
      }
      this.refill(b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - b.tokens) * b.limit.perMs) / b.limit.requests));
    }
  }
}
