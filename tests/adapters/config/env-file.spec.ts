import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig, readEnv } from '../../../adapters/config/app-config.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-env-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

const ENV_FILE = [
  '# comment line',
  'API_PORT=9001',
  'export LOG_LEVEL=debug',
  'PAPER_SYMBOLS="msft, nvda"  # inline comment',
  "IBKR_PASSWORD='pa ss#word'",
  'SCHEDULER_ENABLED=no',
  '',
].join('\n');

describe('readEnv', () => {
  it('reads the .env file in the given directory', async () => {
    await writeFile(join(dir, '.env'), ENV_FILE);
    const env = readEnv(dir, {});
    expect(env).toEqual({
      API_PORT: '9001',
      LOG_LEVEL: 'debug',
      PAPER_SYMBOLS: 'msft, nvda',
      IBKR_PASSWORD: 'pa ss#word',
      SCHEDULER_ENABLED: 'no',
    });
    const config = loadConfig(env);
    expect(config.api.port).toBe(9001);
    expect(config.paper.symbols).toEqual(['MSFT', 'NVDA']);
    expect(config.scheduler.enabled).toBe(false);
  });

  it('lets the real environment win over the file, even with an empty value', async () => {
    await writeFile(join(dir, '.env'), ENV_FILE);
    const env = readEnv(dir, { API_PORT: '9100', IBKR_PASSWORD: '', OTHER: 'x' });
    expect(env).toMatchObject({ API_PORT: '9100', IBKR_PASSWORD: '', LOG_LEVEL: 'debug', OTHER: 'x' });
    const config = loadConfig(env);
    expect(config.api.port).toBe(9100);
    expect(config.ibkr.password).toBeUndefined();
  });

  it('reads process.env by default without changing it', async () => {
    await writeFile(join(dir, '.env'), 'API_PORT=9001\nSHUTDOWN_TIMEOUT_MS=1234\n');
    vi.stubEnv('API_PORT', '9200');
    const env = readEnv(dir);
    expect(env.API_PORT).toBe('9200');
    expect(env.SHUTDOWN_TIMEOUT_MS).toBe('1234');
    expect(process.env.SHUTDOWN_TIMEOUT_MS).toBeUndefined();
  });

  it('uses only the real environment when there is no .env file', () => {
    expect(readEnv(dir, { API_PORT: '1' })).toEqual({ API_PORT: '1' });
  });

  it('refuses a .env that exists but cannot be read', async () => {
    await mkdir(join(dir, '.env'));
    expect(() => readEnv(dir, {})).toThrow(ConfigError);
  });
});

describe('.env.example', () => {
  const examplePath = join(import.meta.dirname, '../../../.env.example');

  it('lists every variable loadConfig reads', async () => {
    const example = parseEnv(await readFile(examplePath, 'utf8'));
    expect(Object.keys(example).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('documents the defaults: loading it gives the same config as an empty environment', async () => {
    const example = parseEnv(await readFile(examplePath, 'utf8'));
    expect(loadConfig(example)).toEqual(loadConfig({}));
  });
});
