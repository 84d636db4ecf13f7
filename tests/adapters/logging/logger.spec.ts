import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../adapters/logging/logger.js';

function capture(level: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(line) });
  return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes JSON records at or above its level', () => {
    const { logger, records } = capture('info');
    logger.debug('hidden');
    logger.info({ symbol: 'SPY' }, 'shown');
    expect(records()).toEqual([expect.objectContaining({ level: 30, msg: 'shown', symbol: 'SPY' })]);
  });

  it('redacts secret-looking fields wherever they are nested', () => {
    const { logger, records } = capture('info');
    logger.info(
      {
        password: 'p1',
        req: { headers: { authorization: 'Bearer t0k', cookie: 'sid=1', host: 'localhost' } },
        config: { api: { token: 't2', port: 8000 }, ibkr: { password: 'p3' } },
        apiToken: 't4',
      },
      'with secrets',
    );
    const [record] = records();
    expect(record).toMatchObject({
      password: '***',
      req: { headers: { authorization: '***', cookie: '***', host: 'localhost' } },
      config: { api: { token: '***', port: 8000 }, ibkr: { password: '***' } },
      apiToken: '***',
    });
    expect(JSON.stringify(record)).not.toMatch(/p1|t0k|sid=1|t2|p3|t4/);
  });

  it('logs nothing when silent', () => {
    const { logger, records } = capture('silent');
    logger.fatal('nope');
    expect(records()).toEqual([]);
  });
});
