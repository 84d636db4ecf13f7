import { Migration } from '@mikro-orm/migrations';

/**
 * The initial schema, written by hand so it reads as SQL; `tests/storage/schema-drift.spec.ts` fails
 * when it and the entities disagree. Prices and money are REAL, timestamps epoch-ms INTEGER (event time).
 */
export class Migration20250601000000Initial extends Migration {
  override up(): void {
    for (const statement of INITIAL_SCHEMA) this.addSql(statement);
  }
}

const INITIAL_SCHEMA: readonly string[] = [
  `create table \`accounts\` (
    \`account_id\` text not null,
    \`initial_cash\` real not null,
    \`cash\` real not null,
    \`realized_pnl\` real not null,
    \`commissions\` real not null,
    \`updated_ts\` integer not null,
    primary key (\`account_id\`)
  );`,

  `create table \`strategies\` (
    \`id\` text not null,
    \`strategy_type\` text not null,
    \`symbol\` text not null,
    \`timeframe\` text not null,
    \`config\` json not null,
    \`enabled\` integer not null,
    \`created_ts\` integer not null,
    \`updated_ts\` integer not null,
    primary key (\`id\`)
  );`,

  `create table \`signals\` (
    \`id\` integer not null primary key autoincrement,
    \`strategy_id\` text not null,
    \`strategy_type\` text not null,
    \`symbol\` text not null,
    \`timeframe\` text not null,
    \`ts\` integer not null,
    \`side\` text not null,
    \`action\` text not null,
    \`confidence\` real not null,
    \`final_confidence\` real not null,
    \`price\` real not null,
    \`entry\` real not null,
    \`stop_loss\` real not null,
    \`take_profit\` real not null,
    \`reason\` text not null,
    \`exit_reason\` text null,
    \`indicators\` json not null,
    \`confluence\` json null,
    \`decision\` text null,
    \`rule\` text null,
    \`decision_reason\` text null,
    \`client_order_id\` text null
  );`,
  'create index `signals_strategy_id_ts_index` on `signals` (`strategy_id`, `ts`);',

  `create table \`orders\` (
    \`client_order_id\` text not null,
    \`account_id\` text not null,
    \`symbol\` text not null,
    \`side\` text not null,
    \`quantity\` real not null,
    \`type\` text not null,
    \`limit_price\` real null,
    \`stop_price\` real null,
    \`purpose\` text not null,
    \`strategy_id\` text not null,
    \`reason\` text not null,
    \`stop_loss\` real null,
    \`take_profit\` real null,
    \`status\` text not null,
    \`filled_quantity\` real not null,
    \`avg_fill_price\` real not null,
    \`broker_order_id\` text null,
    \`last_error\` text null,
    \`created_ts\` integer not null,
    \`updated_ts\` integer not null,
    primary key (\`client_order_id\`)
  );`,
  'create index `orders_status_index` on `orders` (`status`);',

  `create table \`order_events\` (
    \`id\` integer not null primary key autoincrement,
    \`client_order_id\` text not null,
    \`ts\` integer not null,
    \`status\` text not null,
    \`detail\` text not null
  );`,
  'create index `order_events_client_order_id_index` on `order_events` (`client_order_id`);',

  `create table \`fills\` (
    \`exec_id\` text not null,
    \`client_order_id\` text not null,
    \`symbol\` text not null,
    \`side\` text not null,
    \`quantity\` real not null,
    \`price\` real not null,
    \`commission\` real not null,
    \`ts\` integer not null,
    primary key (\`exec_id\`)
  );`,
  'create index `fills_client_order_id_index` on `fills` (`client_order_id`);',

  `create table \`positions\` (
    \`id\` integer not null primary key autoincrement,
    \`symbol\` text not null,
    \`quantity\` real not null,
    \`avg_price\` real not null,
    \`last_price\` real not null,
    \`realized_pnl\` real not null,
    \`commissions\` real not null,
    \`strategy_id\` text not null,
    \`stop_loss\` real null,
    \`take_profit\` real null,
    \`opened_ts\` integer not null,
    \`closed_ts\` integer null,
    \`updated_ts\` integer not null
  );`,
  'create index `positions_symbol_index` on `positions` (`symbol`);',
  'create unique index `positions_open_symbol_unique` on `positions` (`symbol`) where `closed_ts` is null;',

  `create table \`scheduler_stats\` (
    \`id\` integer not null,
    \`evaluations_run\` integer not null,
    \`signals_generated\` integer not null,
    \`trades_executed\` integer not null,
    \`trades_rejected\` integer not null,
    \`errors\` integer not null,
    \`last_evaluation\` integer null,
    \`last_trade\` integer null,
    primary key (\`id\`)
  );`,

  `create table \`engine_values\` (
    \`key\` text not null,
    \`value\` json null,
    primary key (\`key\`)
  );`,

  `create table \`day_trades\` (
    \`id\` integer not null primary key autoincrement,
    \`symbol\` text not null,
    \`session_date\` text not null,
    \`opened_ts\` integer not null,
    \`closed_ts\` integer not null,
    \`quantity\` real not null
  );`,
  'create index `day_trades_session_date_index` on `day_trades` (`session_date`);',

  `create table \`settlements\` (
    \`id\` integer not null primary key autoincrement,
    \`trade_ts\` integer not null,
    \`settle_date\` text not null,
    \`amount\` real not null,
    \`kind\` text not null,
    \`settled\` integer not null
  );`,
  'create index `settlements_settle_date_index` on `settlements` (`settle_date`);',

  `create table \`risk_state\` (
    \`key\` text not null,
    \`value\` json null,
    \`updated_ts\` integer not null,
    primary key (\`key\`)
  );`,

  `create table \`sentiment_readings\` (
    \`id\` integer not null primary key autoincrement,
    \`source\` text not null,
    \`symbol\` text not null,
    \`score\` real not null,
    \`confidence\` real not null,
    \`mentions\` integer not null,
    \`source_ts\` integer not null,
    \`fetched_ts\` integer not null
  );`,
  'create index `sentiment_readings_symbol_source_ts_index` on `sentiment_readings` (`symbol`, `source_ts`);',
];
