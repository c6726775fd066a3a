#!/usr/bin/env node
// The `keel` command. Keel's sources are TypeScript run by Node's type stripping (Node >= 22.18); npm
// scripts and `npx keel` put the project's Node 24 (the `node` dev dependency) first on PATH.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`keel: needs Node.js 22.18 or newer (this is ${process.version}); run it through npx keel or npm run keel, which use the project's Node 24`);
  process.exit(1);
}
// Node's compile cache (in the OS temp dir, keyed by each file's content) keeps the type-stripped and compiled
// code of every module Keel loads, so a second run starts in about half the time; NODE_DISABLE_COMPILE_CACHE=1
// turns it off.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../src/cli/main.ts');
