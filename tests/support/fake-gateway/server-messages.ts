import type {
  FakeContract,
  FakeExecution,
  FakeHistoricalBar,
  FakeOrder,
  FakeRealTimeBar,
} from './fake-gateway.types.js';
import { Gate, ServerMsg } from './message-ids.js';
import { UNSET_DOUBLE, UNSET_INT, type WireField } from './wire-codec.js';

/**
 * Gateway → client message encoders, one per message, field lists gated by server version exactly as
 * `@stoqey/ib` 1.6.10's decoder reads them (decoder.ts / OrderDecoder). A missing field makes the
 * client drop the message with a 505 "Underrun"; an extra one gives a 505 "unprocessed data".
 */

const num = (v: number | undefined): WireField => (v === undefined ? UNSET_DOUBLE : v);

export const nextValidId = (orderId: number): WireField[] => [ServerMsg.NEXT_VALID_ID, 1, orderId];

export const managedAccounts = (accounts: readonly string[]): WireField[] => [
  ServerMsg.MANAGED_ACCTS,
  1,
  accounts.join(','),
];

export const currentTime = (epochSeconds: number): WireField[] => [ServerMsg.CURRENT_TIME, 1, epochSeconds];

/** ERR_MSG: id −1 is an `info` event on the client, anything else an `error` event. */
export const errorMessage = (sv: number, id: number, code: number, text: string): WireField[] => {
  const fields: WireField[] = [ServerMsg.ERR_MSG, 2, id, code, text];
  if (sv >= Gate.ADVANCED_ORDER_REJECT) fields.push('');
  return fields;
};

export const tickPrice = (reqId: number, tickType: number, price: number, size: number | undefined): WireField[] => [
  ServerMsg.TICK_PRICE,
  6,
  reqId,
  tickType,
  price,
  size ?? '',
  0,
];

export const tickSize = (reqId: number, tickType: number, size: number): WireField[] => [
  ServerMsg.TICK_SIZE,
  6,
  reqId,
  tickType,
  size,
];

/** TICK_GENERIC: one double-valued tick (e.g. 23 historical / 24 implied volatility). */
export const tickGeneric = (reqId: number, tickType: number, value: number): WireField[] => [
  ServerMsg.TICK_GENERIC,
  6,
  reqId,
  tickType,
  value,
];

export const tickString = (reqId: number, tickType: number, value: string): WireField[] => [
  ServerMsg.TICK_STRING,
  6,
  reqId,
  tickType,
  value,
];

export const marketDataType = (reqId: number, type: number): WireField[] => [
  ServerMsg.MARKET_DATA_TYPE,
  1,
  reqId,
  type,
];

/** TICK_REQ_PARAMS: minTick goes as an int field on the client (its bug); send what IB sends anyway. */
export const tickReqParams = (reqId: number, bboExchange: string): WireField[] => [
  ServerMsg.TICK_REQ_PARAMS,
  reqId,
  '0.01',
  bboExchange,
  3,
];

export const tickSnapshotEnd = (reqId: number): WireField[] => [ServerMsg.TICK_SNAPSHOT_END, 1, reqId];

export const realTimeBar = (reqId: number, bar: FakeRealTimeBar): WireField[] => [
  ServerMsg.REAL_TIME_BARS,
  3,
  reqId,
  bar.time,
  bar.open,
  bar.high,
  bar.low,
  bar.close,
  bar.volume,
  bar.wap ?? bar.close,
  bar.count ?? 1,
];

/** HISTORICAL_DATA (sv ≥ 124: no version, no hasGaps): all bars in one message. */
export const historicalData = (
  reqId: number,
  startText: string,
  endText: string,
  bars: readonly FakeHistoricalBar[],
): WireField[] => {
  const fields: WireField[] = [ServerMsg.HISTORICAL_DATA, reqId, startText, endText, bars.length];
  for (const b of bars) {
    fields.push(b.time, b.open, b.high, b.low, b.close, b.volume, b.wap ?? b.close, b.count ?? 1);
  }
  return fields;
};

