/**
 * Soak command: runs the daemon as a child process (the CLI, as deployed)
 * against a simulated fleet for a fixed number of scrape cycles and judges
 * whether its memory is flat (see test/helpers/soak.ts).
 *
 * Build with `npx tsc -p tsconfig.json && node scripts/copy-assets.mjs`, run with
 * `node dist/bench/soak.js [--targets 200] [--interval 1] [--cycles 600] [--concurrency 16] [--series FILE] [--detect-window 15m] [--force-gc]`.
 * Exits 1 when the verdict is "growing".
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatSeries, formatSoak, runSoak, type SoakOptions } from '../test/helpers/soak.js';
import { intFlag } from './flags.js';

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const opts: SoakOptions = {
    targets: intFlag('--targets', 200, 5000),
    intervalS: intFlag('--interval', 1, 300),
    cycles: intFlag('--cycles', 600, 100_000),
    maxConcurrentScrapes: intFlag('--concurrency', 16, 1000),
    minGrowthBytes: intFlag('--min-growth-mib', 16, 4096) * MiB,
    detectWindow: process.argv.includes('--detect-window') ? process.argv[process.argv.indexOf('--detect-window') + 1] : undefined,
    forceGc: process.argv.includes('--force-gc'),
    progress: (l) => console.error(l),
  };
  console.error(`soak: ${opts.targets} targets every ${opts.intervalS} s for ${opts.cycles} cycles`);
  const r = await runSoak(opts);
  console.log(formatSoak(r));
  const csv = process.argv.indexOf('--series');
  if (csv >= 0 && process.argv[csv + 1]) writeFileSync(process.argv[csv + 1]!, `t_s rss_mib heap_mib\n${formatSeries(r)}\n`);
  if (r.verdict === 'growing') {
    console.error('soak: memory is growing');
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  });
}
