import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './cli.ts';

/** Screenshots the browser tests leave for people to look at (git-ignored). */
export const ARTIFACTS = resolve(ROOT, 'test-artifacts');

/** Debian's chromium, headless, quiet: no network of its own, nothing downloaded. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launch Debian's chromium for a browser test (and make sure the artifacts folder exists). */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
