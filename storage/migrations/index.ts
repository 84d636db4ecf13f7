import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20250601000000Initial } from './migration-20250601000000-initial.js';
import { Migration20261124000000SentimentDetail } from './migration-20261124000000-sentiment-detail.js';

/**
 * Every migration, oldest first, registered explicitly (no file globbing) so the same list runs under
 * tsx, vitest and compiled `dist/`. Append new migrations; never rename or reorder applied ones.
 */
export const MIGRATIONS: readonly { readonly name: string; readonly class: Constructor<Migration> }[] = [
  { name: 'Migration20250601000000Initial', class: Migration20250601000000Initial },
  { name: 'Migration20261124000000SentimentDetail', class: Migration20261124000000SentimentDetail },
];
