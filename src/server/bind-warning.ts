/**
 * The warning to log when the API is reachable from other machines without a token: reads (positions, PnL,
 * orders) are then open to anyone on the network. Actions stay refused without a token, so this is about
 * disclosure, not control. Undefined when there is nothing to warn about.
 *
 * @example
 * bindWarning('0.0.0.0', undefined); // 'warning: the API listens on 0.0.0.0 without a token: ...'
 */
export function bindWarning(host: string, token: string | undefined): string | undefined {
  if (isLoopback(host) || (token !== undefined && token !== '')) return undefined;
  return `warning: the API listens on ${host} without a token: anyone who reaches it can read the account (actions stay disabled); `
    + 'bind 127.0.0.1 or set KEEL_API_TOKEN';
}

/** Whether only this machine can reach `host` (all of 127.0.0.0/8 is loopback). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