/** HISTORICAL_DATA_UPDATE: note IB's field order open, close, high, low, WAP, volume. */
export const historicalDataUpdate = (reqId: number, bar: FakeHistoricalBar): WireField[] => [
  ServerMsg.HISTORICAL_DATA_UPDATE,
  reqId,
  bar.count ?? 1,
  bar.time,
  bar.open,
  bar.close,
  bar.high,
  bar.low,
  bar.wap ?? bar.close,
  bar.volume,
];

/** CONTRACT_DATA (sv ≥ 164: no version field). */
export const contractData = (sv: number, reqId: number, c: FakeContract): WireField[] => {
  const fields: WireField[] = [ServerMsg.CONTRACT_DATA, reqId, c.symbol, c.secType, ''];
  if (sv >= Gate.LAST_TRADE_DATE) fields.push('');
  fields.push(
    0, // strike
    '', // right
    c.exchange,
    c.currency,
    c.localSymbol,
    c.tradingClass, // marketName
    c.tradingClass,
    c.conId,
    c.minTick,
    '', // multiplier
    'ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,DAY,GTC,IOC,LIT,LMT,MKT,MOC,MOO,STP,STPLMT,TRAIL',
    `SMART,${c.primaryExch}`,
    1, // priceMagnifier
    0, // underConId
    c.longName,
    c.primaryExch,
    '', // contractMonth
    c.industry,
    c.category,
    c.subcategory,
    c.timeZoneId,
    c.tradingHours,
    c.liquidHours,
    '', // evRule
    '', // evMultiplier
    0, // secIdList count
    1, // aggGroup
    '', // underSymbol
    '', // underSecType
    '26', // marketRuleIds
    '', // realExpirationDate
    c.stockType,
    '0.0001', // minSize
    '0.0001', // sizeIncrement
    '100', // suggestedSizeIncrement
  );
  if (sv >= Gate.FUND_DATA_FIELDS && c.secType === 'FUND') {
    fields.push('', '', '', '', '', '', '', 0, 0, 0, '', '', '', '', '', '', '');
  }
  if (sv >= Gate.INELIGIBILITY_REASONS) fields.push(0);
  return fields;
};

export const contractDataEnd = (reqId: number): WireField[] => [ServerMsg.CONTRACT_DATA_END, 1, reqId];

export const accountSummary = (
  reqId: number,
  account: string,
  tag: string,
  value: string,
  currency: string,
): WireField[] => [ServerMsg.ACCOUNT_SUMMARY, 1, reqId, account, tag, value, currency];

export const accountSummaryEnd = (reqId: number): WireField[] => [ServerMsg.ACCOUNT_SUMMARY_END, 1, reqId];

export const accountValue = (key: string, value: string, currency: string, account: string): WireField[] => [
  ServerMsg.ACCT_VALUE,
  2,
  key,
  value,
  currency,
  account,
];

/**
 * A contract as the position, portfolio, order and execution messages carry it: conId, symbol, secType,
 * lastTradeDate, strike, right, multiplier, exchange, currency, localSymbol, tradingClass.
 */
const contractFields = (c: FakeContract, exchange: string): WireField[] => [
  c.conId,
  c.symbol,
  c.secType,
  '',
  0,
  '',
  '',
  exchange,
  c.currency,
  c.localSymbol,
  c.tradingClass,
];

export const portfolioValue = (
  c: FakeContract,
  position: number,
  marketPrice: number,
  marketValue: number,
  averageCost: number,
  unrealizedPnl: number,
  realizedPnl: number,
  account: string,
): WireField[] => [
  ServerMsg.PORTFOLIO_VALUE,
  8,
  ...contractFields(c, c.primaryExch),
  position,
  marketPrice,
  marketValue,
  averageCost,
  unrealizedPnl,
  realizedPnl,
  account,
];

export const accountUpdateTime = (hhmm: string): WireField[] => [ServerMsg.ACCT_UPDATE_TIME, 1, hhmm];

export const accountDownloadEnd = (account: string): WireField[] => [ServerMsg.ACCT_DOWNLOAD_END, 1, account];

