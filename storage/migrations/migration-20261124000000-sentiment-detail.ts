import { Migration } from '@mikro-orm/migrations';

/**
 * Sentiment readings get the figures behind their score (`detail`, JSON) and become unique per
 * source, symbol and source time, so a poll that sees the same publication again stores nothing new.
 * Earlier versions never wrote this table, so the unique index cannot meet duplicates.
 */
export class Migration20261124000000SentimentDetail extends Migration {
  override up(): void {
    this.addSql('alter table `sentiment_readings` add column `detail` json null;');
    this.addSql(
      'create unique index `sentiment_readings_source_symbol_source_ts_unique` on `sentiment_readings` (`source`, `symbol`, `source_ts`);',
    );
  }
}
