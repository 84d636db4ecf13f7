import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderPlaced } from '../../engine/messages/order.js';
import { openOrm } from '../../storage/orm.js';
import { openStore, type SqliteStore } from '../../storage/sqlite-store.js';
import {
  T0,
  account,
  accountUpdated,
  fill,
  intent,
  position,
  positionUpdated,
  run,
  strategy,
} from './store-fixtures.js';

const placed = (id: string): OrderPlaced => ({
  kind: 'order.placed',
  ts: T0 + 1,
  order: intent({ clientOrderId: id }),
});

describe('SqliteStore on a file database', () => {
  let dir: string;
  const opened: SqliteStore[] = [];
  const open = async (url: string): Promise<SqliteStore> => {
    const store = await openStore({ url });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'store-spec-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('makes an order intent visible to a second connection as soon as saveOrderIntent completes', async () => {
    const url = `sqlite:///${dir}/trading.db`;
    const writer = await open(url);
    const reader = await open(url);
    await run(writer.saveOrderIntent(intent()));
    const { openOrders } = await run(reader.load());
    expect(openOrders.map((o) => [o.intent.clientOrderId, o.status])).toEqual([['c-1', 'created']]);
  });

  it('creates the parent directory and uses WAL journaling with full sync', async () => {
    const path = join(dir, 'nested', 'deeper', 'trading.db');
    const store = await open(`sqlite:${path}`);
    expect(store.path).toBe(path);
    expect(await readdir(join(dir, 'nested', 'deeper'))).toContain('trading.db');
    const orm = await openOrm(path);
    try {
      const conn = orm.em.getConnection();
      expect(await conn.execute('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await conn.execute('pragma synchronous')).toEqual([{ synchronous: 2 }]);
      expect(await conn.execute('pragma foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    } finally {
      await orm.close(true);
    }
  });

  it('brings strategies, positions, open orders, stats and values back after close and reopen', async () => {
    const url = `sqlite:///${dir}/data/trading.db`;
    const first = await open(url);
    const stats = {
      evaluations_run: 12,
      signals_generated: 4,
      trades_executed: 2,
      trades_rejected: 1,
      errors: 0,
      last_evaluation: T0 + 5,
      last_trade: T0 + 3,
    };
    const held = position({ symbol: 'MSFT', quantity: 7, avgPrice: 410 });
    await run(first.saveStrategy(strategy()));
    await run(first.saveStrategy(strategy({ id: 'rsi_MSFT', symbol: 'MSFT', enabled: false, createdTs: T0 + 1 })));
    await run(first.saveOrderIntent(intent({ clientOrderId: 'open-1' })));
    await run(first.saveOrderIntent(intent({ clientOrderId: 'done-1' })));
    await run(
      first.append([
        placed('open-1'),
        placed('done-1'),
        fill('order.filled', 'e-1', 10, 190, 10, { clientOrderId: 'done-1' }),
        positionUpdated(position()),
        positionUpdated(held),
        positionUpdated(position({ quantity: 0, realizedPnl: 30, updatedTs: T0 + 9_000 }), T0 + 9_000),
        accountUpdated(account({ cash: 90_000, realizedPnl: 30 })),
      ]),
    );
    await run(first.saveStats(stats));
    await run(first.saveValue('market.cursor', { index: 321 }));
    const before = await run(first.load());
    await first.close();

    const second = await open(url);
    const after = await run(second.load());
    expect(after).toStrictEqual(before);
    expect(after.strategies.map((s) => [s.id, s.enabled])).toEqual([
      ['ema_AAPL', true],
      ['rsi_MSFT', false],
    ]);
    expect(after.account).toStrictEqual(account({ cash: 90_000, realizedPnl: 30, positions: { MSFT: held } }));
    expect(after.openOrders.map((o) => [o.intent, o.status])).toStrictEqual([
      [intent({ clientOrderId: 'open-1' }), 'submitted'],
    ]);
    expect(after.stats).toStrictEqual(stats);
    expect(after.values).toStrictEqual({ 'market.cursor': { index: 321 } });
  });

  it('refuses a bad DATABASE_URL without creating anything', async () => {
    await expect(openStore({ url: `postgres://${dir}/x` })).rejects.toThrow(/DATABASE_URL/);
    await expect(openStore({ url: `sqlite:///${dir}/sub/` })).rejects.toThrow(/DATABASE_URL/);
    expect(await readdir(dir)).toEqual([]);
  });
});
