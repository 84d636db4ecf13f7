import { describe, expect, it } from 'vitest';
import {
  type ConnectionInput,
  type ConnectionState,
  DEFAULT_BACKOFF,
  INITIAL_CONNECTION,
  backoffDelay,
  publicConnectionState,
  stepConnection,
} from '../../../adapters/ibkr/connection-machine.js';

/** Run inputs from the initial state; returns every step's public state and effects. */
const run = (inputs: readonly ConnectionInput[], from: ConnectionState = INITIAL_CONNECTION) => {
  let state = from;
  const trace: { public: string; effects: string[] }[] = [];
  for (const input of inputs) {
    const step = stepConnection(state, input);
    state = step.state;
    trace.push({
      public: publicConnectionState(state),
      effects: step.effects.map((e) =>
        e.kind === 'open_session'
          ? `open#${e.epoch}`
          : e.kind === 'schedule_retry'
            ? `retry ${e.delayMs}`
            : e.kind === 'reconcile'
              ? `reconcile ${e.reason}`
              : e.kind,
      ),
    });
  }
  return { state, trace };
};

const notice = (code: number, text = ''): ConnectionInput => ({ kind: 'notice', code, text });
const up: ConnectionInput[] = [{ kind: 'connect' }, { kind: 'opened', epoch: 1 }, { kind: 'synced', epoch: 1 }];

describe('connection state machine', () => {
  it('connects: connecting while the handshake and the first reconciliation run, then connected', () => {
    const { trace } = run(up);
    expect(trace).toEqual([
      { public: 'connecting', effects: ['open#1'] },
      { public: 'connecting', effects: ['reconcile connect'] },
      { public: 'connected', effects: [] },
    ]);
  });

  it('retries a refused connection with exponential backoff and the same session numbering', () => {
    const { trace, state } = run([
      { kind: 'connect' },
      { kind: 'open_failed', epoch: 1, code: 502, text: 'ECONNREFUSED' },
      { kind: 'retry_due' },
      { kind: 'open_failed', epoch: 2, code: 502, text: 'ECONNREFUSED' },
      { kind: 'retry_due' },
      { kind: 'opened', epoch: 3 },
      { kind: 'synced', epoch: 3 },
    ]);
    expect(trace.map((t) => t.effects)).toEqual([
      ['open#1'],
      ['retry 1000'],
      ['open#2'],
      ['retry 2000'],
      ['open#3'],
      ['reconcile reconnect'],
      [],
    ]);
    expect(state.attempt).toBe(0);
    expect(state.lastError).toEqual({ code: 502, text: 'ECONNREFUSED' });
  });

  it('waits at least clientIdInUseMs after 326 (the client id never changes here)', () => {
    const { trace } = run([
      notice(326, 'client id is already in use'),
      { kind: 'connect' },
      { kind: 'open_failed', epoch: 1, code: 326, text: 'in use' },
    ]);
    expect(trace[2]?.effects).toEqual([`retry ${DEFAULT_BACKOFF.clientIdInUseMs}`]);
  });

  it('reconnects after the socket drops and reconciles again', () => {
    const { trace } = run([
      ...up,
      { kind: 'closed', epoch: 1, reason: 'reset' },
      { kind: 'retry_due' },
      { kind: 'opened', epoch: 2 },
    ]);
    expect(trace.slice(3)).toEqual([
      { public: 'connecting', effects: ['retry 1000'] },
      { public: 'connecting', effects: ['open#2'] },
      { public: 'connecting', effects: ['reconcile reconnect'] },
    ]);
  });

  it('ignores inputs of an older session', () => {
    const { state, trace } = run([...up, { kind: 'closed', epoch: 0, reason: 'old' }, { kind: 'opened', epoch: 0 }]);
    expect(trace.slice(3).map((t) => t.effects)).toEqual([[], []]);
    expect(state.phase).toBe('ready');
  });

  it('stays down after disconnect: no retry, retry_due ignored', () => {
    const { trace } = run([
      ...up,
      { kind: 'disconnect' },
      { kind: 'closed', epoch: 1, reason: 'x' },
      { kind: 'retry_due' },
    ]);
    expect(trace.slice(3)).toEqual([
      { public: 'disconnected', effects: ['close_session'] },
      { public: 'disconnected', effects: [] },
      { public: 'disconnected', effects: [] },
    ]);
  });

  it('disconnect during backoff cancels the retry; connect during backoff connects at once', () => {
    const failed: ConnectionInput[] = [{ kind: 'connect' }, { kind: 'open_failed', epoch: 1, code: 502, text: 'x' }];
    expect(run([...failed, { kind: 'disconnect' }]).trace[2]?.effects).toEqual(['cancel_retry']);
    expect(run([...failed, { kind: 'connect' }]).trace[2]?.effects).toEqual(['cancel_retry', 'open#2']);
  });

  it.each<[string, ConnectionInput[], string, string[]]>([
    ['1100 lost: no orders until restored', [notice(1100)], 'connecting', []],
    ['2110 broken: same as 1100', [notice(2110)], 'connecting', []],
    [
      '1101 restored, data lost: resubscribe and reconcile',
      [notice(1100), notice(1101)],
      'connected',
      ['resubscribe_market_data', 'reconcile restored (1101): data lost'],
    ],
    ['1102 restored, data kept: reconcile', [notice(1100), notice(1102)], 'connected', ['reconcile restored (1102)']],
    [
      '2103 farm broken: degraded, not a disconnect',
      [notice(2103, 'Market data farm connection is broken:usfarm')],
      'degraded',
      [],
    ],
    [
      '2104 for the same farm: connected again',
      [
        notice(2103, 'Market data farm connection is broken:usfarm'),
        notice(2104, 'Market data farm connection is OK:usfarm'),
      ],
      'connected',
      [],
    ],
    [
      '2104 for another farm: still degraded',
      [
        notice(2105, 'HMDS data farm connection is broken:ushmds'),
        notice(2104, 'Market data farm connection is OK:usfarm'),
      ],
      'degraded',
      [],
    ],
    [
      '2104/2106/2158 alone: information',
      [notice(2104, 'x:usfarm'), notice(2106, 'x:ushmds'), notice(2158, 'x:secdefnj')],
      'connected',
      [],
    ],
  ])('%s', (_name, notices, expectedState, lastEffects) => {
    const { trace } = run([...up, ...notices]);
    const last = trace[trace.length - 1];
    expect(last?.public).toBe(expectedState);
    expect(last?.effects).toEqual(lastEffects);
  });

  it('a new session starts with no broken farms and IBKR not lost', () => {
    const { state } = run([
      ...up,
      notice(2103, 'broken:usfarm'),
      notice(1100),
      { kind: 'closed', epoch: 1, reason: 'x' },
      { kind: 'retry_due' },
    ]);
    expect(state.brokenFarms).toEqual([]);
    expect(state.upstreamLost).toBe(false);
  });

  it('backoff is capped', () => {
    expect([0, 1, 2, 5, 6, 10].map((a) => backoffDelay(DEFAULT_BACKOFF, a))).toEqual([
      1_000, 2_000, 4_000, 32_000, 60_000, 60_000,
    ]);
  });
});
