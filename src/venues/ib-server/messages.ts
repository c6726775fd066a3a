import { IN, type Field } from './wire.ts';

/**
 * The TWS messages this server sends, field by field, at server version 176 (IB Gateway 10.19's): the
 * layouts of IB's API documentation and its open-source clients' decoders (EDecoder / orderdecoder),
 * where a field's presence depends on the server version. At 176 no message carries a version number
 * where IB dropped it (order status since MARKET_CAP_PRICE 131, open order since ORDER_CONTAINER 145,
 * execution data since LAST_LIQUIDITY 136).
 */
export const SERVER_VERSION = 176;

/** What the server tells about a contract (a stock, forex pair or future). */
export interface WireContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  readonly exchange: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly tradingClass: string;
  readonly multiplier: string;
}

/** An order as TWS holds it; prices and quantities are decimal strings. */
export interface WireOrder {
  readonly clientId: number;
  readonly orderId: number;
  readonly permId: number;
  readonly contract: WireContract;
  readonly action: 'BUY' | 'SELL';
  readonly totalQuantity: string;
  readonly orderType: string;
  readonly lmtPrice: string | undefined;
  readonly auxPrice: string | undefined;
  readonly tif: string;
  readonly account: string;
  readonly orderRef: string;
  readonly status: string;
  readonly filled: string;
  readonly remaining: string;
  readonly avgFillPrice: string;
  readonly lastFillPrice: string;
}

export interface WireExecution {
  readonly execId: string;
  /** "yyyymmdd hh:mm:ss UTC", as TWS writes times with a zone. */
  readonly time: string;
  readonly shares: string;
  readonly price: string;
  readonly cumQty: string;
  readonly avgPrice: string;
  readonly commission: string;
  readonly currency: string;
}

const contractFields = (c: WireContract, withMultiplier = true): Field[] => [
  c.conId, c.symbol, c.secType, '', 0, '', ...(withMultiplier ? [c.multiplier] : []), c.exchange, c.currency, c.localSymbol, c.tradingClass,
];

/** ERR_MSG: `id` is the order or request id, -1 for connection-wide notices (2104, 2106, 326 …). */
export const errorMessage = (id: number, code: number, text: string): Field[] => [IN.ERR_MSG, 2, id, code, text, ''];

export const nextValidId = (orderId: number): Field[] => [IN.NEXT_VALID_ID, 1, orderId];
export const managedAccounts = (accounts: readonly string[]): Field[] => [IN.MANAGED_ACCTS, 1, accounts.join(',')];
export const currentTime = (epochSeconds: number): Field[] => [IN.CURRENT_TIME, 1, epochSeconds];
export const openOrderEnd = (): Field[] => [IN.OPEN_ORDER_END, 1];
export const executionEnd = (reqId: number): Field[] => [IN.EXECUTION_DATA_END, 1, reqId];
export const positionEnd = (): Field[] => [IN.POSITION_END, 1];
export const accountDownloadEnd = (account: string): Field[] => [IN.ACCT_DOWNLOAD_END, 1, account];
export const accountValue = (key: string, value: string, currency: string, account: string): Field[] => [IN.ACCT_VALUE, 2, key, value, currency, account];

/** ORDER_STATUS: id, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId, whyHeld, mktCapPrice. */
export const orderStatus = (o: WireOrder): Field[] => [
  IN.ORDER_STATUS, o.orderId, o.status, o.filled, o.remaining, o.avgFillPrice, o.permId, 0, o.lastFillPrice, o.clientId, '', '',
];

/** EXECUTION_DATA (reqId -1 for a live execution, the request's id when answering reqExecutions). */
export const executionDetails = (reqId: number, o: WireOrder, e: WireExecution): Field[] => [
  IN.EXECUTION_DATA, reqId, o.orderId, ...contractFields(o.contract),
  e.execId, e.time, o.account, o.contract.exchange === 'SMART' ? 'ISLAND' : o.contract.exchange, o.action === 'BUY' ? 'BOT' : 'SLD',
  e.shares, e.price, o.permId, o.clientId, 0, e.cumQty, e.avgPrice, o.orderRef, '', '', '', 1,
];

