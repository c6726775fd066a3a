import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { KeelError } from '../../model/index.ts';
import { parseParamString } from '../../strategy/index.ts';
import { parseFlags, required } from '../args.ts';
import { apiRequest, readToken } from '../api-action.ts';

export const DEPLOY_HELP = `keel deploy shadow --api URL --strategy NAME|FILE [--params a=1,b=2]
keel deploy promote --api URL [--fraction F]
keel deploy rollback --api URL [--reason TEXT]
keel deploy status --api URL [--json]
  Staged rollout of a new strategy version in a running engine (keel paper/live --config with an api
  section): shadow runs it beside the live version on the same data, its orders simulated and never sent;
  promote takes it to canary (a fraction of the size, its own loss budget), then to full; rollback returns
  to the live version, flattening or handing over the canary's position (rollout.onRollback).
  The actions need a token: --token-file F (a user's token, keel users token NAME, for a risk user), else
  KEEL_API_TOKEN_FILE, else KEEL_API_TOKEN; each is journaled and audited. docs/lifecycle.md
  --cacert FILE    trust this certificate for an https API (a self-signed one: tls/cert.pem)
`;

/** `keel deploy shadow|promote|rollback|status`: talks to a running engine's API. */
export async function deployCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags(argv, {
    api: { type: 'string' }, strategy: { type: 'string' }, params: { type: 'string' }, fraction: { type: 'string' }, reason: { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'token-file': { type: 'string' }, cacert: { type: 'string' },
  } as const, 'deploy', 1);
  if (v.help) { process.stdout.write(DEPLOY_HELP); return 0; }
  const action = positionals[0];
  const api = required(v.api, '--api', 'the engine\'s API, e.g. --api http://127.0.0.1:7070').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(api)) throw new KeelError('BAD_ARGUMENT', 'must be the engine\'s API address, http(s)://host:port', { field: '--api', value: v.api });
  const file = v['token-file'] ?? process.env.KEEL_API_TOKEN_FILE;
  const target = { api, cacert: v.cacert, token: file !== undefined ? readToken(file) : process.env.KEEL_API_TOKEN || undefined };
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) => {
    if (method === 'POST' && target.token === undefined) {
      throw new KeelError('NO_TOKEN', 'is not set: rollout actions need a token (or --token-file F)', { field: 'KEEL_API_TOKEN' });
    }
    return apiRequest({ ...target, timeout: 30_000 }, method, path, body);
  };
  switch (action) {
    case 'status': {
      const view = await call('GET', '/api/rollout');
      process.stdout.write(v.json ? JSON.stringify(view.body, null, 2) + '\n' : formatStatus(view.body as StatusView));
      return view.status === 200 && (view.body as { available?: boolean }).available === true ? 0 : 1;
    }
    case 'shadow': {
      const ref = required(v.strategy, '--strategy', 'a built-in name or a strategy file');
      // A file is sent as an absolute path: the engine resolves nothing against its own folder for it.
      const strategy = /[\\/]|\.(ts|mts|js|mjs)$/.test(ref) && existsSync(ref) ? resolve(ref) : ref;
      const params = v.params === undefined ? {} : parseParamString(v.params);
      return answer(await call('POST', '/api/rollout/shadow', { strategy, params }));
    }
    case 'promote': {
      const fraction = v.fraction === undefined ? undefined : Number(v.fraction);
      if (fraction !== undefined && !(fraction > 0 && fraction <= 1)) throw new KeelError('BAD_ARGUMENT', 'must be a share of the live size in (0, 1]', { field: '--fraction', value: v.fraction });
      return answer(await call('POST', '/api/rollout/promote', fraction === undefined ? {} : { fraction }));
    }
    case 'rollback':
      return answer(await call('POST', '/api/rollout/rollback', v.reason === undefined ? {} : { reason: v.reason }));
    default:
      throw new KeelError('BAD_ARGUMENT', 'is not a deploy action', { field: 'keel deploy', value: action ?? '', hint: 'shadow, promote, rollback or status' });
  }
}

function answer(r: { status: number; body: unknown }): number {
  const b = r.body as { ok?: boolean; message?: string; error?: string };
  if (r.status === 200 && b.ok) { process.stdout.write(`${b.message}\n`); return 0; }
  process.stderr.write(`keel deploy: refused (${r.status}): ${b.message ?? b.error ?? JSON.stringify(r.body)}\n`);
  return 1;
}

interface StatusView {
  stage: string; live: { strategyId: string; versionId: string }; candidate: { strategyId: string; versionId: string; strategy: string } | null;
  fraction: number | null; shadow: { decisions: number; agreed: number; agreementPct: number | null; simulatedLots: number } | null;
  canary: { lots: number; loss: number; maxLoss: number | null } | null; history: Array<{ ts: number; from: string; to: string; by: string; reason: string }>;
  message?: string;
}

function formatStatus(s: StatusView): string {
  if (s.stage === undefined) return `${s.message ?? JSON.stringify(s)}\n`;
  const out = [`stage: ${s.stage}${s.fraction === null ? '' : ` (canary at ${s.fraction * 100}% of the size)`}`, `live: ${s.live.strategyId} version ${s.live.versionId}`];
  if (s.candidate) out.push(`candidate: ${s.candidate.strategyId} version ${s.candidate.versionId} (${s.candidate.strategy})`);
  if (s.shadow) out.push(`shadow: ${s.shadow.agreed} of ${s.shadow.decisions} decisions agreed${s.shadow.agreementPct === null ? '' : ` (${s.shadow.agreementPct}%)`}, simulated position ${s.shadow.simulatedLots} lots`);
  if (s.canary) out.push(`canary: position ${s.canary.lots} lots, loss ${s.canary.loss.toFixed(2)}${s.canary.maxLoss === null ? '' : ` of a ${s.canary.maxLoss} budget`}`);
  for (const h of s.history) out.push(`  ${new Date(h.ts).toISOString()} ${h.from} -> ${h.to} by ${h.by}: ${h.reason}`);
  return out.join('\n') + '\n';
}
