import type { EntityManager } from '@mikro-orm/sqlite';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import { JOURNALED_EVENT_KINDS } from '../../engine/ports/store.port.js';
import { projectAccount } from './account.projection.js';
import { projectFill, projectOrderAccepted, projectOrderEnded, projectOrderPlaced } from './order.projection.js';
import { projectPosition } from './position.projection.js';
import { projectRiskDecision, projectScoredSignal } from './signal.projection.js';

/** Whether the store keeps anything of this event (bars, readings and lifecycle events it does not). */
export const isProjected = (event: EngineEvent): boolean => JOURNALED_EVENT_KINDS.has(event.kind);

/** Applies one event to the tables through `em`; the caller flushes and owns the transaction. */
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
