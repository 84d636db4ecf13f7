import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { ProviderError } from '../../../adapters/sentiment/http/provider-error.js';
import type { ProviderDeps, SentimentProvider } from '../../../adapters/sentiment/provider.js';
import { type FakeHttp, type FakeResponse, startFakeHttp } from '../../support/fake-http.js';

/** A fixture file's text (`tests/fixtures/<folder>/<name>`). */
export const fixtureText = (folder: string, name: string): string =>
  readFileSync(new URL(`../../fixtures/${folder}/${name}`, import.meta.url), 'utf8');

/** A JSON fixture, parsed. */
export const fixture = (folder: string, name: string): object => JSON.parse(fixtureText(folder, name)) as object;

/** A settable clock for `deps.now`. */
export interface Clock {
  now: number;
}

/** Provider deps with a fresh HttpClient tuned for tests (short timeouts, one retry, tiny backoff). */
export const makeDeps = (clock: Clock): ProviderDeps => ({
  http: createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs: 50 }),
  history: { readings: () => Promise.resolve([]) },
  now: () => clock.now,
});

/** The ProviderError a promise rejects with (fails the test when it resolves or rejects otherwise). */
export const rejection = async (promise: Promise<unknown>): Promise<ProviderError> => {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection, got a resolution'),
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
};

/** How to point one provider at a fake server for the shared HTTP failure tests. */
export interface FailureSuite {
  /** Builds the provider against `fake`, with every route but the one under test answering well. */
  readonly start: (fake: FakeHttp, deps: ProviderDeps) => SentimentProvider;
  /** The data route whose failures are tested. */
  readonly method: string;
  readonly path: string;
  readonly symbol: string;
  /** A good answer of that route (yields at least one reading). */
  readonly good: FakeResponse;
  /** A 200 answer whose shape changed (a field renamed). */
  readonly renamed: FakeResponse;
  /** The body the API documents for a 429. */
  readonly rateLimitBody: object;
  /** The body the API documents for a 401 (a generic one by default). */
  readonly unauthorizedBody?: object;
  readonly clockStart: number;
  /** A credential the provider sends: no error message may contain it. */
  readonly secret?: string;
  /** Names the provider in the suite's title when a spec tests more than one (e.g. two APIs). */
  readonly title?: string;
}

/**
 * The failure modes every HTTP provider must classify: 401, 429 with and without a long
 * Retry-After, 500, a hang, malformed JSON and a schema change. Each provider spec runs it against
 * its main data route.
 */
export function describeHttpFailures(suite: FailureSuite): void {
  describe(suite.title === undefined ? 'HTTP failures' : `HTTP failures (${suite.title})`, () => {
    let fake: FakeHttp;
    let deps: ProviderDeps;
    let provider: SentimentProvider;
    const hits = () => fake.requests.filter((r) => r.method === suite.method && r.path === suite.path).length;

    beforeEach(async () => {
      fake = await startFakeHttp();
      deps = makeDeps({ now: suite.clockStart });
      provider = suite.start(fake, deps);
    });
    afterEach(() => fake.close());
    /** The provider's rejection, which never shows the credential. */
    const failed = async (): Promise<ProviderError> => {
      const error = await rejection(provider.fetch(suite.symbol));
      if (suite.secret !== undefined) expect(error.message).not.toContain(suite.secret);
      return error;
    };

    it('401 rejects with auth', async () => {
      fake.on(suite.method, suite.path, { status: 401, body: suite.unauthorizedBody ?? { message: 'Unauthorized' } });
      const error = await failed();
      expect(error.kind).toBe('auth');
      expect(error.details.status).toBe(401);
    });

    it('429 with a long Retry-After rejects with rate_limited and pauses the host', async () => {
      fake.on(suite.method, suite.path, { status: 429, headers: { 'Retry-After': '120' }, body: suite.rateLimitBody });
      const before = Date.now();
      const error = await failed();
      expect(error.kind).toBe('rate_limited');
      expect(error.details.retryAfterMs).toBe(120_000);
      expect(hits()).toBe(1);
      const paused = deps.http.limitState(fake.url).pausedUntil;
      expect(paused).not.toBeNull();
      expect(paused ?? 0).toBeGreaterThanOrEqual(before + 119_000);
    });

    it('429 with a short Retry-After is retried and then succeeds', async () => {
      fake.on(suite.method, suite.path, [
        { status: 429, headers: { 'Retry-After': '0' }, body: suite.rateLimitBody },
        suite.good,
      ]);
      const readings = await provider.fetch(suite.symbol);
      expect(readings.length).toBeGreaterThan(0);
      expect(hits()).toBeGreaterThanOrEqual(2);
    });

    it('500 is retried, then rejects with http', async () => {
      fake.on(suite.method, suite.path, { status: 500, body: 'Internal Server Error' });
      const error = await failed();
      expect(error.kind).toBe('http');
      expect(error.details.status).toBe(500);
      expect(hits()).toBe(2);
    });

    it('a hang rejects with timeout', async () => {
      fake.on(suite.method, suite.path, { hang: true });
      const error = await failed();
      expect(error.kind).toBe('timeout');
    });

    it('malformed JSON rejects with malformed', async () => {
      fake.on(suite.method, suite.path, { status: 200, body: '{"data": [ {"id": ' });
      const error = await failed();
      expect(error.kind).toBe('malformed');
    });

    it('a renamed field rejects with schema', async () => {
      fake.on(suite.method, suite.path, suite.renamed);
      const error = await failed();
      expect(error.kind).toBe('schema');
    });
  });
}

/** Runs `fetch` and expects the config rejection with no request made. */
export const expectConfigRejection = async (
  provider: SentimentProvider,
  fake: FakeHttp,
  symbol: string,
  mentions: string,
): Promise<void> => {
  const availability = provider.availability();
  expect(availability.available).toBe(false);
  if (!availability.available) expect(availability.reason).toContain(mentions);
  const error = await rejection(provider.fetch(symbol));
  expect(error.kind).toBe('config');
  expect(error.message).toContain(mentions);
  expect(fake.requests).toHaveLength(0);
};
