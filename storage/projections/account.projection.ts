import type { EntityManager } from '@mikro-orm/sqlite';
import type { AccountUpdated } from '../../engine/messages/account.js';
import { AccountEntity } from '../entities/account.entity.js';

/** Upserts the account's cash and totals (its positions are kept by `projectPosition`). */
export const projectAccount = async (em: EntityManager, event: AccountUpdated): Promise<void> => {
  const a = event.account;
  await em.upsert(AccountEntity, {
    accountId: a.accountId,
    initialCash: a.initialCash,
    cash: a.cash,
    realizedPnl: a.realizedPnl,
    commissions: a.commissions,
    updatedTs: a.updatedTs,
  });
};
