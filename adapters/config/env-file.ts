import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment the app is configured from: the `.env` file in `cwd` (when there is one) with the
 * real environment laid over it, as `process.loadEnvFile` would do but without mutating
 * `process.env`. A variable present in the real environment wins even when empty (and empty means
 * unset to `loadConfig`), so `API_TOKEN= npm start` really clears a token kept in `.env`.
 * A `.env` that exists but cannot be read is a ConfigError rather than being silently skipped.
 */
export function readEnv(cwd: string = process.cwd(), realEnv: Env = process.env): Record<string, string | undefined> {
  return { ...readEnvFile(join(cwd, '.env')), ...realEnv };
}

function readEnvFile(path: string): Record<string, string | undefined> {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([{ variable: '.env', message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
  return parseEnv(content);
}
