import type { ReceivedRequest, RequestContract } from './fake-gateway.types.js';
import { ClientMsg, Gate } from './message-ids.js';

/**
 * Decodes the head of each client → gateway message as `@stoqey/ib` 1.6.10's encoder writes it at a
 * given server version (encoder.ts). Only the fields the fake needs are read; tails are ignored, so a
 * client adding fields at the end never breaks the fake.
 */

/** Who sent the frame and when; merged into every decoded request. */
export interface RequestOrigin {
  readonly sessionId: number;
  readonly clientId: number;
  readonly atMs: number;
}

class FieldCursor {
  private index = 1;
  constructor(private readonly fields: readonly string[]) {}

  str(): string {
    const v = this.fields[this.index];
    this.index += 1;
    return v ?? '';
  }
  int(): number {
    const v = this.str();
    if (v === '') return 0;
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : 0;
  }
  intOrUndefined(): number | undefined {
    const v = this.str();
    if (v === '') return undefined;
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) && n !== 2147483647 ? n : undefined;
  }
  num(): number {
    const v = this.str();
    const n = Number.parseFloat(v);
    return Number.isFinite(n) ? n : 0;
  }
  numOrUndefined(): number | undefined {
    const v = this.str();
    if (v === '') return undefined;
    const n = Number.parseFloat(v);
    return Number.isFinite(n) && n < 1.7e308 ? n : undefined;
  }
  bool(): boolean {
    return this.int() !== 0;
  }
  skip(n = 1): void {
    this.index += n;
  }
  contract(withPrimaryExch: boolean): RequestContract {
    const conId = this.int();
    const symbol = this.str();
    const secType = this.str();
    const lastTradeDateOrContractMonth = this.str();
    const strike = this.str();
    const right = this.str();
    const multiplier = this.str();
    const exchange = this.str();
    const primaryExch = withPrimaryExch ? this.str() : '';
    const currency = this.str();
    const localSymbol = this.str();
    const tradingClass = this.str();
    return {
      conId,
      symbol,
      secType,
      lastTradeDateOrContractMonth,
      strike,
      right,
      multiplier,
      exchange,
      primaryExch,
      currency,
      localSymbol,
      tradingClass,
    };
  }
}

