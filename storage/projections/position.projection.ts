import type { EntityManager } from '@mikro-orm/sqlite';
import type { Position, PositionUpdated } from '../../engine/messages/account.js';
import { PositionEntity, type PositionRow } from '../entities/position.entity.js';

const positionFields = (p: Position) => ({
  quantity: p.quantity,
  avgPrice: p.avgPrice,
  lastPrice: p.lastPrice,
  realizedPnl: p.realizedPnl,
  commissions: p.commissions,
  strategyId: p.strategyId,
  stopLoss: p.stopLoss,
  takeProfit: p.takeProfit,
  updatedTs: p.updatedTs,
});

const closeRow = (row: PositionRow, p: Position, ts: number): void => {
  Object.assign(row, {
    quantity: 0,
    lastPrice: p.lastPrice,
    realizedPnl: p.realizedPnl,
    commissions: p.commissions,
    closedTs: ts,
    updatedTs: ts,
  });
};

/**
 * Keeps one row per position lifecycle: updates the symbol's open row, closes it when the quantity
 * returns to zero (keeping the final realized P&L), and opens a new row when a position starts again
 * (or reverses with a new `openedTs`).
 */
export const projectPosition = async (em: EntityManager, event: PositionUpdated): Promise<void> => {
  const p = event.position;
  const open = await em.findOne(PositionEntity, { symbol: event.symbol, closedTs: null });
  if (p.quantity === 0) {
    if (open) closeRow(open, p, event.ts);
    return;
  }
  if (open && open.openedTs === p.openedTs) {
    Object.assign(open, positionFields(p));
    return;
  }
  if (open) {
    closeRow(open, p, event.ts);
    await em.flush();
  }
  em.create(PositionEntity, { symbol: event.symbol, ...positionFields(p), openedTs: p.openedTs, closedTs: null });
};
