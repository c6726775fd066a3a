// The image's HEALTHCHECK: GET /healthz on the engine's API (KEEL_HEALTH_URL, default http://127.0.0.1:7070/healthz).
// Healthy only on a 2xx within 4 s; an engine without an api: section has no health endpoint (and is reported unhealthy).
const url = process.env.KEEL_HEALTH_URL ?? 'http://127.0.0.1:7070/healthz';
try {
  const r = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(r.ok ? 0 : 1);
} catch {
  process.exit(1);
}