export const position = (account: string, c: FakeContract, quantity: number, avgCost: number): WireField[] => [
  ServerMsg.POSITION,
  3,
  account,
  ...contractFields(c, c.primaryExch),
  quantity,
  avgCost,
];

export const positionEnd = (): WireField[] => [ServerMsg.POSITION_END, 1];

/** ORDER_STATUS (sv ≥ 131: no version field, mktCapPrice at the end). */
export const orderStatus = (o: FakeOrder): WireField[] => [
  ServerMsg.ORDER_STATUS,
  o.orderId,
  o.status,
  o.filled,
  o.totalQuantity - o.filled,
  o.avgFillPrice,
  o.permId,
  o.parentId,
  o.lastFillPrice,
  o.clientId,
  '',
  0,
];

/** Exchange an order shows: what the client asked for (SMART usually). */
const orderExchange = (o: FakeOrder): string => o.contract.exchange;

/**
 * OPEN_ORDER (sv ≥ 145: no version field). Layout follows OrderDecoder field by field and a real
 * IB Gateway capture (deltaNeutralOrderType "None" + its 8 fields, adjustedOrderType "None"): a plain
 * order (no combo legs, algo, hedge, scale, conditions) has 136 fields at sv 176, 141 at 193.
 */
export const openOrder = (sv: number, o: FakeOrder): WireField[] => {
  const filled = o.status === 'Filled';
  const f: WireField[] = [ServerMsg.OPEN_ORDER, o.orderId, ...contractFields(o.contract, orderExchange(o))];
  f.push(
    o.action,
    o.totalQuantity,
    o.orderType,
    num(o.lmtPrice),
    num(o.auxPrice),
    o.tif,
    '', // ocaGroup
    o.account,
    '', // openClose
    0, // origin (customer)
    o.orderRef,
    o.clientId,
    o.permId,
    o.outsideRth,
    0, // hidden
    0, // discretionaryAmt
    '', // goodAfterTime
    '', // sharesAllocation (deprecated)
    '', // faGroup
    '', // faMethod
    '', // faPercentage
  );
  if (sv < Gate.FA_PROFILE_DESUPPORT) f.push(''); // faProfile
  f.push(
    '', // modelCode
    '', // goodTillDate
    '', // rule80A
    UNSET_DOUBLE, // percentOffset
    '', // settlingFirm
    0, // shortSaleSlot
    '', // designatedLocation
    -1, // exemptCode
    0, // auctionStrategy
    UNSET_DOUBLE, // startingPrice
    UNSET_DOUBLE, // stockRefPrice
    UNSET_DOUBLE, // delta
    UNSET_DOUBLE, // stockRangeLower
    UNSET_DOUBLE, // stockRangeUpper
    UNSET_INT, // displaySize
    0, // blockOrder
    0, // sweepToFill
    0, // allOrNone
    UNSET_INT, // minQty
    3, // ocaType
    0, // eTradeOnly
    0, // firmQuoteOnly
    UNSET_DOUBLE, // nbboPriceCap
    o.parentId,
    0, // triggerMethod
    UNSET_DOUBLE, // volatility
    0, // volatilityType
    'None', // deltaNeutralOrderType: real TWS sends "None", which pulls in the 8 fields below
    UNSET_DOUBLE, // deltaNeutralAuxPrice
    0, // deltaNeutralConId
    '', // deltaNeutralSettlingFirm
    '', // deltaNeutralClearingAccount
    '', // deltaNeutralClearingIntent
    '', // deltaNeutralOpenClose
    0, // deltaNeutralShortSale
    0, // deltaNeutralShortSaleSlot
    '', // deltaNeutralDesignatedLocation
    0, // continuousUpdate
    0, // referencePriceType
    UNSET_DOUBLE, // trailStopPrice
    UNSET_DOUBLE, // trailingPercent
    UNSET_DOUBLE, // basisPoints
    UNSET_INT, // basisPointsType
    '', // comboLegsDescription
    0, // comboLegsCount
    0, // orderComboLegsCount
    0, // smartComboRoutingParamsCount
    UNSET_INT, // scaleInitLevelSize
    UNSET_INT, // scaleSubsLevelSize
    UNSET_DOUBLE, // scalePriceIncrement (unset → no scale extras)
    '', // hedgeType
    0, // optOutSmartRouting
    '', // clearingAccount
    'IB', // clearingIntent
    0, // notHeld
    0, // deltaNeutralContract present
    '', // algoStrategy
    0, // solicited
    0, // whatIf
    o.status,
  );
  if (sv >= Gate.WHAT_IF_EXT_FIELDS) f.push('', '', '', '', '', ''); // margin before/change
  f.push(
    '', // initMarginAfter
    '', // maintMarginAfter
    '', // equityWithLoanAfter
    filled ? o.commission : UNSET_DOUBLE, // commission
    UNSET_DOUBLE, // minCommission
    UNSET_DOUBLE, // maxCommission
    filled ? o.contract.currency : '', // commissionCurrency
    '', // warningText
    0, // randomizeSize
    0, // randomizePrice
    0, // conditionsCount
    'None', // adjustedOrderType
    UNSET_DOUBLE, // triggerPrice
    UNSET_DOUBLE, // trailStopPrice (read again)
    UNSET_DOUBLE, // lmtPriceOffset
    UNSET_DOUBLE, // adjustedStopPrice
    UNSET_DOUBLE, // adjustedStopLimitPrice
    UNSET_DOUBLE, // adjustedTrailingAmount
    0, // adjustableTrailingUnit
    '', // softDollarTier name
    '', // softDollarTier value
    '', // softDollarTier displayName
    UNSET_DOUBLE, // cashQty
    0, // dontUseAutoPriceForHedge
    0, // isOmsContainer
    0, // discretionaryUpToLimitPrice
  );
  if (sv >= Gate.PRICE_MGMT_ALGO) f.push(0); // usePriceMgmtAlgo
  if (sv >= Gate.DURATION) f.push(UNSET_INT); // duration
  if (sv >= Gate.POST_TO_ATS) f.push(UNSET_INT); // postToAts
  if (sv >= Gate.AUTO_CANCEL_PARENT) f.push(0); // autoCancelParent
  if (sv >= Gate.PEGBEST_PEGMID_OFFSETS) f.push(UNSET_INT, UNSET_INT, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE);
  if (sv >= Gate.CUSTOMER_ACCOUNT) f.push(''); // customerAccount
  if (sv >= Gate.PROFESSIONAL_CUSTOMER) f.push(0); // professionalCustomer
  if (sv >= Gate.BOND_ACCRUED_INTEREST) f.push(''); // bondAccruedInterest
  if (sv >= Gate.INCLUDE_OVERNIGHT) f.push(0); // includeOvernight
  if (sv >= Gate.CME_TAGGING_FIELDS_IN_OPEN_ORDER) f.push('', UNSET_INT); // extOperator, manualOrderIndicator
  return f;
};

