import type { MikroORM } from '@mikro-orm/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../storage/migrations/index.js';
import { openOrm } from '../../storage/orm.js';

const EXPECTED_TABLES = [
  'accounts',
  'day_trades',
  'engine_values',
  'fills',
  'mikro_orm_migrations',
  'order_events',
  'orders',
  'positions',
  'risk_state',
  'scheduler_stats',
  'sentiment_readings',
  'settlements',
  'signals',
  'strategies',
];

describe('migrations and entities', () => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close(true);
    orm = undefined;
  });

  it('builds a fresh :memory: database from empty by running every migration', async () => {
    orm = await openOrm(':memory:');
    const tables = await orm.em
      .getConnection()
      .execute<{ name: string }[]>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'");
    expect(tables.map((t) => t.name).sort()).toEqual(EXPECTED_TABLES);
    const applied = await orm.getMigrator().getExecutedMigrations();
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
  });

  it('leaves no difference between the migrated schema and the entities', async () => {
    orm = await openOrm(':memory:');
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
  });

  it('notices drift (the check above can fail)', async () => {
    orm = await openOrm(':memory:');
    await orm.em.getConnection().execute('drop index `positions_open_symbol_unique`');
    await orm.em.getConnection().execute('alter table `signals` drop column `decision_reason`');
    const diff = await orm.schema.getUpdateSchemaSQL();
    expect(diff).toContain('positions_open_symbol_unique');
    expect(diff).toContain('decision_reason');
  });

  it('allows at most one open position row per symbol', async () => {
    const migrated = await openOrm(':memory:');
    orm = migrated;
    const insert = (closedTs: number | null) =>
      migrated.em
        .getConnection()
        .execute(
          'insert into positions (symbol, quantity, avg_price, last_price, realized_pnl, commissions, strategy_id, opened_ts, closed_ts, updated_ts) values (?, 1, 1, 1, 0, 0, ?, 1, ?, 1)',
          ['AAPL', 's', closedTs],
        );
    await insert(5);
    await insert(6);
    await insert(null);
    await expect(insert(null)).rejects.toThrow(/UNIQUE/);
  });
});
