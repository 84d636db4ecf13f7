const ACCEPTED_FORMS =
  'sqlite:///./relative/path.db, sqlite:./relative/path.db, sqlite:////absolute/path.db, ' +
  'sqlite:///:memory:, sqlite::memory:, :memory:';

export const MEMORY = ':memory:';

const invalid = (url: string, why: string): Error =>
  new Error(`DATABASE_URL ${JSON.stringify(url)} is invalid: ${why}. Accepted forms: ${ACCEPTED_FORMS}`);

/** The part after the scheme, or undefined when the URL is not a SQLite URL of an accepted shape. */
const pathPart = (url: string): string | undefined => {
  if (url === MEMORY) return MEMORY;
  if (url.startsWith('sqlite:///')) return url.slice('sqlite:///'.length);
  if (url.startsWith('sqlite://')) return undefined;
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  return undefined;
};

/**
 * Turns `DATABASE_URL` into what the SQLite driver opens: a filesystem path (relative paths stay relative
 * to the working directory) or `:memory:`. As in SQLAlchemy, `sqlite:///x` is the relative path `x` and
 * `sqlite:////x` the absolute path `/x`. Anything else (other schemes, a host part, query strings, an
 * empty path or a directory) throws an Error naming DATABASE_URL and the accepted forms.
 */
export const parseDatabaseUrl = (url: string): string => {
  const trimmed = url.trim();
  const path = pathPart(trimmed);
  if (path === undefined) return fail(trimmed, 'only sqlite URLs are supported');
  if (path === '') return fail(trimmed, 'the database path is empty');
  if (path === MEMORY) return MEMORY;
  if (/[?#]/.test(path)) return fail(trimmed, 'query strings and fragments are not supported');
  if (/(^|\/)(\.{1,2})?$/.test(path)) return fail(trimmed, 'the path names a directory, not a file');
  return path;
};

const fail = (url: string, why: string): never => {
  throw invalid(url, why);
};