export const openOrderEnd = (): WireField[] => [ServerMsg.OPEN_ORDER_END, 1];

/** COMPLETED_ORDER: OrderDecoder with version = MAX, no orderId/clientId; completedTime/Status at the end. */
export const completedOrder = (sv: number, o: FakeOrder, completedTime: string): WireField[] => {
  const f: WireField[] = [ServerMsg.COMPLETED_ORDER, ...contractFields(o.contract, orderExchange(o))];
  f.push(
    o.action,
    o.totalQuantity,
    o.orderType,
    num(o.lmtPrice),
    num(o.auxPrice),
    o.tif,
    '', // ocaGroup
    o.account,
    '', // openClose
    0, // origin
    o.orderRef,
    o.permId,
    o.outsideRth,
    0, // hidden
    0, // discretionaryAmt
    '', // goodAfterTime
    '', // faGroup
    '', // faMethod
    '', // faPercentage
    '', // modelCode
    '', // goodTillDate
    '', // rule80A
    UNSET_DOUBLE, // percentOffset
    '', // settlingFirm
    0, // shortSaleSlot
    '', // designatedLocation
    -1, // exemptCode
    UNSET_DOUBLE, // startingPrice
    UNSET_DOUBLE, // stockRefPrice
    UNSET_DOUBLE, // delta
    UNSET_DOUBLE, // stockRangeLower
    UNSET_DOUBLE, // stockRangeUpper
    UNSET_INT, // displaySize
    0, // sweepToFill
    0, // allOrNone
    UNSET_INT, // minQty
    3, // ocaType
    0, // triggerMethod
    UNSET_DOUBLE, // volatility
    0, // volatilityType
    'None', // deltaNeutralOrderType ("None" pulls in the 4 fields below in a completed order)
    UNSET_DOUBLE, // deltaNeutralAuxPrice
    0, // deltaNeutralConId
    0, // deltaNeutralShortSale
    0, // deltaNeutralShortSaleSlot
    '', // deltaNeutralDesignatedLocation
    0, // continuousUpdate
    0, // referencePriceType
    UNSET_DOUBLE, // trailStopPrice
    UNSET_DOUBLE, // trailingPercent
    '', // comboLegsDescription
    0, // comboLegsCount
    0, // orderComboLegsCount
    0, // smartComboRoutingParamsCount
    UNSET_INT, // scaleInitLevelSize
    UNSET_INT, // scaleSubsLevelSize
    UNSET_DOUBLE, // scalePriceIncrement
    '', // hedgeType
    '', // clearingAccount
    'IB', // clearingIntent
    0, // notHeld
    0, // deltaNeutralContract present
    '', // algoStrategy
    0, // solicited
    o.status,
    0, // randomizeSize
    0, // randomizePrice
    0, // conditionsCount
    UNSET_DOUBLE, // trailStopPrice
    UNSET_DOUBLE, // lmtPriceOffset
    UNSET_DOUBLE, // cashQty
    0, // dontUseAutoPriceForHedge
    0, // isOmsContainer
    '', // autoCancelDate
    o.filled, // filledQuantity
    0, // refFuturesConId
    0, // autoCancelParent
    '', // shareholder
    0, // imbalanceOnly
    0, // routeMarketableToBbo
    0, // parentPermId
    completedTime,
    o.completedStatus,
  );
  if (sv >= Gate.PEGBEST_PEGMID_OFFSETS) f.push(UNSET_INT, UNSET_INT, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE);
  if (sv >= Gate.CUSTOMER_ACCOUNT) f.push('');
  if (sv >= Gate.PROFESSIONAL_CUSTOMER) f.push(0);
  return f;
};

