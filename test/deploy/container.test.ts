import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseRunConfig } from '../../src/runtime/index.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * The container pieces that can be checked without a container engine: the entrypoint script and the
 * healthcheck run for real (sh, this Node 24), the Dockerfile's and compose.yaml's references point at files
 * that exist, and what compose hands Prometheus, Grafana and the engine is what they expect. (The image
 * itself is built with podman where it can run: deploy/README.md.)
 */

const file = (p: string) => readFileSync(resolve(ROOT, p), 'utf8');
const NODE_DIR = dirname(process.execPath);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { env: { ...process.env, PATH: `${NODE_DIR}${delimiter}${process.env.PATH ?? ''}`, KEEL_BIN: resolve(ROOT, 'bin/keel.js'), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

test('the entrypoint runs keel with the arguments, the config from KEEL_CONFIG, and waits for KEEL_WAIT_FOR', { timeout: 60_000 }, async () => {
  const entry = resolve(ROOT, 'deploy/docker/entrypoint.sh');
  let r = await run('sh', [entry, '--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /keel backtest --strategy/);
  // No arguments and no KEEL_CONFIG (the image has no CMD): keel's help.
  r = await run('sh', [entry]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /keel backtest --strategy/);
  r = await run('sh', [entry, 'records', '--help']);
  assert.match(r.stdout, /^keel records export \| prune/);

  // No arguments: KEEL_MODE (default paper) with --config $KEEL_CONFIG; a bad file is keel's own one line.
  const dir = mkdtempSync(join(tmpdir(), 'keel-entrypoint-'));
  const listener = createServer().listen(0, '127.0.0.1');
  await new Promise((ok) => listener.once('listening', ok));
  try {
    const cfg = join(dir, 'keel.yaml');
    writeFileSync(cfg, 'strategy: { name: sma-cross }\njournal: j.sqlite\nvenue: { kind: nope }\n');
    r = await run('sh', [entry], { KEEL_CONFIG: cfg });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^keel: ${cfg.replaceAll('.', '\\.')} line 3: venue\\.kind = "nope": must be sim, alpaca, ccxt, fix or ib`));
    r = await run('sh', [entry], { KEEL_CONFIG: cfg, KEEL_MODE: 'live' });
    assert.match(r.stderr, /venue\.kind = "nope"/);

    const port = (listener.address() as { port: number }).port;
    r = await run('sh', [entry, 'strategies'], { KEEL_WAIT_FOR: `127.0.0.1:${port}` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sma-cross/);
    const closed = createServer().listen(0, '127.0.0.1');
    await new Promise((ok) => closed.once('listening', ok));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((ok) => closed.close(ok));
    r = await run('sh', [entry, 'strategies'], { KEEL_WAIT_FOR: `127.0.0.1:${port},127.0.0.1:${closedPort}`, KEEL_WAIT_SECONDS: '1' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `keel-entrypoint: 127.0.0.1:${closedPort} did not accept a connection within 1 s\n`);
    assert.equal(r.stdout, '', 'keel did not start');
    r = await run('sh', [entry, 'strategies'], { KEEL_WAIT_FOR: 'postgres' });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'keel-entrypoint: KEEL_WAIT_FOR = "postgres": is not host:port\n');
  } finally {
    listener.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the healthcheck is healthy only on a 2xx from /healthz', async () => {
  let status = 200;
  const paths: string[] = [];
  const server = createHttpServer((req, res) => { paths.push(req.url ?? ''); res.statusCode = status; res.end('{}'); }).listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`;
    const check = resolve(ROOT, 'deploy/docker/healthcheck.mjs');
    assert.equal((await run(process.execPath, [check], { KEEL_HEALTH_URL: url })).code, 0);
    status = 503;
    assert.equal((await run(process.execPath, [check], { KEEL_HEALTH_URL: url })).code, 1);
    assert.deepEqual(paths, ['/healthz', '/healthz']);
    assert.equal((await run(process.execPath, [check], { KEEL_HEALTH_URL: 'http://127.0.0.1:1/healthz' })).code, 1, 'nothing listening: unhealthy');
  } finally {
    server.close();
  }
});

test('the Dockerfile: multi-stage on Node 24, a non-root user, keel as the entrypoint, a /healthz healthcheck, sources that exist', () => {
  const d = file('Dockerfile');
  assert.match(d, /^ARG NODE_IMAGE=docker\.io\/library\/node:24-/m);
  assert.equal((d.match(/^FROM /gm) ?? []).length, 2, 'two stages');
  assert.match(d, /^RUN npm ci --omit=dev /m);
  assert.match(d, /^USER keel:keel$/m);
  assert.match(d, /useradd --system --uid 10001/);
  assert.match(d, /^ENTRYPOINT \["\/usr\/local\/bin\/keel-entrypoint"\]$/m);
  assert.doesNotMatch(d, /^CMD /m, 'no CMD: it would hide KEEL_CONFIG from the entrypoint');
  assert.match(d, /^HEALTHCHECK .*CMD \["node", "\/usr\/local\/bin\/keel-healthcheck\.mjs"\]$/m);
  assert.match(file('deploy/docker/healthcheck.mjs'), /127\.0\.0\.1:7070\/healthz/);
  for (const [, src] of d.matchAll(/^COPY (?!--from)(\S+(?: \S+)*?) \S+$/gm)) {
    for (const p of src.split(' ')) assert.ok(existsSync(resolve(ROOT, p)), `COPY source ${p} exists`);
  }
  const ignore = file('.dockerignore').split('\n');
  for (const p of ['node_modules', 'run', 'tls', '*.vault']) assert.ok(ignore.includes(p), `.dockerignore keeps ${p} out of the image`);
});

test('compose.yaml: PostgreSQL, Prometheus with the shipped config and rules, Grafana with the shipped dashboard, the engine; every file it mounts exists', () => {
  const c = parseYaml(file('compose.yaml')) as { services: Record<string, any>; volumes: Record<string, unknown> };
  assert.deepEqual(Object.keys(c.services).sort(), ['engine', 'grafana', 'postgres', 'prometheus', 'venue']);
  for (const [name, s] of Object.entries(c.services)) {
    if (s.build !== undefined) assert.ok(existsSync(resolve(ROOT, s.build, 'Dockerfile')), `${name} builds the Dockerfile`);
    for (const v of (s.volumes ?? []) as string[]) {
      const [src] = v.split(':');
      if (src.startsWith('./')) assert.ok(existsSync(resolve(ROOT, src)), `${name} mounts ${src}, which exists`);
      else if (!src.startsWith('$')) assert.ok(src in c.volumes, `${name}: named volume ${src} is declared`);
    }
  }
  const prom = c.services.prometheus;
  assert.ok(prom.volumes.includes('./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro'));
  const promCfg = parseYaml(file('deploy/prometheus.yml')) as { rule_files: string[]; scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
  for (const r of promCfg.rule_files) assert.ok(prom.volumes.includes(`./deploy/${r}:/etc/prometheus/${r}:ro`), `the rule file ${r} sits beside the config`);
  // Prometheus scrapes 127.0.0.1:7070 as shipped: it must share the engine's network, where the API listens.
  assert.deepEqual(promCfg.scrape_configs[0].static_configs[0].targets, ['127.0.0.1:7070']);
  assert.equal(prom.network_mode, 'service:engine');

  // The engine's config is a valid run config: the postgres service's journal, the venue service, the API on 7070 loopback.
  const engine = c.services.engine;
  assert.deepEqual(engine.command, ['paper', '--config', '/config/keel.yaml']);
  const run = parseRunConfig(file('deploy/compose/keel.yaml'), 'deploy/compose/keel.yaml');
  assert.equal(run.journal, 'postgres://keel@postgres:5432/keel', 'no password in the URL (PGPASSWORD)');
  assert.equal(run.api?.port, 7070);
  assert.equal(run.api?.host, '127.0.0.1');
  assert.match(engine.environment.KEEL_WAIT_FOR, /postgres:5432/);
  assert.ok(engine.ports.includes('127.0.0.1:9090:9090'), 'Prometheus is published from the namespace it shares');

  // Grafana: the dashboard's ${DS_PROMETHEUS} input bound (as the entrypoint's sed does) to the provisioned datasource.
  const graf = c.services.grafana;
  const sed = /sed 's\/\[\$\]\{DS_PROMETHEUS\}\/([a-z-]+)\/g'/.exec(graf.entrypoint.join(' '));
  assert.ok(sed, graf.entrypoint.join(' '));
  const bound = JSON.parse(file('deploy/grafana-dashboard.json').replace(/[$]\{DS_PROMETHEUS\}/g, sed[1])) as unknown;
  const ds = parseYaml(file('deploy/grafana/provisioning/datasources/keel-prometheus.yaml')) as { datasources: Array<{ uid: string; url: string; type: string }> };
  assert.equal(ds.datasources[0].uid, sed[1]);
  assert.equal(ds.datasources[0].url, 'http://engine:9090');
  const uids = new Set<string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.datasource && typeof o.datasource === 'object' && (o.datasource as { type?: string }).type === 'prometheus') uids.add((o.datasource as { uid: string }).uid);
      Object.values(o).forEach(walk);
    }
  };
  walk(bound);
  assert.deepEqual([...uids], [sed[1]], 'every Prometheus panel uses the provisioned datasource');
  const provider = parseYaml(file('deploy/grafana/provisioning/dashboards/keel.yaml')) as { providers: Array<{ options: { path: string } }> };
  assert.ok(graf.entrypoint.join(' ').includes(`> ${provider.providers[0].options.path}/keel-engine.json`), 'the dashboard is written where the provider looks');
});
