import { writeFileSync } from 'node:fs';

/**
 * Preloaded into a benchmarked child (`node --import bench/peak-rss-probe.ts ...`): at exit it writes its
 * own peak resident set size (getrusage maxrss, KiB, as /usr/bin/time -v reports it) to $KEEL_PEAK_RSS_FILE.
 */
const file = process.env.KEEL_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