/** COMPLETED_ORDERS_END carries no fields at all. */
export const completedOrdersEnd = (): WireField[] => [ServerMsg.COMPLETED_ORDERS_END];

/** EXECUTION_DATA (sv ≥ 136: no version field). reqId −1 for live (unsolicited) fills. */
export const executionData = (sv: number, reqId: number, e: FakeExecution, c: FakeContract): WireField[] => {
  const f: WireField[] = [
    ServerMsg.EXECUTION_DATA,
    reqId,
    e.orderId,
    ...contractFields(c, c.primaryExch),
    e.execId,
    e.time,
    e.account,
    c.primaryExch,
    e.side,
    e.shares,
    e.price,
    e.permId,
    e.clientId,
    0, // liquidation
    e.cumQty,
    e.avgPrice,
    e.orderRef,
    '', // evRule
    '', // evMultiplier
    '', // modelCode
    1, // lastLiquidity (added)
  ];
  if (sv >= Gate.PENDING_PRICE_REVISION) f.push(0);
  return f;
};

export const executionDataEnd = (reqId: number): WireField[] => [ServerMsg.EXECUTION_DATA_END, 1, reqId];

/** COMMISSION_REPORT: realized P&L Double.MAX on opening fills, yield Double.MAX, empty redemption date — as IB. */
export const commissionReport = (e: FakeExecution): WireField[] => [
  ServerMsg.COMMISSION_REPORT,
  1,
  e.execId,
  e.commission,
  e.commissionCurrency,
  num(e.realizedPnl),
  UNSET_DOUBLE,
  '',
];
