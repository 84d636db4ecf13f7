import type { Observable, Subscription } from 'rxjs';
import type { EngineEvent } from '../../engine/messages/engine-event.js';

/**
 * Says in the log what the bot is doing: signals, decisions, orders, fills, scheduler state and
 * failures. Bars and marks are not logged (too many); they are on /ws/prices and /metrics.
 */
export const logEngineEvents = (
  events$: Observable<EngineEvent>,
  logger: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  },
): Subscription =>
  events$.subscribe((e) => {
    const at = (): string => new Date(e.ts).toISOString();
    switch (e.kind) {
      case 'signal.scored':
        logger.info(
          {
            at: at(),
            strategy: e.signal.strategyId,
            symbol: e.symbol,
            side: e.signal.side,
            action: e.signal.action,
            confidence: +e.confidence.toFixed(3),
            confluence: e.confluence.level,
          },
          `signal ${e.signal.side} ${e.symbol} (${e.signal.action}${e.signal.exitReason ? `: ${e.signal.exitReason}` : ''}): ${e.signal.reason}`,
        );
        return;
      case 'risk.approved':
        logger.info(
          { at: at(), order: e.order.clientOrderId, symbol: e.symbol },
          `risk approved ${e.order.side} ${e.order.quantity} ${e.symbol} (${e.order.purpose})`,
        );
        return;
      case 'risk.rejected':
        logger.info(
          { at: at(), symbol: e.symbol, rule: e.rule },
          `risk rejected ${e.signal.signal.side} ${e.symbol}: ${e.rule}: ${e.reason}`,
        );
        return;
      case 'order.filled':
      case 'order.partially_filled':
        logger.info(
          { at: at(), order: e.clientOrderId, symbol: e.symbol, exec: e.execId },
          `${e.kind === 'order.filled' ? 'filled' : 'partially filled'} ${e.side} ${e.quantity} ${e.symbol} @ ${e.price} (commission ${e.commission})`,
        );
        return;
      case 'order.rejected':
        logger.warn(
          { at: at(), order: e.clientOrderId, symbol: e.symbol, code: e.code },
          `broker rejected order: ${e.text}`,
        );
        return;
      case 'order.cancelled':
        logger.info({ at: at(), order: e.clientOrderId, symbol: e.symbol }, `order cancelled: ${e.reason}`);
        return;
      case 'order.failed':
        logger.error(
          { at: at(), order: e.clientOrderId, symbol: e.symbol, stage: e.stage },
          `order not placed (${e.stage}): ${e.error}`,
        );
        return;
      case 'actor.restarted':
        logger.warn(
          { at: at(), symbol: e.symbol, attempt: e.attempt },
          `actor for ${e.symbol} restarted after: ${e.error}`,
        );
        return;
      case 'actor.halted':
        logger.error({ at: at(), symbol: e.symbol }, `actor for ${e.symbol} halted: ${e.error}`);
        return;
      case 'scheduler.state_changed':
        logger.info({ at: at(), state: e.state, previous: e.previous }, `scheduler ${e.previous} -> ${e.state}`);
        return;
      case 'broker.account_reported':
        logger.info(
          {
            at: at(),
            account: e.accountId ?? null,
            day_trades_remaining: e.dayTradesRemaining,
            settled_cash: e.settledCash,
          },
          `broker account: DayTradesRemaining ${e.dayTradesRemaining ?? 'not reported'}, SettledCash ${e.settledCash ?? 'not reported'}`,
        );
        return;
      case 'risk.settled_cash_reconciled': {
        const fields = {
          at: at(),
          local_settled_cash: e.localSettledCash,
          broker_settled_cash: e.brokerSettledCash,
          difference: e.difference,
        };
        if (e.mismatch)
          logger.warn(
            fields,
            `settled cash differs from IBKR's by ${e.difference.toFixed(2)} (local ${e.localSettledCash.toFixed(2)}, ` +
              `IBKR ${e.brokerSettledCash.toFixed(2)}); buys use the lower figure`,
          );
        else logger.info(fields, 'settled cash agrees with IBKR');
        return;
      }
      case 'strategy.changed':
        logger.info({ strategy: e.strategy.id }, `strategy ${e.strategy.id} ${e.change}`);
        return;
      default:
        return;
    }
  });
