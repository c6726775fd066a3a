/** A local stand-in for TWS / IB Gateway speaking the TWS socket API, for tests and paper demos (docs/ib.md). */
export { startTwsServer, type TwsServer, type TwsServerOptions, type TwsContractSpec } from './server.ts';
export { SERVER_VERSION } from './messages.ts';
export type { BookOrder, BookExecution } from './book.ts';
