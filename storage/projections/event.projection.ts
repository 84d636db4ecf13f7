import type { EntityManager } from '@mikro-orm/sqlite';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import { projectAccount } from './account.projection.js';
import { projectFill, projectOrderAccepted, projectOrderEnded, projectOrderPlaced } from './order.projection.js';
import { projectPosition } from './position.projection.js';
import { projectRiskDecision, projectScoredSignal } from './signal.projection.js';

/**
 * Applies one event to the tables through `em` (kinds the store does not keep are ignored); the caller
 * owns the transaction, which flushes at its end.
 */
export const projectEvent = async (em: EntityManager, event: EngineEvent): Promise<void> => {
  switch (event.kind) {
    case 'signal.scored':
      return projectScoredSignal(em, event);
    case 'risk.approved':
    case 'risk.rejected':
      return projectRiskDecision(em, event);
    case 'order.placed':
      return projectOrderPlaced(em, event);
    case 'order.accepted':
      return projectOrderAccepted(em, event);
    case 'order.partially_filled':
    case 'order.filled':
      return projectFill(em, event);
    case 'order.cancelled':
    case 'order.rejected':
    case 'order.failed':
      return projectOrderEnded(em, event);
    case 'position.updated':
      return projectPosition(em, event);
    case 'account.updated':
      return projectAccount(em, event);
    default:
      return;
  }
};
