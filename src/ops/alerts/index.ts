/** Alerting (docs/alerts.md): threshold rules, channels (webhook, Slack, PagerDuty, Telegram, email), delivery policy. */
export * from './channels.ts';
export * from './dispatcher.ts';
export * from './rules.ts';
export * from './config.ts';
export * from './signal-window.ts';
export * from './expected-path.ts';
export * from './runbooks.ts';
