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

/** Variables only docker-compose.yml interpolates (for the IB Gateway container), never the bot. */
const GATEWAY_VARIABLES = ['IBKR_VNC_PASSWORD', 'IBKR_AUTO_RESTART_TIME', 'IBKR_JAVA_HEAP_SIZE'];
/** Read by docker compose itself from .env (`ibkr` starts the gateway service). */
const COMPOSE_VARIABLES = ['COMPOSE_PROFILES'];

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}` in a compose file (`$$` escapes are not variables). */
const interpolations = (text: string): { name: string; fallback: string | undefined }[] =>
  [...text.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*)|:\?[^}]*)?\}/g)].map((m) => ({
    name: m[1] ?? '',
    fallback: m[2],
  }));

describe('.env.example', () => {
  const examplePath = join(import.meta.dirname, '../../../.env.example');
  const composePath = join(import.meta.dirname, '../../../docker-compose.yml');

  it('lists every variable loadConfig reads, and the ones only docker compose reads', async () => {
    const example = parseEnv(await readFile(examplePath, 'utf8'));
    expect(Object.keys(example).sort()).toEqual(
      [...CONFIG_VARIABLES, ...GATEWAY_VARIABLES, ...COMPOSE_VARIABLES].sort(),
    );
  });

  it('documents every variable docker-compose.yml interpolates, with the same defaults', async () => {
    const example = parseEnv(await readFile(examplePath, 'utf8'));
    const used = interpolations(await readFile(composePath, 'utf8'));
    expect(used.map((u) => u.name)).toEqual(expect.arrayContaining(GATEWAY_VARIABLES));
    for (const { name, fallback } of used) {
      expect(Object.keys(example), `${name} is interpolated by docker-compose.yml`).toContain(name);
      if (fallback !== undefined && fallback !== '') expect(example[name], `default of ${name}`).toBe(fallback);
    }
  });

  it('documents the defaults: loading it gives the same config as an empty environment', async () => {
    const example = parseEnv(await readFile(examplePath, 'utf8'));
    expect(loadConfig(example)).toEqual(loadConfig({}));
  });
});
