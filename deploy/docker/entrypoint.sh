#!/bin/sh
# The image's entrypoint: `keel` with the container's arguments (docker run IMAGE paper --config /config/keel.yaml).
#   KEEL_WAIT_FOR=host:port[,host:port...]  wait until each accepts a TCP connection first (PostgreSQL, a venue),
#                                          at most KEEL_WAIT_SECONDS (default 60), then fail with one line
#   KEEL_CONFIG=/config/keel.yaml           with no arguments: keel ${KEEL_MODE:-paper} --config $KEEL_CONFIG
#                                          (no arguments and no KEEL_CONFIG: keel --help)
# It execs keel, so signals (SIGTERM from `docker stop`) reach the engine, which stops cleanly.
set -eu

if [ -n "${KEEL_WAIT_FOR:-}" ]; then
  node -e '
    const net = require("node:net");
    const deadline = Date.now() + 1000 * Number(process.env.KEEL_WAIT_SECONDS || 60);
    const targets = process.env.KEEL_WAIT_FOR.split(",").map((t) => t.trim()).filter(Boolean);
    const once = (host, port) => new Promise((ok) => {
      const s = net.connect({ host, port: Number(port) });
      const done = (up) => { s.destroy(); ok(up); };
      s.setTimeout(2000, () => done(false)); s.once("connect", () => done(true)); s.once("error", () => done(false));
    });
    (async () => {
      for (const t of targets) {
        const i = t.lastIndexOf(":");
        const host = t.slice(0, i), port = t.slice(i + 1);
        if (i <= 0 || !/^\d+$/.test(port)) { console.error(`keel-entrypoint: KEEL_WAIT_FOR = "${t}": is not host:port`); process.exit(2); }
        while (!(await once(host, port))) {
          if (Date.now() > deadline) { console.error(`keel-entrypoint: ${t} did not accept a connection within ${process.env.KEEL_WAIT_SECONDS || 60} s`); process.exit(1); }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  '
fi

if [ "$#" -eq 0 ] && [ -n "${KEEL_CONFIG:-}" ]; then
  set -- "${KEEL_MODE:-paper}" --config "$KEEL_CONFIG"
elif [ "$#" -eq 0 ]; then
  # The image has no CMD (a default CMD would hide KEEL_CONFIG): with nothing to run, say what can be run.
  set -- --help
fi

exec node "${KEEL_BIN:-/app/bin/keel.js}" "$@"
