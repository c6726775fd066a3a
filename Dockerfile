# syntax=docker/dockerfile:1
# Keel in a container: `docker build -t keel .` then `docker run --rm keel backtest --help` (deploy/README.md).
# Node 24 runs Keel's TypeScript as it is (type stripping): no compile step, the image holds the sources.
# NODE_IMAGE: any Debian-based image with Node 24 and npm (the official one by default; a locally built one
# where Docker Hub cannot be reached, see deploy/docker/base-image.sh).
ARG NODE_IMAGE=docker.io/library/node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# Extra npm ci flags: `--offline` to install from a prepared npm cache mounted at /root/.npm (deploy/README.md).
ARG NPM_CI_FLAGS=""
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, exactly as locked; no install scripts (the `node` dev dependency is not needed:
# the image's own Node 24 runs Keel).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund ${NPM_CI_FLAGS}

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    KEEL_HOME=/var/lib/keel \
    NODE_COMPILE_CACHE=/var/lib/keel/.compile-cache
# A fixed, unprivileged user: the engine never needs root, and a fixed uid makes volume permissions predictable.
RUN groupadd --system --gid 10001 keel && useradd --system --uid 10001 --gid keel --home-dir /var/lib/keel --shell /usr/sbin/nologin keel \
    && mkdir -p /var/lib/keel && chown keel:keel /var/lib/keel
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY examples ./examples
COPY deploy/docker/entrypoint.sh /usr/local/bin/keel-entrypoint
COPY deploy/docker/healthcheck.mjs /usr/local/bin/keel-healthcheck.mjs
RUN chmod 0755 /usr/local/bin/keel-entrypoint && ln -s /app/bin/keel.js /usr/local/bin/keel
USER keel:keel
WORKDIR /var/lib/keel
# The API's default port (api.port in the run config): /healthz, /readyz, /metrics and the dashboard.
EXPOSE 7070
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/usr/local/bin/keel-healthcheck.mjs"]
# No CMD: `run IMAGE` prints keel's help, `run -e KEEL_CONFIG=/config/keel.yaml IMAGE` trades (entrypoint.sh).
ENTRYPOINT ["/usr/local/bin/keel-entrypoint"]
