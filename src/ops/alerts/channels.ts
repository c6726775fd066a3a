import nodemailer from 'nodemailer';
import { revealText, type SecretText } from '../../model/index.ts';

/** One alert as channels deliver it (structurally an EngineHandle AlertView plus its state). */
export interface Alert {
  /** Stable identity: the same condition firing again is the same alert (deduplication, PagerDuty dedup_key). */
  readonly key: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly title: string;
  readonly detail: string;
  readonly ts: number;
  /** `firing` when raised, `resolved` when its condition cleared. */
  readonly state: 'firing' | 'resolved';
  /**
   * Set on a grouped message (dispatcher `groupWaitMs`): the alerts it stands for. The group's own `detail`
   * already lists them one per line, so a channel that only shows text needs nothing more.
   */
  readonly members?: readonly Alert[];
}

/** Where alerts go. `send` rejects when the channel did not take it (the dispatcher retries). */
export interface AlertChannel {
  readonly name: string;
  /**
   * `false` when the service must see every alert on its own (PagerDuty pairs trigger and resolve by each
   * alert's key); absent or `true` lets the dispatcher group alerts for it.
   */
  readonly groups?: boolean;
  send(alert: Alert): Promise<void>;
}

/**
 * A channel's settings. The credential fields (webhook and Slack URLs, the PagerDuty routing key, the Telegram
 * bot token, the SMTP login) are `SecretText`: a `Secret` when the run config named a vault secret
 * (`secret:NAME`), revealed only where the request is made.
 */
export type ChannelConfig =
  | { readonly type: 'webhook'; readonly name: string; readonly url: SecretText }
  | { readonly type: 'slack'; readonly name: string; readonly url: SecretText }
  | { readonly type: 'pagerduty'; readonly name: string; readonly routingKey: SecretText; readonly url?: SecretText }
  | { readonly type: 'telegram'; readonly name: string; readonly botToken: SecretText; readonly chatId: string; readonly apiUrl?: string }
  | { readonly type: 'email'; readonly name: string; readonly host: string; readonly port: number; readonly from: string; readonly to: readonly string[]; readonly user?: SecretText; readonly password?: SecretText; readonly secure?: boolean };

/** The fields of each channel type that may hold a credential (and so a `secret:NAME` reference). */
export const CHANNEL_SECRET_FIELDS: { readonly [T in ChannelConfig['type']]: readonly string[] } = {
  webhook: ['url'], slack: ['url'], pagerduty: ['routingKey', 'url'], telegram: ['botToken'], email: ['user', 'password'],
};

const TIMEOUT_MS = 10_000;

/** The line every channel shows: "[CRITICAL] breaker drawdown tripped" or "[RESOLVED] …". */
export function headline(a: Alert): string {
  return `[${a.state === 'resolved' ? 'RESOLVED' : a.severity.toUpperCase()}] ${a.title}`;
}

/** Slack rejects a section over 3000 characters and Telegram a message over 4096: a big group is cut, not lost. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The webhook body: the alert's fields, and for a group its members as `alerts` (each without nesting). */
function webhookBody(a: Alert): Record<string, unknown> {
  const { members, ...own } = a;
  if (members === undefined) return { source: 'keel', ...own };
  return { source: 'keel', ...own, alerts: members.map((m) => ({ key: m.key, severity: m.severity, title: m.title, detail: m.detail, ts: m.ts, state: m.state })) };
}

/**
 * POST `body` as JSON. Never echo the URL: webhook URLs and bot tokens are credentials, and fetch's own errors
 * quote it ("Failed to parse URL from …", "… a URL that includes credentials: …"), so they are replaced by
 * what went wrong without it; these messages reach `keel alert test`'s error line, which no scrubber sees.
 */
async function postJson(url: string, body: unknown, what: string): Promise<void> {
  let r: Response;
  try {
    r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new Error(`${what} could not be reached: ${fetchFailure(e)}`);
  }
  // The body is not read into the message either: a service may echo the request.
  if (!r.ok) throw new Error(`${what} answered HTTP ${r.status}`);
}

/** Why a fetch failed, in words that never include its URL: an error code (ECONNREFUSED, ENOTFOUND), a timeout, or a bad URL. */
function fetchFailure(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: unknown } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const code = err.cause?.code;
  if (code === 'ERR_INVALID_URL' || (e instanceof TypeError && err.cause === undefined)) return 'the URL is not one fetch accepts (malformed, or with a user name or password in it)';
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  return 'network error';
}

/**
 * Build a channel from its config. Payloads follow each service's documented format: a generic JSON webhook,
 * Slack incoming webhooks ({text, blocks}), PagerDuty Events API v2 (trigger/resolve with a dedup_key),
 * Telegram's sendMessage, and email over SMTP.
 *
 * @example const slack = channelFrom({ type: 'slack', name: 'ops', url: process.env.SLACK_WEBHOOK! });
 */
export function channelFrom(c: ChannelConfig): AlertChannel {
  switch (c.type) {
    case 'webhook':
      return { name: c.name, send: (a) => postJson(revealText(c.url), webhookBody(a), `webhook ${c.name}`) };
    case 'slack':
      return {
        name: c.name,
        send: (a) => postJson(revealText(c.url), {
          text: headline(a),
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*${headline(a)}*\n${a.detail}`, 3000) } }, { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`keel · ${new Date(a.ts).toISOString()} · ${a.key}`, 3000) }] }],
        }, `slack ${c.name}`),
      };
    case 'pagerduty':
      return {
        name: c.name,
        groups: false,
        send: (a) => postJson(revealText(c.url) ?? 'https://events.pagerduty.com/v2/enqueue', a.state === 'resolved'
          ? { routing_key: revealText(c.routingKey), event_action: 'resolve', dedup_key: a.key }
          : {
            routing_key: revealText(c.routingKey), event_action: 'trigger', dedup_key: a.key,
            payload: { summary: a.title, severity: a.severity === 'warning' ? 'warning' : a.severity === 'info' ? 'info' : 'critical', source: 'keel', timestamp: new Date(a.ts).toISOString(), custom_details: { detail: a.detail } },
          }, `pagerduty ${c.name}`),
      };
    case 'telegram':
      return {
        name: c.name,
        send: (a) => postJson(`${c.apiUrl ?? 'https://api.telegram.org'}/bot${revealText(c.botToken)}/sendMessage`, { chat_id: c.chatId, text: clip(`${headline(a)}\n${a.detail}`, 4096) }, `telegram ${c.name}`),
      };
    case 'email': {
      const transport = nodemailer.createTransport({
        host: c.host, port: c.port, secure: c.secure ?? false, auth: c.user ? { user: revealText(c.user), pass: revealText(c.password) ?? '' } : undefined,
        connectionTimeout: TIMEOUT_MS, ignoreTLS: c.secure !== true && c.host === '127.0.0.1',
      });
      return {
        name: c.name,
        async send(a) {
          await transport.sendMail({ from: c.from, to: [...c.to], subject: `Keel ${headline(a)}`, text: `${a.title}\n\n${a.detail}\n\n${new Date(a.ts).toISOString()} · ${a.key}` });
        },
      };
    }
  }
}
