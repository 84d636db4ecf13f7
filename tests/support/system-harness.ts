import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { IbkrSystem, System } from '../../adapters/system/create-system.js';
import type { FakeGateway } from './fake-gateway/fake-gateway.js';

/** One line the system logged. */
export interface Logged {
  readonly level: string;
  readonly obj: object;
  readonly msg: string;
}

/** What the per-test setup of a whole-system spec holds; read it inside tests, never at import. */
export interface SystemHarness {
  /** A fresh temporary directory per test (removed after it). */
  readonly dir: () => string;
  /** Lines logged in this test. */
  readonly logs: () => readonly Logged[];
  /** A logger that records into `logs`. */
  readonly logger: {
    info: (obj: object, msg?: string) => void;
    warn: (obj: object, msg?: string) => void;
    error: (obj: object, msg?: string) => void;
    debug: () => void;
  };
  /** Systems to stop after the test. */
  readonly running: System[];
  /** The fake gateway of this test, closed (and checked for decode errors) after it. */
  gateway: FakeGateway | undefined;
}

/**
 * Registers the `beforeEach`/`afterEach` every whole-system spec needs: a temporary directory, a
 * recording logger, and teardown of the systems and the fake gateway (which must have decoded every
 * message). Call it once at the top of the spec file.
 */
export const useSystemHarness = (prefix: string): SystemHarness => {
  let dir = '';
  let logs: Logged[] = [];
  const harness: SystemHarness = {
    dir: () => dir,
    logs: () => logs,
    logger: {
      info: (obj, msg = '') => void logs.push({ level: 'info', obj, msg }),
      warn: (obj, msg = '') => void logs.push({ level: 'warn', obj, msg }),
      error: (obj, msg = '') => void logs.push({ level: 'error', obj, msg }),
      debug: () => undefined,
    },
    running: [],
    gateway: undefined,
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    logs = [];
  });
  afterEach(async () => {
    for (const s of harness.running.splice(0)) await s.stop();
    const g = harness.gateway;
    harness.gateway = undefined;
    if (g) {
      await g.close();
      g.assertNoDecodeErrors();
    }
    await rm(dir, { recursive: true, force: true });
  });
  return harness;
};

/** The system as BROKER=ibkr, or a failed test saying what it was instead. */
export const ibkrOf = (system: System): IbkrSystem => {
  if (system.mode !== 'ibkr') throw new Error(`expected BROKER=ibkr, got ${system.mode}`);
  return system;
};
