import type { Timeframe } from './market.js';

/** A configured strategy as the user added it. `id` is `<type>_<SYMBOL>` unless given. */
export interface StrategyRecord {
  readonly id: string;
  readonly strategyType: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Full, validated config including defaults. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly enabled: boolean;
  readonly createdTs: number;
  readonly updatedTs: number;
}
