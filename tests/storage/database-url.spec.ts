import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../storage/database-url.js';

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:///./data/trading.db', './data/trading.db'],
    ['sqlite:///data/trading.db', 'data/trading.db'],
    ['sqlite:./data/trading.db', './data/trading.db'],
    ['sqlite:data/trading.db', 'data/trading.db'],
    ['sqlite:////abs/path.db', '/abs/path.db'],
    ['sqlite:///:memory:', ':memory:'],
    ['sqlite::memory:', ':memory:'],
    [':memory:', ':memory:'],
    ['  sqlite:///./data/trading.db  ', './data/trading.db'],
  ])('%s -> %s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toBe(expected);
  });

  it.each([
    ['empty string', ''],
    ['other scheme', 'postgres://user@localhost/db'],
    ['file scheme', 'file:./data/trading.db'],
    ['bare path', './data/trading.db'],
    ['empty path after three slashes', 'sqlite:///'],
    ['empty path after colon', 'sqlite:'],
    ['host form', 'sqlite://host/trading.db'],
    ['query string', 'sqlite:///./data/trading.db?mode=ro'],
    ['directory', 'sqlite:///./data/'],
    ['dot directory', 'sqlite:.'],
    ['parent directory', 'sqlite:////tmp/..'],
  ])('rejects %s', (_name, url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(/DATABASE_URL.*Accepted forms: sqlite:\/\/\/\.\/relative\/path\.db/);
  });
});
