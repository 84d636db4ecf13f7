import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/sqlite';
import { ALL_ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { MEMORY } from './database-url.js';

/** Pragmas for a file database: durable commits (WAL + FULL), enforced foreign keys, wait on locks. */
const FILE_PRAGMAS =
  'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;';
const MEMORY_PRAGMAS = 'PRAGMA foreign_keys = ON;';

interface ExecConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

/** Runs the pragmas on every connection the pool opens, so they hold even if a connection is replaced. */
const applyPragmas =
  (sql: string) =>
  (connection: ExecConnection, done: (error: Error | null, connection: ExecConnection) => void): void =>
    connection.exec(sql, (error) => done(error, connection));

/** The MikroORM configuration for a SQLite database at `dbPath` (a path or `:memory:`). */
const ormOptions = (dbPath: string): Options => ({
  dbName: dbPath,
  entities: [...ALL_ENTITIES],
  extensions: [Migrator],
  debug: false,
  strict: true,
  validate: true,
  ensureDatabase: false,
  metadataCache: { enabled: false },
  discovery: { disableDynamicFileAccess: true, warnWhenNoEntities: false },
  pool: { min: 1, max: 1, afterCreate: applyPragmas(dbPath === MEMORY ? MEMORY_PRAGMAS : FILE_PRAGMAS) },
  migrations: {
    migrationsList: [...MIGRATIONS],
    snapshot: false,
    silent: true,
    transactional: true,
    allOrNothing: true,
    disableForeignKeys: false,
  },
});

/**
 * Opens the database and brings its schema up to date by running every pending migration (a fresh
 * database is built from empty this way). One pooled connection: SQLite has one writer anyway, and a
 * `:memory:` database lives only as long as its connection.
 */
export const openOrm = async (dbPath: string): Promise<MikroORM> => {
  const orm = await MikroORM.init(ormOptions(dbPath));
  try {
    await orm.getMigrator().up();
    return orm;
  } catch (error) {
    await orm.close(true);
    throw error;
  }
};