/** Decodes one client frame (fields[0] = message id) at server version `sv`. */
export const decodeClientRequest = (sv: number, fields: readonly string[], origin: RequestOrigin): ReceivedRequest => {
  const msgId = Number.parseInt(fields[0] ?? '', 10);
  const c = new FieldCursor(fields);
  const base = { ...origin, fields };
  switch (msgId) {
    case ClientMsg.START_API: {
      c.skip(); // version
      return { ...base, kind: 'startApi', requestedClientId: c.str() };
    }
    case ClientMsg.PLACE_ORDER: {
      const orderId = c.int();
      const contract = c.contract(true);
      c.skip(2); // secIdType, secId
      const action = c.str();
      const totalQuantity = c.num();
      const orderType = c.str();
      const lmtPrice = c.numOrUndefined();
      const auxPrice = c.numOrUndefined();
      const tif = c.str();
      const ocaGroup = c.str();
      const account = c.str();
      c.skip(2); // openClose, origin
      const orderRef = c.str();
      const transmitText = c.str();
      const parentId = c.int();
      c.skip(4); // blockOrder, sweepToFill, displaySize, triggerMethod
      const outsideRth = c.bool();
      return {
        ...base,
        kind: 'placeOrder',
        orderId,
        contract,
        action,
        totalQuantity,
        orderType,
        lmtPrice,
        auxPrice,
        tif,
        ocaGroup,
        account,
        orderRef,
        // IB's default is transmit=true; the client sends "" when the field is unset.
        transmit: transmitText !== '0',
        parentId,
        outsideRth,
      };
    }
    case ClientMsg.CANCEL_ORDER: {
      if (sv < Gate.CME_TAGGING_FIELDS) c.skip(); // version
      return { ...base, kind: 'cancelOrder', orderId: c.int() };
    }
    case ClientMsg.REQ_GLOBAL_CANCEL:
      return { ...base, kind: 'globalCancel' };
    case ClientMsg.REQ_MKT_DATA: {
      c.skip(); // version
      const reqId = c.int();
      const contract = c.contract(true);
      if (contract.secType.toUpperCase() === 'BAG') {
        const legs = c.int();
        c.skip(legs * 4);
      }
      if (c.bool()) c.skip(3); // delta-neutral contract
      const genericTickList = c.str();
      const snapshot = c.bool();
      return { ...base, kind: 'reqMktData', reqId, contract, genericTickList, snapshot };
    }
    case ClientMsg.CANCEL_MKT_DATA:
      c.skip();
      return { ...base, kind: 'cancelMktData', reqId: c.int() };
    case ClientMsg.REQ_REAL_TIME_BARS: {
      c.skip();
      const reqId = c.int();
      const contract = c.contract(true);
      c.skip(); // barSize
      const whatToShow = c.str();
      const useRTH = c.bool();
      return { ...base, kind: 'reqRealTimeBars', reqId, contract, whatToShow, useRTH };
    }
    case ClientMsg.CANCEL_REAL_TIME_BARS:
      c.skip();
      return { ...base, kind: 'cancelRealTimeBars', reqId: c.int() };
    case ClientMsg.REQ_HISTORICAL_DATA: {
      const reqId = c.int();
      const contract = c.contract(true);
      c.skip(); // includeExpired
      const endDateTime = c.str();
      const barSize = c.str();
      const duration = c.str();
      const useRTH = c.bool();
      const whatToShow = c.str();
      const formatDate = c.int();
      if (contract.secType.toUpperCase() === 'BAG') {
        const legs = c.int();
        c.skip(legs * 4);
      }
      const keepUpToDate = c.bool();
      return {
        ...base,
        kind: 'reqHistoricalData',
        reqId,
        contract,
        endDateTime,
        barSize,
        duration,
        useRTH,
        whatToShow,
        formatDate,
        keepUpToDate,
      };
    }
    case ClientMsg.CANCEL_HISTORICAL_DATA:
      c.skip();
      return { ...base, kind: 'cancelHistoricalData', reqId: c.int() };
    case ClientMsg.REQ_CONTRACT_DATA: {
      c.skip();
      const reqId = c.int();
      return { ...base, kind: 'reqContractDetails', reqId, contract: c.contract(true) };
    }
    case ClientMsg.REQ_ACCOUNT_SUMMARY: {
      c.skip();
      const reqId = c.int();
      const group = c.str();
      const tags = c
        .str()
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      return { ...base, kind: 'reqAccountSummary', reqId, group, tags };
    }
    case ClientMsg.CANCEL_ACCOUNT_SUMMARY:
      c.skip();
      return { ...base, kind: 'cancelAccountSummary', reqId: c.int() };
    case ClientMsg.REQ_ACCOUNT_DATA: {
      c.skip();
      const subscribe = c.bool();
      return { ...base, kind: 'reqAccountUpdates', subscribe, account: c.str() };
    }
    case ClientMsg.REQ_EXECUTIONS: {
      c.skip();
      const reqId = c.int();
      const clientId = c.intOrUndefined();
      return {
        ...base,
        kind: 'reqExecutions',
        reqId,
        filter: {
          clientId,
          account: c.str(),
          time: c.str(),
          symbol: c.str(),
          secType: c.str(),
          exchange: c.str(),
          side: c.str(),
        },
      };
    }
    case ClientMsg.REQ_POSITIONS:
      return { ...base, kind: 'reqPositions' };
    case ClientMsg.CANCEL_POSITIONS:
      return { ...base, kind: 'cancelPositions' };
    case ClientMsg.REQ_IDS:
      return { ...base, kind: 'reqIds' };
    case ClientMsg.REQ_MANAGED_ACCTS:
      return { ...base, kind: 'reqManagedAccts' };
    case ClientMsg.REQ_CURRENT_TIME:
      return { ...base, kind: 'reqCurrentTime' };
    case ClientMsg.REQ_OPEN_ORDERS:
      return { ...base, kind: 'reqOpenOrders' };
    case ClientMsg.REQ_ALL_OPEN_ORDERS:
      return { ...base, kind: 'reqAllOpenOrders' };
    case ClientMsg.SET_SERVER_LOGLEVEL:
      return { ...base, kind: 'setServerLogLevel' };
    case ClientMsg.REQ_AUTO_OPEN_ORDERS:
      c.skip();
      return { ...base, kind: 'reqAutoOpenOrders', autoBind: c.bool() };
    case ClientMsg.REQ_COMPLETED_ORDERS:
      return { ...base, kind: 'reqCompletedOrders', apiOnly: c.bool() };
    case ClientMsg.REQ_MARKET_DATA_TYPE:
      c.skip();
      return { ...base, kind: 'reqMarketDataType', marketDataType: c.int() };
    default:
      return { ...base, kind: 'unknown', msgId: Number.isFinite(msgId) ? msgId : -1 };
  }
};
