import { IBApi, EventName } from '@stoqey/ib';
import { KeelError } from '../../model/index.ts';
import type { IbConfig } from './config.ts';

/** A connected TWS API session: the client, TWS's next order id and the login's accounts. */
export interface IbLink {
  readonly api: IBApi;
  readonly nextOrderId: number;
  readonly accounts: readonly string[];
  readonly serverVersion: number;
}

/**
 * Open one TWS API connection with @stoqey/ib and wait for what TWS sends once the API is up (nextValidId
 * and managedAccounts). Failures are one clear line: TWS not listening, the client id in use (326), no
 * answer in time, an account the login does not manage. The connection is closed on any failure.
 *
 * @example const link = await openLink(parseIbConfig({ clientId: 7, symbols: ['AAPL'] }));
 */
export async function openLink(c: IbConfig, log: (line: string) => void): Promise<IbLink> {
  // stoqey's own limiter stays at IB's ceiling: the shared rate budget in front of it is the binding one.
  const api = new IBApi({ host: c.host, port: c.port, clientId: c.clientId, maxReqPerSec: 50 });
  const where = `${c.host}:${c.port}`;
  try {
    const link = await new Promise<IbLink>((resolve, reject) => {
      let nextOrderId: number | undefined;
      let accounts: string[] | undefined;
      const done = () => {
        if (nextOrderId === undefined || accounts === undefined) return;
        clearTimeout(timer);
        resolve({ api, nextOrderId, accounts, serverVersion: api.serverVersion });
      };
      const timer = setTimeout(() => reject(new KeelError('IB_NO_ANSWER', `TWS/IB Gateway did not start the API session within ${c.timeouts.connectMs} ms`, {
        field: 'ib.host', value: where, hint: 'is the API enabled (Configure → API → Settings) on this port, and this host trusted?',
      })), c.timeouts.connectMs);
      api.once(EventName.nextValidId, (id: number) => { nextOrderId = id; done(); });
      api.once(EventName.managedAccounts, (list: string) => { accounts = list.split(',').map((s) => s.trim()).filter((s) => s !== ''); done(); });
      // TWS sends connection-wide errors with id -1, which @stoqey/ib hands out as `info` (326 among them).
      api.on(EventName.info, (message: string, code: number) => onError(new Error(message), code, -1));
      api.on(EventName.error, (e: Error, code: number, reqId: number) => onError(e, code, reqId));
      const onError = (e: Error, code: number, reqId: number) => {
        if (nextOrderId !== undefined && accounts !== undefined) return;
        if (code === 326) {
          clearTimeout(timer);
          reject(new KeelError('IB_CLIENT_ID_IN_USE', 'is already connected to this TWS/IB Gateway (error 326)', { field: 'ib.clientId', value: c.clientId, hint: 'each connection needs its own client id' }));
        } else if (code === 502 || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN/.test(e?.message ?? '')) {
          clearTimeout(timer);
          reject(new KeelError('IB_UNREACHABLE', `cannot connect to TWS/IB Gateway (${e.message})`, { field: 'ib.host', value: where, hint: 'TWS: 7497 paper, 7496 live; IB Gateway: 4002 paper, 4001 live' }));
        } else log(`ib connect: ${code} (request ${reqId}): ${e?.message}`);
      };
      api.connect();
    });
    if (c.account !== undefined && !link.accounts.includes(c.account)) {
      throw new KeelError('BAD_CONFIG', `is not an account of this login (it manages ${link.accounts.join(', ') || 'none'})`, { field: 'ib.account', value: c.account });
    }
    return link;
  } catch (e) {
    api.removeAllListeners();
    api.disconnect();
    throw e;
  }
}