/** COMMISSION_REPORT: execId, commission, currency, realizedPNL (unset), yield (unset), yieldRedemptionDate. */
export const commissionReport = (e: WireExecution): Field[] => [IN.COMMISSION_REPORT, 1, e.execId, e.commission, e.currency, '1.7976931348623157E308', '1.7976931348623157E308', ''];

/** POSITION: account, contract, position, average cost. */
export const position = (account: string, c: WireContract, qty: string, avgCost: string): Field[] => [IN.POSITION, 3, account, ...contractFields(c), qty, avgCost];

/** REAL_TIME_BARS: reqId, bar start (epoch s), open, high, low, close, volume, wap, count. */
export const realTimeBar = (reqId: number, t: number, o: number, h: number, l: number, c: number, volume: number): Field[] => [
  IN.REAL_TIME_BARS, 3, reqId, t, o, h, l, c, volume, (o + h + l + c) / 4, 1,
];

/**
 * OPEN_ORDER for a simple order (no combo legs, algo, conditions, hedge or delta-neutral leg): every field
 * of the layout in order, unset values empty as TWS sends them.
 */
export function openOrder(o: WireOrder): Field[] {
  const unset = '';
  const isStop = o.orderType === 'STP' || o.orderType === 'STP LMT';
  return [
    IN.OPEN_ORDER, o.orderId, ...contractFields(o.contract),
    o.action, o.totalQuantity, o.orderType, o.lmtPrice ?? unset, o.auxPrice ?? unset, o.tif, /* ocaGroup */ '', o.account, /* openClose */ '',
    /* origin */ 0, o.orderRef, o.clientId, o.permId, /* outsideRth */ 0, /* hidden */ 0, /* discretionaryAmt */ 0, /* goodAfterTime */ '',
    /* sharesAllocation */ '', /* faGroup, faMethod, faPercentage, faProfile */ '', '', '', '', /* modelCode */ '', /* goodTillDate */ '',
    /* rule80A */ '', /* percentOffset */ unset, /* settlingFirm */ '', /* shortSaleSlot, designatedLocation, exemptCode */ 0, '', -1,
    /* auctionStrategy */ 0, /* startingPrice, stockRefPrice, delta */ unset, unset, unset, /* stockRangeLower, stockRangeUpper */ unset, unset,
    /* displaySize */ unset, /* blockOrder, sweepToFill, allOrNone */ 0, 0, 0, /* minQty */ unset, /* ocaType */ 3, /* eTradeOnly, firmQuoteOnly */ 0, 0,
    /* nbboPriceCap */ unset, /* parentId */ 0, /* triggerMethod */ 0,
    /* volatility, volatilityType, deltaNeutralOrderType (none), deltaNeutralAuxPrice */ unset, 0, '', unset,
    /* continuousUpdate, referencePriceType */ 0, 0, /* trailStopPrice, trailingPercent */ unset, unset, /* basisPoints, basisPointsType */ unset, unset,
    /* comboLegsDescription, comboLegs, orderComboLegs */ '', 0, 0, /* smartComboRoutingParams */ 0,
    /* scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement */ unset, unset, unset, /* hedgeType */ '', /* optOutSmartRouting */ 0,
    /* clearingAccount, clearingIntent */ '', 'IB', /* notHeld */ 0, /* deltaNeutralContract */ 0, /* algoStrategy */ '', /* solicited */ 0,
    /* whatIf */ 0, o.status, /* margins before, change, after: 9 */ unset, unset, unset, unset, unset, unset, unset, unset, unset,
    /* commission, minCommission, maxCommission, commissionCurrency, warningText */ unset, unset, unset, '', '',
    /* randomizeSize, randomizePrice */ 0, 0, /* conditions */ 0,
    /* adjustedOrderType, triggerPrice, trailStopPrice, lmtPriceOffset, adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount, adjustableTrailingUnit */
    isStop ? o.orderType : 'None', unset, unset, unset, unset, unset, unset, 0,
    /* softDollarTier name, value, displayName */ '', '', '', /* cashQty */ unset, /* dontUseAutoPriceForHedge */ 0, /* isOmsContainer */ 0,
    /* discretionaryUpToLimitPrice */ 0, /* usePriceMgmtAlgo */ 0, /* duration */ unset, /* postToAts */ unset, /* autoCancelParent */ 0,
    /* minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf */ unset, unset, unset, unset, unset,
  ];
}
