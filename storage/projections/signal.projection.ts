import type { EntityManager } from '@mikro-orm/sqlite';
import type { RiskDecision } from '../../engine/messages/risk.js';
import type { ScoredSignal } from '../../engine/messages/signal.js';
import { SignalEntity, type SignalRow } from '../entities/signal.entity.js';

const insertSignal = (em: EntityManager, scored: ScoredSignal): SignalRow => {
  const { signal } = scored;
  return em.create(SignalEntity, {
    strategyId: signal.strategyId,
    strategyType: signal.strategyType,
    symbol: scored.symbol,
    timeframe: signal.timeframe,
    ts: scored.ts,
    side: signal.side,
    action: signal.action,
    confidence: signal.confidence,
    finalConfidence: scored.confidence,
    price: signal.price,
    entry: signal.entry,
    stopLoss: signal.stopLoss,
    takeProfit: signal.takeProfit,
    reason: signal.reason,
    exitReason: signal.exitReason ?? null,
    indicators: signal.indicators,
    confluence: scored.confluence,
    decision: null,
    rule: null,
    decisionReason: null,
    clientOrderId: null,
  });
};

export const projectScoredSignal = (em: EntityManager, scored: ScoredSignal): void => {
  insertSignal(em, scored);
};

/** The oldest undecided row of this signal (same strategy, time, side and action). */
const findUndecided = (em: EntityManager, scored: ScoredSignal): Promise<SignalRow | null> =>
  em.findOne(
    SignalEntity,
    {
      strategyId: scored.signal.strategyId,
      ts: scored.ts,
      side: scored.signal.side,
      action: scored.signal.action,
      decision: null,
    },
    { orderBy: { id: 'asc' } },
  );

/**
 * Records risk's verdict on the signal's row; inserts the row from `decision.signal` when the scored
 * signal was never journaled. Approved: the order's client id and any warnings; rejected: rule and reason.
 */
export const projectRiskDecision = async (em: EntityManager, decision: RiskDecision): Promise<void> => {
  const row = (await findUndecided(em, decision.signal)) ?? insertSignal(em, decision.signal);
  if (decision.kind === 'risk.approved') {
    row.decision = 'approved';
    row.decisionReason = decision.warnings.length > 0 ? decision.warnings.join('; ') : null;
    row.clientOrderId = decision.order.clientOrderId;
    return;
  }
  row.decision = 'rejected';
  row.rule = decision.rule;
  row.decisionReason = decision.reason;
};
