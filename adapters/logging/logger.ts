import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

const SECRET_KEYS = ['password', 'token', 'apiToken', 'api_token', 'secret', 'authorization', 'cookie'];

/** The keys at the top level and up to three objects deep (e.g. `req.headers.authorization`). */
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

/**
 * The app's logger: JSON lines on stdout (or `destination`, for tests), with any property that looks
 * like a secret (password, token, authorization and cookie headers) replaced by '***' wherever it
 * appears, so a secret that reaches a log call by accident still never reaches the log.
 */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '***' } };
  return destination ? pino(options, destination) : pino(options);
}
